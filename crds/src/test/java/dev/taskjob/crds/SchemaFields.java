package dev.taskjob.crds;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Walks the fields of an OpenAPI schema in document order, naming each by its path as
 * {@code kubectl explain} does: {@code spec.instances.minCpus}, list items by their list
 * ({@code spec.tasks.configMapRefs.name}) and map values as {@code <name>}.
 */
final class SchemaFields {

  private SchemaFields() {}

  static void forEach(JsonNode schema, BiConsumer<String, JsonNode> visitor) {
    walk(schema, "", visitor);
  }

  static List<String> paths(JsonNode schema) {
    List<String> paths = new ArrayList<>();
    forEach(schema, (path, field) -> paths.add(path));
    return paths;
  }

  private static void walk(JsonNode schema, String prefix, BiConsumer<String, JsonNode> visitor) {
    for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> property = it.next();
      String path = prefix.isEmpty() ? property.getKey() : prefix + "." + property.getKey();
      visitor.accept(path, property.getValue());
      descend(property.getValue(), path, visitor);
    }
  }

  private static void descend(JsonNode field, String path, BiConsumer<String, JsonNode> visitor) {
    if (field.has("items")) {
      walk(field.get("items"), path, visitor);
    }
    if (field.has("additionalProperties")) {
      walk(field.get("additionalProperties"), path + ".<name>", visitor);
    }
    walk(field, path, visitor);
  }
}
