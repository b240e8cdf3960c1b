package dev.taskjob.deploy;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/** The objects a kustomization renders to, with lookups by kind and name. */
record Rendered(String source, List<JsonNode> objects) {

  List<JsonNode> ofKind(String kind) {
    return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
  }

  Optional<JsonNode> find(String kind, String name) {
    return ofKind(kind).stream().filter(o -> name.equals(o.path("metadata").path("name").asText())).findFirst();
  }

  JsonNode get(String kind, String name) {
    return find(kind, name).orElseGet(() -> fail(source + " renders no " + kind + " named " + name));
  }

  /** The single object of a kind, e.g. the operator's Deployment. */
  JsonNode only(String kind) {
    List<JsonNode> found = ofKind(kind);
    if (found.size() != 1) {
      return fail(source + " renders " + found.size() + " objects of kind " + kind + ", expected exactly one");
    }
    return found.get(0);
  }

  /** Both renders applied together, e.g. an install and a namespace enabled for it. */
  Rendered plus(Rendered other) {
    List<JsonNode> both = new java.util.ArrayList<>(objects);
    both.addAll(other.objects());
    return new Rendered(source + " + " + other.source(), List.copyOf(both));
  }

  @Override
  public String toString() {
    return source;
  }
}
