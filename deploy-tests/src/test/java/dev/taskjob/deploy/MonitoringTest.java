package dev.taskjob.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * deploy/monitoring as rendered: the ServiceMonitor finds the metrics Service, and every alert and
 * dashboard query names metrics, labels and label values the operator really exposes (a Prometheus
 * scrape of {@link dev.taskjob.operator.metrics.OperatorMetrics}), so none silently matches nothing.
 */
class MonitoringTest {

  static final String MONITORING = "deploy/monitoring";
  /** Labels Prometheus adds to every scraped series. */
  private static final Set<String> TARGET_LABELS = Set.of("job", "instance", "pod", "service", "endpoint", "container");
  private static final RegisteredMetrics REGISTERED = RegisteredMetrics.ofTheOperator();

  @Test
  void serviceMonitorScrapesTheMetricsServiceKeepingTheJobsNamespaceLabel() {
    Rendered install = Kustomize.render(Installs.BASE);
    JsonNode monitor = Kustomize.render(MONITORING).only("ServiceMonitor");
    JsonNode service = install.get("Service", "taskjob-operator-metrics");

    assertThat(monitor.at("/metadata/namespace").asText()).isEqualTo(service.at("/metadata/namespace").asText());
    monitor.at("/spec/selector/matchLabels").fields().forEachRemaining(label ->
        assertThat(service.at("/metadata/labels").path(label.getKey()).asText()).as(label.getKey())
            .isEqualTo(label.getValue().asText()));
    List<String> servicePorts = new ArrayList<>();
    service.at("/spec/ports").forEach(p -> servicePorts.add(p.path("name").asText()));
    assertThat(servicePorts).contains(monitor.at("/spec/endpoints/0/port").asText());
    assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/metrics");
    assertThat(monitor.at("/spec/endpoints/0/honorLabels").asBoolean()).as("honorLabels").isTrue();
  }

  @Test
  void alertsCoverFailedJobsStalledPoolsBudgetsNearlySpentAndWorkersThatNeverStarted() {
    assertThat(alerts().keySet())
        .containsExactlyInAnyOrder("TaskJobFailed", "TaskJobPoolStalled", "TaskJobBudgetNear", "TaskJobWorkersNeverStarted",
            "TaskJobOperatorMetricsAbsent");
  }

  @Test
  void everyAlertIsCompleteAndQueriesWhatTheOperatorExposes() {
    List<String> problems = new ArrayList<>();
    alerts().forEach((name, rule) -> {
      if (!rule.at("/labels/severity").isTextual() || !rule.at("/annotations/summary").isTextual()
          || !rule.at("/annotations/description").isTextual()) {
        problems.add(name + ": needs labels.severity, annotations.summary and annotations.description");
      }
      if (rule.has("for") && !rule.get("for").asText().matches("\\d+[smh]")) {
        problems.add(name + ": for '" + rule.get("for").asText() + "' is not a duration");
      }
      problems.addAll(check(name, rule.path("expr").asText()));
    });
    assertThat(problems).isEmpty();
  }

  @Test
  void everyDashboardQueryAndVariableNamesWhatTheOperatorExposes() {
    JsonNode dashboard = dashboard();
    List<String> problems = new ArrayList<>();
    Set<Integer> ids = new LinkedHashSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      String title = panel.path("title").asText();
      if (!ids.add(panel.path("id").asInt())) {
        problems.add(title + ": duplicate panel id " + panel.path("id"));
      }
      if (!panel.path("targets").isArray() || panel.path("targets").isEmpty()) {
        problems.add(title + ": no query");
      }
      for (JsonNode target : panel.path("targets")) {
        problems.addAll(check(title, target.path("expr").asText()));
      }
    }
    for (JsonNode variable : dashboard.at("/templating/list")) {
      if (variable.path("type").asText().equals("query")) {
        problems.addAll(check("variable " + variable.path("name").asText(), variable.at("/query/query").asText()));
      }
    }
    assertThat(problems).isEmpty();
    assertThat(dashboard.path("panels").size()).isGreaterThanOrEqualTo(8);
  }

  @Test
  void dashboardIsLoadedByGrafanasSidecarAndUsesTheChosenDataSource() {
    JsonNode map = Kustomize.render(MONITORING).only("ConfigMap");
    JsonNode dashboard = dashboard();
    List<String> fixedSources = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      if (!panel.at("/datasource/uid").asText().equals("${datasource}")) {
        fixedSources.add(panel.path("title").asText());
      }
    }

    assertThat(map.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
    assertThat(dashboard.path("uid").asText()).isEqualTo("taskjob-operator");
    assertThat(fixedSources).as("panels not using the ${datasource} variable").isEmpty();
  }

  /** The checker catches what it is relied on to catch. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      taskjob_job_phase{phase="Failed"} == 1                           | ok
      taskjob_jobs_phase{phase="Failed"} == 1                          | metric taskjob_jobs_phase
      taskjob_job_phase{job="x"} == 1                                  | ok
      taskjob_job_phase{phaze="Failed"} == 1                           | label phaze
      taskjob_job_phase{phase="Done"} == 1                             | value 'Done'
      sum by (exported_job) (taskjob_job_tasks)                        | grouping label exported_job
      ratee(taskjob_instance_failures_total[5m])                       | unknown function ratee
      sum(taskjob_job_tasks                                            | unclosed
      """)
  void checkerFindsWhatDoesNotExist(String expr, String expected) {
    if (expected.equals("ok")) {
      assertThat(check("case", expr)).isEmpty();
    } else if (expected.startsWith("unknown") || expected.equals("unclosed")) {
      assertThatThrownBy(() -> check("case", expr)).hasMessageContaining(expected);
    } else {
      assertThat(check("case", expr)).singleElement().asString().contains(expected);
    }
  }

  /** Problems with one expression: unregistered metrics, labels, label values, grouping labels. */
  private static List<String> check(String where, String expr) {
    PromQl.Parsed parsed = PromQl.parse(expr);
    List<String> problems = new ArrayList<>();
    if (parsed.selectors().isEmpty()) {
      problems.add(where + ": selects no metric: " + expr);
    }
    Set<String> labelsInExpr = new LinkedHashSet<>(TARGET_LABELS);
    for (PromQl.Selector selector : parsed.selectors()) {
      String metric = selector.metric();
      if (!REGISTERED.has(metric)) {
        problems.add(where + ": metric " + metric + " is not one the operator registers " + REGISTERED.names());
        continue;
      }
      labelsInExpr.addAll(REGISTERED.labels(metric));
      selector.matchers().forEach((label, matcher) -> {
        if (TARGET_LABELS.contains(label)) {
          return;
        }
        if (!REGISTERED.labels(metric).contains(label)) {
          problems.add(where + ": " + metric + " has no label " + label);
        } else if (!matcher.value().contains("$") && matcher.value().matches("[A-Za-z0-9_.|-]+")) {
          for (String value : matcher.value().split("\\|")) {
            if (!REGISTERED.values(metric, label).contains(value)) {
              problems.add(where + ": " + metric + "{" + label + "} never has the value '" + value + "' "
                  + REGISTERED.values(metric, label));
            }
          }
        }
      });
    }
    if (parsed.functions().contains("label_replace")) {
      labelsInExpr.add("taskjob"); // the rules derive it from an InstancePool's name
    }
    for (String label : parsed.groupingLabels()) {
      if (!labelsInExpr.contains(label)) {
        problems.add(where + ": grouping label " + label + " is on none of the metrics in: " + expr);
      }
    }
    return problems;
  }

  private static Map<String, JsonNode> alerts() {
    JsonNode rule = Kustomize.render(MONITORING).only("PrometheusRule");
    assertThat(rule.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    Map<String, JsonNode> alerts = new LinkedHashMap<>();
    for (JsonNode group : rule.at("/spec/groups")) {
      assertThat(group.path("name").asText()).isNotBlank();
      for (JsonNode r : group.path("rules")) {
        assertThat(r.has("alert")).as("every rule is an alert: %s", r).isTrue();
        assertThat(alerts.put(r.path("alert").asText(), r)).as("duplicate alert %s", r.path("alert")).isNull();
      }
    }
    return alerts;
  }

  private static JsonNode dashboard() {
    JsonNode map = Kustomize.render(MONITORING).only("ConfigMap");
    try {
      return new ObjectMapper().readTree(map.at("/data/taskjob-operator.json").asText());
    } catch (java.io.IOException e) {
      throw new AssertionError("the dashboard is not JSON", e);
    }
  }
}
