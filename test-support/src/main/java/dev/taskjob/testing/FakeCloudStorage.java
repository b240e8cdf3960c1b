package dev.taskjob.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.taskjob.core.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * A small hand-written stand-in for Cloud Storage's JSON API (v1), in memory. No Cloud Storage emulator exists
 * on these machines, so this serves the calls google-cloud-storage's HTTP transport makes for whole objects:
 * multipart and resumable upload (gzip-encoded bodies too), download ({@code alt=media}), metadata get, list by prefix (paged by
 * {@code maxResults}), delete. Buckets must be {@link #createBucket created} first; anything else is a 404
 * with Cloud Storage's error shape. Every request is recorded in {@link #requests} as {@code METHOD path}.
 */
public final class FakeCloudStorage implements AutoCloseable {

  private static final Pattern OBJECTS = Pattern.compile("/(?:download/|upload/)?storage/v1/b/([^/]+)/o(?:/(.+))?");
  private static final Pattern RESUMABLE = Pattern.compile("/upload/resumable/(\\d+)");

  private final HttpServer server;
  private final Map<String, NavigableMap<String, byte[]>> buckets = new ConcurrentHashMap<>();
  private final Map<String, String[]> pendingUploads = new ConcurrentHashMap<>();
  private final AtomicLong generations = new AtomicLong(1);
  /** {@code METHOD path} of every request, in order. */
  public final List<String> requests = new CopyOnWriteArrayList<>();

  public FakeCloudStorage() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      try {
        handle(exchange);
      } catch (RuntimeException e) {
        send(exchange, 500, error(500, e.toString()));
      }
    });
    server.start();
  }

  /** The base URL to give the client as its host. */
  public String endpoint() {
    return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
  }

  public void createBucket(String name) {
    buckets.putIfAbsent(name, new ConcurrentSkipListMap<>());
  }

  /** The object names in {@code bucket}, in order (empty for a missing bucket). */
  public Set<String> objectNames(String bucket) {
    return buckets.getOrDefault(bucket, new ConcurrentSkipListMap<>()).keySet();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getRawPath();
    Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
    byte[] body = readAll("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
        ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody());
    requests.add(method + " " + path);

    Matcher resumable = RESUMABLE.matcher(path);
    if (resumable.matches() && "PUT".equals(method)) {
      String[] target = pendingUploads.remove(resumable.group(1));
      if (target == null) {
        send(exchange, 404, error(404, "No such upload session."));
        return;
      }
      store(exchange, target[0], target[1], body);
      return;
    }
    Matcher m = OBJECTS.matcher(path);
    if (!m.matches()) {
      send(exchange, 404, error(404, "Not found: " + method + " " + path));
      return;
    }
    String bucket = decode(m.group(1));
    NavigableMap<String, byte[]> objects = buckets.get(bucket);
    if (objects == null) {
      send(exchange, 404, error(404, "The specified bucket does not exist."));
      return;
    }
    String name = m.group(2) == null ? null : decode(m.group(2));
    if (name == null && "POST".equals(method) && path.startsWith("/upload/")) {
      upload(exchange, bucket, query, body);
    } else if (name == null && "GET".equals(method)) {
      list(exchange, bucket, objects, query);
    } else if (name != null && "GET".equals(method)) {
      byte[] content = objects.get(name);
      if (content == null) {
        send(exchange, 404, error(404, "No such object: " + bucket + "/" + name));
      } else if ("media".equals(query.get("alt"))) {
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        exchange.getResponseHeaders().set("x-goog-stored-content-length", Integer.toString(content.length));
        exchange.getResponseHeaders().set("x-goog-generation", "1");
        exchange.sendResponseHeaders(200, content.length == 0 ? -1 : content.length);
        exchange.getResponseBody().write(content);
        exchange.close();
      } else {
        send(exchange, 200, metadata(bucket, name, content).toString());
      }
    } else if (name != null && "DELETE".equals(method)) {
      if (objects.remove(name) == null) {
        send(exchange, 404, error(404, "No such object: " + bucket + "/" + name));
      } else {
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
      }
    } else {
      send(exchange, 404, error(404, "Not served by this fake: " + method + " " + path));
    }
  }

  private void upload(HttpExchange exchange, String bucket, Map<String, String> query, byte[] body) throws IOException {
    String type = query.getOrDefault("uploadType", "");
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    if ("multipart".equals(type)) {
      Multipart parts = Multipart.parse(contentType, body);
      String name = query.getOrDefault("name", Json.MAPPER.readTree(parts.metadata).path("name").asText());
      store(exchange, bucket, name, parts.media);
    } else if ("media".equals(type)) {
      store(exchange, bucket, query.get("name"), body);
    } else if ("resumable".equals(type)) {
      String name = query.getOrDefault("name", body.length == 0 ? null : Json.MAPPER.readTree(body).path("name").asText());
      String session = Long.toString(generations.incrementAndGet());
      pendingUploads.put(session, new String[] {bucket, name});
      exchange.getResponseHeaders().set("Location", endpoint() + "/upload/resumable/" + session);
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    } else {
      send(exchange, 400, error(400, "uploadType '" + type + "' is not served by this fake"));
    }
  }

  private void store(HttpExchange exchange, String bucket, String name, byte[] content) throws IOException {
    NavigableMap<String, byte[]> objects = buckets.get(bucket);
    if (objects == null) {
      send(exchange, 404, error(404, "The specified bucket does not exist."));
      return;
    }
    objects.put(name, content);
    send(exchange, 200, metadata(bucket, name, content).toString());
  }

  private void list(HttpExchange exchange, String bucket, NavigableMap<String, byte[]> objects,
      Map<String, String> query) throws IOException {
    String prefix = query.getOrDefault("prefix", "");
    int max = Integer.parseInt(query.getOrDefault("maxResults", "1000"));
    String after = query.get("pageToken");
    ObjectNode page = Json.MAPPER.createObjectNode().put("kind", "storage#objects");
    ArrayNode items = page.putArray("items");
    for (Map.Entry<String, byte[]> e : (after == null ? objects : objects.tailMap(after, false)).entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        continue;
      }
      if (items.size() == max) {
        page.put("nextPageToken", items.get(items.size() - 1).path("name").asText());
        break;
      }
      items.add(metadata(bucket, e.getKey(), e.getValue()));
    }
    send(exchange, 200, page.toString());
  }

  private ObjectNode metadata(String bucket, String name, byte[] content) {
    return Json.MAPPER.createObjectNode().put("kind", "storage#object").put("bucket", bucket).put("name", name)
        .put("id", bucket + "/" + name + "/1").put("generation", "1").put("metageneration", "1")
        .put("size", Integer.toString(content.length)).put("contentType", "application/octet-stream");
  }

  private static String error(int code, String message) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    ObjectNode error = root.putObject("error").put("code", code).put("message", message);
    error.putArray("errors").addObject().put("domain", "global").put("reason", code == 404 ? "notFound" : "invalid")
        .put("message", message);
    return root.toString();
  }

  private static void send(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> values = new HashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          values.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
        }
      }
    }
    return values;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static byte[] readAll(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }

  /** A {@code multipart/related} upload: the object's JSON metadata, then its bytes. */
  private record Multipart(byte[] metadata, byte[] media) {
    static Multipart parse(String contentType, byte[] body) {
      Matcher b = Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(contentType == null ? "" : contentType);
      if (!b.find()) {
        throw new IllegalArgumentException("multipart upload without a boundary: " + contentType);
      }
      // ISO-8859-1 maps bytes to chars one to one, so offsets in the string are offsets in the body.
      String text = new String(body, StandardCharsets.ISO_8859_1);
      String delimiter = "--" + b.group(1);
      String[] parts = text.split(Pattern.quote(delimiter));
      byte[][] contents = new byte[2][];
      int found = 0;
      for (String part : parts) {
        int headersEnd = part.indexOf("\r\n\r\n");
        if (headersEnd < 0 || found == 2) {
          continue; // the preamble and the closing "--"
        }
        String content = part.substring(headersEnd + 4);
        if (content.endsWith("\r\n")) {
          content = content.substring(0, content.length() - 2);
        }
        contents[found++] = content.getBytes(StandardCharsets.ISO_8859_1);
      }
      if (found != 2) {
        throw new IllegalArgumentException("multipart upload with " + found + " parts, expected metadata and media");
      }
      return new Multipart(contents[0], contents[1]);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
