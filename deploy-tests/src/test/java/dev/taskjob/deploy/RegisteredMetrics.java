package dev.taskjob.deploy;

import dev.taskjob.crds.v1alpha1.taskjob.BudgetSpec;
import dev.taskjob.crds.v1alpha1.taskjob.CostShares;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import dev.taskjob.operator.metrics.OperatorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The series the operator's {@link OperatorMetrics} exposes, read from a real Prometheus scrape after
 * every one of its recording methods ran once: metric name, and for each label the values seen.
 */
final class RegisteredMetrics {

  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? \\S+$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** metric name to label name to values. */
  private final Map<String, Map<String, Set<String>>> series;

  private RegisteredMetrics(Map<String, Map<String, Set<String>>> series) {
    this.series = series;
  }

  static RegisteredMetrics ofTheOperator() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMetrics metrics = new OperatorMetrics(registry);
    metrics.job("team-a", "render", new OperatorMetrics.JobFigures(10, 10, 4, 1, 2, 1, 3, 0.5, 1.25, 3.5));
    TaskJob job = new TaskJob();
    job.setMetadata(new ObjectMetaBuilder().withNamespace("team-a").withName("render").build());
    job.setSpec(new TaskJobSpec());
    job.getSpec().setBudget(new BudgetSpec());
    job.getSpec().getBudget().setMaxCost(25.0);
    job.setStatus(new TaskJobStatus());
    job.getStatus().setCostShares(new CostShares(3.0, 0.25, 0.5, 0.125, 1.0, 38));
    metrics.fromJobsAtScrape(() -> Stream.of(job));
    metrics.loadCheckpoint("team-a", "render", 10);
    metrics.pool("team-a", "render", 1, 2, 0);
    metrics.instanceLaunched("aws", "c7i.large");
    OperatorMetrics.FAILURE_REASONS.forEach(reason -> metrics.instanceFailure("aws", reason));
    metrics.orphansTerminated("aws", 1);
    return parse(registry.scrape());
  }

  static RegisteredMetrics parse(String scrape) {
    Map<String, Map<String, Set<String>>> series = new TreeMap<>();
    for (String line : scrape.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher sample = SAMPLE.matcher(line);
      if (!sample.matches()) {
        throw new IllegalArgumentException("not a sample line: " + line);
      }
      Map<String, Set<String>> labels = series.computeIfAbsent(sample.group(1), k -> new LinkedHashMap<>());
      if (sample.group(2) != null) {
        Matcher label = LABEL.matcher(sample.group(2));
        while (label.find()) {
          labels.computeIfAbsent(label.group(1), k -> new LinkedHashSet<>()).add(label.group(2));
        }
      }
    }
    return new RegisteredMetrics(series);
  }

  boolean has(String metric) {
    return series.containsKey(metric);
  }

  Set<String> names() {
    return series.keySet();
  }

  Set<String> labels(String metric) {
    return series.getOrDefault(metric, Map.of()).keySet();
  }

  Set<String> values(String metric, String label) {
    return series.getOrDefault(metric, Map.of()).getOrDefault(label, Set.of());
  }
}
