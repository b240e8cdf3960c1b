package dev.taskjob.deploy;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Lookups in the operator's Deployment. */
final class Workloads {

  static final String CONTAINER = "operator";

  private Workloads() {}

  static JsonNode podSpec(JsonNode deployment) {
    return deployment.path("spec").path("template").path("spec");
  }

  /** Init and regular containers: Pod Security applies to both. */
  static List<JsonNode> containers(JsonNode podSpec) {
    List<JsonNode> all = new ArrayList<>();
    podSpec.path("initContainers").forEach(all::add);
    podSpec.path("containers").forEach(all::add);
    podSpec.path("ephemeralContainers").forEach(all::add);
    return all;
  }

  static JsonNode operatorContainer(Rendered render) {
    for (JsonNode container : podSpec(render.only("Deployment")).path("containers")) {
      if (container.path("name").asText().equals(CONTAINER)) {
        return container;
      }
    }
    return fail(render + ": the Deployment has no container named " + CONTAINER);
  }

  static Optional<JsonNode> env(JsonNode container, String name) {
    for (JsonNode variable : container.path("env")) {
      if (variable.path("name").asText().equals(name)) {
        return Optional.of(variable);
      }
    }
    return Optional.empty();
  }

  static List<String> args(JsonNode container) {
    List<String> args = new ArrayList<>();
    container.path("args").forEach(a -> args.add(a.asText()));
    return args;
  }
}
