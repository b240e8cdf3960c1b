package dev.taskjob.crds;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/** Renders docs/crd-reference.md from the committed CRDs, so the reference cannot drift from the schema. */
final class CrdReference {

  private static final Map<String, String> INTRO = Map.of(
      "TaskJob",
      "What to run and under which limits. The operator loads the tasks into a queue, runs an InstancePool "
          + "of the cheapest fitting instances, counts every task in a ledger, and removes everything when the "
          + "last task is done. `kubectl wait --for=condition=Complete taskjob/NAME` waits for the end.",
      "InstancePool",
      "A set of identical instances kept at `spec.count`, created by a TaskJob (or standalone). The pool "
          + "picks the instance type, replaces dead or preempted instances, and terminates every instance "
          + "before its finalizer is removed.");

  private CrdReference() {}

  static String render(List<JsonNode> crds) {
    StringBuilder out = new StringBuilder();
    out.append("# CRD reference\n\n")
        .append("The custom resources of group `taskjob.dev`, version `v1alpha1`. This page is generated from\n")
        .append("the CRDs in [`crds/`](../crds) (themselves generated from the classes in `crds/src/main/java`);\n")
        .append("`CrdReferenceDocTest` fails when it is out of date. ").append(CrdFiles.REFRESH_HINT).append(".\n\n")
        .append("Durations are number-unit pairs with units `h`, `m`, `s`, `ms`: `30s`, `10m`, `1h30m`, `1500ms`.\n")
        .append("Fields marked *immutable* cannot change once set: to change them, create a new resource.\n");
    for (JsonNode crd : crds) {
      renderKind(crd, out);
    }
    return out.toString();
  }

  private static void renderKind(JsonNode crd, StringBuilder out) {
    JsonNode names = crd.at("/spec/names");
    JsonNode version = crd.at("/spec/versions/0");
    String kind = names.path("kind").asText();
    out.append("\n## ").append(kind).append("\n\n");
    out.append(INTRO.getOrDefault(kind, "")).append("\n\n");
    out.append("`apiVersion: ").append(crd.at("/spec/group").asText()).append('/').append(version.path("name").asText())
        .append("`, namespaced. `kubectl get ").append(names.path("plural").asText())
        .append("` (short name `").append(names.at("/shortNames/0").asText())
        .append("`, category `").append(names.at("/categories/0").asText()).append("`) shows:\n\n");
    out.append("| Column | Field | Shown |\n| --- | --- | --- |\n");
    for (JsonNode column : version.path("additionalPrinterColumns")) {
      out.append("| ").append(cell(column.path("name").asText())).append(" | `").append(column.path("jsonPath").asText())
          .append("` | ").append(column.path("priority").asInt() == 0 ? "always" : "with `-o wide`").append(" |\n");
    }
    JsonNode schema = version.at("/schema/openAPIV3Schema");
    out.append("\n### Fields\n\n| Field | Type | Default | Validation | Description |\n| --- | --- | --- | --- | --- |\n");
    List<String[]> rules = new ArrayList<>();
    forEachField(schema, "", Set.of(), (path, field) -> {
      out.append("| `").append(path).append("` | ").append(type(field)).append(" | ")
          .append(field.has("default") ? "`" + field.get("default").asText() + "`" : "").append(" | ")
          .append(cell(validation(field))).append(" | ").append(cell(field.path("description").asText())).append(" |\n");
    });
    collectRules(schema, "", rules);
    out.append("\n### Rules\n\nChecked by the API server (CEL `x-kubernetes-validations`); `oldSelf` rules apply to updates.\n\n")
        .append("| On | Rule | Message |\n| --- | --- | --- |\n");
    for (String[] rule : rules) {
      out.append("| `").append(rule[0]).append("` | `").append(cell(rule[1])).append("` | ").append(cell(rule[2])).append(" |\n");
    }
  }

  /** Visits fields in document order with their required flag folded into the node's parent list. */
  private static void forEachField(JsonNode schema, String prefix, Set<String> ignored, BiConsumer<String, JsonNode> visitor) {
    List<String> required = new ArrayList<>();
    schema.path("required").forEach(r -> required.add(r.asText()));
    schema.path("properties").fields().forEachRemaining(property -> {
      String path = prefix.isEmpty() ? property.getKey() : prefix + "." + property.getKey();
      JsonNode field = property.getValue();
      if (required.contains(property.getKey())) {
        field = ((com.fasterxml.jackson.databind.node.ObjectNode) field.deepCopy()).put("x-required", true);
      }
      visitor.accept(path, field);
      if (field.has("items")) {
        forEachField(field.get("items"), path + "[]", ignored, visitor);
      }
      if (field.has("additionalProperties")) {
        forEachField(field.get("additionalProperties"), path + ".<name>", ignored, visitor);
      }
      forEachField(field, path, ignored, visitor);
    });
  }

  private static void collectRules(JsonNode schema, String path, List<String[]> rules) {
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      rules.add(new String[] {path, rule.path("rule").asText(), rule.path("message").asText()});
    }
    schema.path("properties").fields().forEachRemaining(p ->
        collectRules(p.getValue(), path.isEmpty() ? p.getKey() : path + "." + p.getKey(), rules));
    if (schema.has("items")) {
      collectRules(schema.get("items"), path + "[]", rules);
    }
    if (schema.has("additionalProperties")) {
      collectRules(schema.get("additionalProperties"), path + ".<name>", rules);
    }
  }

  private static String type(JsonNode field) {
    String type = field.path("type").asText();
    if ("array".equals(type)) {
      return "list of " + type(field.get("items"));
    }
    if ("object".equals(type) && field.has("additionalProperties")) {
      return "map of " + type(field.get("additionalProperties"));
    }
    return type;
  }

  private static String validation(JsonNode field) {
    List<String> parts = new ArrayList<>();
    if (field.path("x-required").asBoolean()) {
      parts.add("required");
    }
    if (field.has("enum")) {
      List<String> values = new ArrayList<>();
      field.get("enum").forEach(v -> values.add("`" + v.asText() + "`"));
      parts.add("one of " + String.join(", ", values));
    }
    if (field.has("minimum")) {
      parts.add((field.path("exclusiveMinimum").asBoolean() ? "> " : ">= ") + number(field.get("minimum")));
    }
    if (field.has("maximum")) {
      parts.add("<= " + number(field.get("maximum")));
    }
    if (field.has("minLength") || field.has("maxLength")) {
      parts.add("length " + field.path("minLength").asInt(0) + ".." + field.path("maxLength").asText("*"));
    }
    if (field.has("minItems") || field.has("maxItems")) {
      parts.add("items " + field.path("minItems").asInt(0) + ".." + field.path("maxItems").asText("*"));
    }
    if (field.has("maxProperties")) {
      parts.add("at most " + field.get("maxProperties").asInt() + " entries");
    }
    if (field.has("pattern")) {
      parts.add("pattern `" + field.get("pattern").asText() + "`");
    }
    for (JsonNode rule : field.path("x-kubernetes-validations")) {
      if ("self == oldSelf".equals(rule.path("rule").asText())) {
        parts.add("*immutable*");
      }
    }
    return String.join("; ", parts);
  }

  private static String number(JsonNode value) {
    return value.decimalValue().stripTrailingZeros().toPlainString();
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }
}
