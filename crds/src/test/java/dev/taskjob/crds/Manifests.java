package dev.taskjob.crds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.UnaryOperator;

/** The sample manifests in test resources, and edits of them for table-driven tests. */
final class Manifests {

  private Manifests() {}

  /** An edit of a manifest; edits chain with {@link #then}. */
  @FunctionalInterface
  interface Edit extends UnaryOperator<ObjectNode> {
    default Edit then(Edit next) {
      return manifest -> next.apply(apply(manifest));
    }
  }

  static ObjectNode load(String name) {
    try (InputStream in = Manifests.class.getResourceAsStream("/manifests/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test manifest " + name);
      }
      return (ObjectNode) CrdFiles.YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sets the value at a slash-separated path such as {@code spec/instances/minCpus}, creating objects on the way. */
  static Edit set(String path, Object value) {
    return manifest -> {
      String[] parts = path.split("/");
      JsonNode parent = manifest;
      for (int i = 0; i < parts.length - 1; i++) {
        if (parent.isArray()) {
          parent = parent.get(Integer.parseInt(parts[i]));
        } else {
          ObjectNode object = (ObjectNode) parent;
          parent = object.has(parts[i]) ? object.get(parts[i]) : object.putObject(parts[i]);
        }
      }
      ((ObjectNode) parent).set(parts[parts.length - 1], CrdFiles.YAML.valueToTree(value instanceof String s ? yaml(s) : value));
      return manifest;
    };
  }

  /** Removes the field at a slash-separated path. */
  static Edit remove(String path) {
    return manifest -> {
      int slash = path.lastIndexOf('/');
      JsonNode parent = slash < 0 ? manifest : manifest.at("/" + path.substring(0, slash));
      ((ObjectNode) parent).remove(path.substring(slash + 1));
      return manifest;
    };
  }

  /** Strings that look like YAML flow values ({@code {...}}, {@code [...]}) are parsed; others stay strings. */
  private static Object yaml(String text) {
    if (!text.startsWith("{") && !text.startsWith("[")) {
      return text;
    }
    try {
      return CrdFiles.YAML.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
