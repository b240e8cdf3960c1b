package dev.taskjob.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskjob.operator.cli.TaskjobCli;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Who can read the operator's metrics in every install: {@code /metrics} on its own port and address,
 * and a NetworkPolicy that admits only the monitoring namespaces, and only to that port. The policy is
 * evaluated as the NetworkPolicy API defines it for a connection from a namespace with given labels.
 */
class MetricsAccessTest {

  private static final Map<String, String> MONITORING = Map.of("kubernetes.io/metadata.name", "monitoring");
  private static final Map<String, String> LABELLED_SCRAPER = Map.of("kubernetes.io/metadata.name", "observability",
      "taskjob.dev/metrics-scraper", "true");
  private static final Map<String, String> TENANT = Map.of("kubernetes.io/metadata.name", "team-a");

  static List<String> installs() {
    return Installs.all();
  }

  @ParameterizedTest
  @MethodSource("installs")
  void servesMetricsOnItsOwnPortListeningOnThePodAddress(String install) {
    JsonNode container = Workloads.operatorContainer(Kustomize.render(install));

    CommandLine.ParseResult operator = TaskjobCli.commandLine()
        .parseArgs(Workloads.args(container).toArray(String[]::new)).subcommand();

    assertThat(operator.matchedOptionValue("--metrics-port", 0))
        .isNotEqualTo(operator.matchedOptionValue("--health-port", 0));
    assertThat(operator.matchedOptionValue("--metrics-bind-address", "")).isEqualTo("0.0.0.0");
  }

  @ParameterizedTest
  @MethodSource("installs")
  void onlyTheMonitoringNamespacesMayScrape(String install) {
    Rendered render = Kustomize.render(install);

    assertThat(admitted(render, MONITORING, "metrics")).as("Prometheus in monitoring").isTrue();
    assertThat(admitted(render, LABELLED_SCRAPER, "metrics")).as("a namespace labelled as scraper").isTrue();
    assertThat(admitted(render, TENANT, "metrics")).as("a tenant's pod").isFalse();
    assertThat(admitted(render, Map.of("kubernetes.io/metadata.name", OperatorGrants.operatorNamespace(render)),
        "metrics")).as("another pod in the operator's namespace").isFalse();
  }

  @ParameterizedTest
  @MethodSource("installs")
  void noPodMayReachTheProbePort(String install) {
    Rendered render = Kustomize.render(install);

    for (Map<String, String> from : List.of(MONITORING, LABELLED_SCRAPER, TENANT)) {
      assertThat(admitted(render, from, "health")).as("health port from %s", from).isFalse();
    }
  }

  /**
   * Whether a pod in a namespace with these labels may open the operator container's named port: the
   * pod is isolated for ingress by every policy that selects it with policy type Ingress, and then
   * admitted only by a rule whose ports and peers both match. Peers with a podSelector or ipBlock are
   * treated as matching (the strictest reading for this check: such a peer is what must not exist).
   */
  private static boolean admitted(Rendered render, Map<String, String> namespaceLabels, String portName) {
    JsonNode pod = render.only("Deployment").at("/spec/template/metadata/labels");
    String namespace = OperatorGrants.operatorNamespace(render);
    int portNumber = containerPort(Workloads.operatorContainer(render), portName);
    List<JsonNode> isolating = render.ofKind("NetworkPolicy").stream()
        .filter(p -> Objects.equals(p.at("/metadata/namespace").asText(), namespace))
        .filter(p -> selects(p.at("/spec/podSelector/matchLabels"), pod))
        .filter(p -> texts(p.at("/spec/policyTypes")).contains("Ingress"))
        .toList();
    if (isolating.isEmpty()) {
      return true;
    }
    for (JsonNode policy : isolating) {
      for (JsonNode rule : policy.at("/spec/ingress")) {
        boolean portMatches = !rule.has("ports") || rule.path("ports").isEmpty();
        for (JsonNode port : rule.path("ports")) {
          portMatches |= port.path("port").asText().equals(portName) || port.path("port").asInt(-1) == portNumber;
        }
        boolean peerMatches = !rule.has("from") || rule.path("from").isEmpty();
        for (JsonNode peer : rule.path("from")) {
          if (peer.has("ipBlock") || peer.has("podSelector")) {
            peerMatches = true;
          } else if (peer.has("namespaceSelector")) {
            peerMatches |= selects(peer.at("/namespaceSelector/matchLabels"), namespaceLabelsNode(namespaceLabels))
                && !peer.at("/namespaceSelector").has("matchExpressions");
          }
        }
        if (portMatches && peerMatches) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean selects(JsonNode matchLabels, JsonNode labels) {
    var fields = matchLabels.fields();
    while (fields.hasNext()) {
      var label = fields.next();
      if (!label.getValue().asText().equals(labels.path(label.getKey()).asText(null))) {
        return false;
      }
    }
    return true;
  }

  private static JsonNode namespaceLabelsNode(Map<String, String> labels) {
    return Kustomize.YAML.valueToTree(labels);
  }

  private static int containerPort(JsonNode container, String name) {
    for (JsonNode port : container.path("ports")) {
      if (port.path("name").asText().equals(name)) {
        return port.path("containerPort").asInt();
      }
    }
    throw new AssertionError("the operator container has no port named " + name);
  }

  private static List<String> texts(JsonNode array) {
    List<String> values = new java.util.ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }
}
