package dev.taskjob.operator.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A Kubernetes field selector ({@code involvedObject.name=x,involvedObject.kind=TaskJob},
 * {@code metadata.name!=y}) applied to objects as JSON: each term compares the text at a dotted path, a
 * missing field reading as the empty string.
 */
final class FieldSelector {

  private record Term(String path, String value, boolean equal) {}

  private final List<Term> terms;

  private FieldSelector(List<Term> terms) {
    this.terms = terms;
  }

  /** Parses a selector; null or blank selects everything. */
  static FieldSelector parse(String selector) {
    List<Term> terms = new ArrayList<>();
    if (selector != null) {
      for (String term : selector.split(",")) {
        if (term.isBlank()) {
          continue;
        }
        int not = term.indexOf("!=");
        int eq = term.indexOf('=');
        if (not >= 0) {
          terms.add(new Term(term.substring(0, not).trim(), term.substring(not + 2).trim(), false));
        } else if (eq >= 0) {
          String value = term.substring(eq + 1).replaceFirst("^=", "");
          terms.add(new Term(term.substring(0, eq).trim(), value.trim(), true));
        } else {
          throw new IllegalArgumentException("fieldSelector term '" + term + "' has no = or !=");
        }
      }
    }
    return new FieldSelector(terms);
  }

  boolean matches(JsonNode object) {
    for (Term term : terms) {
      JsonNode value = DiscoveryDispatcher.at(object, term.path());
      String text = value == null || value.isMissingNode() || value.isNull() ? "" : value.asText();
      if (text.equals(term.value()) != term.equal()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The list with only the matching items. A list without a resourceVersion gets the newest of its items', so
   * a watch started from it sends only later changes.
   */
  ObjectNode filterList(ObjectNode list) {
    ObjectNode filtered = list.deepCopy();
    ArrayNode items = filtered.putArray("items");
    long newest = 0;
    for (JsonNode item : list.path("items")) {
      newest = Math.max(newest, resourceVersion(item));
      if (matches(item)) {
        items.add(item);
      }
    }
    ObjectNode metadata = filtered.has("metadata") && filtered.get("metadata").isObject()
        ? (ObjectNode) filtered.get("metadata") : filtered.putObject("metadata");
    if (metadata.path("resourceVersion").asText("").isEmpty() && newest > 0) {
      metadata.put("resourceVersion", Long.toString(newest));
    }
    return filtered;
  }

  /** An object's resourceVersion as a number (the embedded API counts up); 0 when absent or not a number. */
  static long resourceVersion(JsonNode object) {
    try {
      return Long.parseLong(object.path("metadata").path("resourceVersion").asText("0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
