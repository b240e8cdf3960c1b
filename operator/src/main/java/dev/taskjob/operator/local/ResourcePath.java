package dev.taskjob.operator.local;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The resource an API path addresses: {@code /api/v1/[namespaces/NS/]PLURAL[/NAME]} or
 * {@code /apis/GROUP/VERSION/[namespaces/NS/]PLURAL[/NAME]}; {@code group} is empty for the core API,
 * {@code namespace} and {@code name} are null when the path names none.
 */
record ResourcePath(String group, String version, String namespace, String plural, String name) {

  static Optional<ResourcePath> parse(String path) {
    String[] parts = path.replaceFirst("^/", "").split("/");
    String group;
    String version;
    int rest;
    if (parts.length >= 3 && parts[0].equals("api")) {
      group = "";
      version = parts[1];
      rest = 2;
    } else if (parts.length >= 4 && parts[0].equals("apis")) {
      group = parts[1];
      version = parts[2];
      rest = 3;
    } else {
      return Optional.empty();
    }
    int left = parts.length - rest;
    if (parts[rest].equals("namespaces") && left >= 3) {
      return Optional.of(new ResourcePath(group, version, parts[rest + 1], parts[rest + 2],
          left >= 4 ? parts[rest + 3] : null));
    }
    return Optional.of(new ResourcePath(group, version, null, parts[rest], left >= 2 ? parts[rest + 1] : null));
  }

  /** The decoded query parameters of a request path (the last value wins). */
  static Map<String, String> query(String fullPath) {
    Map<String, String> query = new LinkedHashMap<>();
    int at = fullPath.indexOf('?');
    if (at < 0) {
      return query;
    }
    for (String pair : fullPath.substring(at + 1).split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      query.put(key, value);
    }
    return query;
  }

  static boolean isWatch(Map<String, String> query) {
    String watch = query.get("watch");
    return "true".equalsIgnoreCase(watch) || "1".equals(watch);
  }

  /** The path with every occurrence of one query parameter removed. */
  static String withoutQueryParameter(String fullPath, String name) {
    int at = fullPath.indexOf('?');
    if (at < 0) {
      return fullPath;
    }
    List<String> kept = new ArrayList<>();
    for (String pair : fullPath.substring(at + 1).split("&")) {
      String key = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
      if (!pair.isEmpty() && !URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
        kept.add(pair);
      }
    }
    return fullPath.substring(0, at) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
  }
}
