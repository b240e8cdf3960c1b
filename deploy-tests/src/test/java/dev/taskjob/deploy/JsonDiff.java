package dev.taskjob.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/**
 * Where two documents differ, as JSON pointers. Numbers compare by value: {@code 10000.0} in a
 * generated file and {@code 10000} in kustomize's output mean the same to the API server.
 */
final class JsonDiff {

  private JsonDiff() {}

  static List<String> differences(JsonNode expected, JsonNode actual) {
    List<String> out = new ArrayList<>();
    compare("", expected, actual, out);
    return out;
  }

  private static void compare(String path, JsonNode expected, JsonNode actual, List<String> out) {
    if (expected.isNumber() && actual.isNumber()) {
      if (expected.decimalValue().compareTo(actual.decimalValue()) != 0) {
        out.add(path + ": " + expected + " != " + actual);
      }
    } else if (expected.isObject() && actual.isObject()) {
      TreeSet<String> names = new TreeSet<>();
      expected.fieldNames().forEachRemaining(names::add);
      actual.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        String child = path + "/" + name.replace("~", "~0").replace("/", "~1");
        if (!expected.has(name) || !actual.has(name)) {
          out.add(child + (expected.has(name) ? ": missing" : ": unexpected"));
        } else {
          compare(child, expected.get(name), actual.get(name), out);
        }
      }
    } else if (expected.isArray() && actual.isArray()) {
      if (expected.size() != actual.size()) {
        out.add(path + ": " + expected.size() + " items != " + actual.size());
        return;
      }
      Iterator<JsonNode> e = expected.elements();
      Iterator<JsonNode> a = actual.elements();
      for (int i = 0; e.hasNext(); i++) {
        compare(path + "/" + i, e.next(), a.next(), out);
      }
    } else if (!expected.equals(actual)) {
      out.add(path + ": " + expected + " != " + actual);
    }
  }
}
