package dev.taskjob.operator.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Events printed with the columns {@code kubectl get events} shows against a cluster. */
final class EventTable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Name, priority (1: only with {@code -o wide}) and description of each column, in order. */
  private static final List<String[]> COLUMNS = List.of(
      new String[] {"Last Seen", "0", "Time since the event was last seen"},
      new String[] {"Type", "0", "Normal or Warning"},
      new String[] {"Reason", "0", "Why the event happened, in CamelCase"},
      new String[] {"Object", "0", "The object the event is about"},
      new String[] {"Subobject", "1", "The part of the object the event is about"},
      new String[] {"Source", "1", "The component that reported the event"},
      new String[] {"Message", "0", "What happened"},
      new String[] {"First Seen", "1", "Time since the event was first seen"},
      new String[] {"Count", "1", "How often the event happened"},
      new String[] {"Name", "1", "Name of the event"});

  private EventTable() {}

  static ObjectNode table(JsonNode body, boolean withColumns) {
    ObjectNode table = JSON.createObjectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    table.putObject("metadata").put("resourceVersion", body.path("metadata").path("resourceVersion").asText(""));
    ArrayNode defs = table.putArray("columnDefinitions");
    if (withColumns) {
      for (String[] c : COLUMNS) {
        defs.addObject().put("name", c[0]).put("type", c[0].equals("Count") ? "integer" : "string")
            .put("format", c[0].equals("Name") ? "name" : "").put("priority", Integer.parseInt(c[1]))
            .put("description", c[2]);
      }
    }
    ArrayNode rows = table.putArray("rows");
    List<JsonNode> items = new ArrayList<>();
    if (body.has("items")) {
      body.get("items").forEach(items::add);
    } else {
      items.add(body);
    }
    for (JsonNode event : items) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      JsonNode involved = event.path("involvedObject");
      String created = event.path("metadata").path("creationTimestamp").asText("");
      String last = firstNonBlank(event.path("lastTimestamp").asText(""), event.path("eventTime").asText(""), created);
      String first = firstNonBlank(event.path("firstTimestamp").asText(""), event.path("eventTime").asText(""), created);
      cells.add(last.isEmpty() ? "<unknown>" : DiscoveryDispatcher.age(last));
      cells.add(event.path("type").asText(""));
      cells.add(event.path("reason").asText(""));
      cells.add(involved.path("kind").asText("").toLowerCase(Locale.ROOT) + "/" + involved.path("name").asText(""));
      cells.add(involved.path("fieldPath").asText(""));
      cells.add(event.path("source").path("component").asText(event.path("reportingComponent").asText("")));
      cells.add(event.path("message").asText("").strip());
      cells.add(first.isEmpty() ? "<unknown>" : DiscoveryDispatcher.age(first));
      cells.add(event.path("count").asInt(1));
      cells.add(event.path("metadata").path("name").asText(""));
      row.set("object", event);
    }
    return table;
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (!v.isBlank()) {
        return v;
      }
    }
    return "";
  }
}
