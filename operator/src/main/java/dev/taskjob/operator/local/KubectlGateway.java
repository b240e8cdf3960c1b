package dev.taskjob.operator.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The address kubectl talks to in a local run. fabric8's mock server answers watches only over
 * WebSockets, which kubectl does not use: kubectl reads a watch as one long HTTP response of JSON
 * events ({@code kubectl get -w}, and {@code kubectl wait}, which lists and then watches). This gateway
 * streams such watches, fed by a fabric8 watch on the mock server, and passes every other request to
 * the mock server (with {@link DiscoveryDispatcher} in front of its CRUD store) unchanged.
 */
final class KubectlGateway implements AutoCloseable {

  /** How long a watch with no {@code timeoutSeconds} stays open. */
  private static final Duration DEFAULT_WATCH_TIMEOUT = Duration.ofHours(1);
  /** A newline (JSON whitespace) after this much silence finds out whether the watcher is still there. */
  private static final Duration HEARTBEAT = Duration.ofSeconds(15);

  private final HttpServer server;
  private final ExecutorService executor;
  private final String backend;
  private final KubernetesClient client;
  private final DiscoveryDispatcher dispatcher;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private volatile boolean closing;

  private KubectlGateway(HttpServer server, ExecutorService executor, String backend, KubernetesClient client,
      DiscoveryDispatcher dispatcher) {
    this.server = server;
    this.executor = executor;
    this.backend = backend;
    this.client = client;
    this.dispatcher = dispatcher;
  }

  /** Listens on 127.0.0.1:{@code port} (0: any free port) in front of the mock server at {@code backend}. */
  static KubectlGateway start(int port, String backend, KubernetesClient client, DiscoveryDispatcher dispatcher)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
    ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "kubectl-gateway");
      thread.setDaemon(true);
      return thread;
    });
    KubectlGateway gateway = new KubectlGateway(server, executor, backend, client, dispatcher);
    server.createContext("/", gateway::handle);
    server.setExecutor(executor);
    server.start();
    return gateway;
  }

  String url() {
    return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String rawQuery = exchange.getRequestURI().getRawQuery();
      String path = exchange.getRequestURI().getRawPath();
      String fullPath = rawQuery == null ? path : path + "?" + rawQuery;
      Map<String, String> query = ResourcePath.query(fullPath);
      Optional<ResourcePath> resource = ResourcePath.parse(path);
      if ("GET".equals(exchange.getRequestMethod()) && ResourcePath.isWatch(query) && resource.isPresent()) {
        Optional<ResourceDefinitionContext> context = dispatcher.context(resource.get());
        if (context.isPresent()) {
          watch(exchange, resource.get(), context.get(), query);
          return;
        }
      }
      forward(exchange, fullPath);
    } catch (RuntimeException e) {
      // A request this gateway cannot serve gets an API error, as from a cluster, and the server keeps running.
      ObjectNode status = Serialization.jsonMapper().createObjectNode().put("kind", "Status").put("apiVersion", "v1")
          .put("status", "Failure").put("message", String.valueOf(e.getMessage())).put("reason", "BadRequest")
          .put("code", 400);
      respond(exchange, 400, "application/json", status.toString().getBytes(StandardCharsets.UTF_8));
    }
  }

  private void forward(HttpExchange exchange, String fullPath) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(backend + fullPath))
        .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    for (String header : new String[] {"Accept", "Content-Type"}) {
      String value = exchange.getRequestHeaders().getFirst(header);
      if (value != null) {
        request.header(header, value);
      }
    }
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while forwarding " + fullPath, e);
    }
    respond(exchange, response.statusCode(), response.headers().firstValue("Content-Type").orElse("application/json"),
        response.body());
  }

  private static void respond(HttpExchange exchange, int code, String contentType, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean empty = body.length == 0 || code == 204 || code == 304 || "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(code, empty ? -1 : body.length);
    if (!empty) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /**
   * Streams watch events until the watch times out, the watcher goes away or the server closes. Like the API
   * server, it starts with an ADDED event per existing object when no resourceVersion (or "0") is given, and
   * otherwise with the changes made after that version.
   */
  private void watch(HttpExchange exchange, ResourcePath resource, ResourceDefinitionContext context,
      Map<String, String> query) throws IOException {
    String selector = query.get("fieldSelector");
    if (resource.name() != null) {
      selector = (selector == null || selector.isBlank() ? "" : selector + ",") + "metadata.name=" + resource.name();
    }
    FieldSelector fields = FieldSelector.parse(selector);
    long fromVersion = parseVersion(query.get("resourceVersion"));
    boolean asTable = String.valueOf(exchange.getRequestHeaders().getFirst("Accept")).contains("as=Table");
    boolean fullObjects = String.valueOf(exchange.getRequestHeaders().getFirst("Accept")).contains("includeObject=Object");
    Instant deadline = Instant.now().plus(query.containsKey("timeoutSeconds")
        ? Duration.ofSeconds(Long.parseLong(query.get("timeoutSeconds"))) : DEFAULT_WATCH_TIMEOUT);

    LinkedBlockingQueue<ObjectNode> changes = new LinkedBlockingQueue<>();
    FilterWatchListDeletable<GenericKubernetesResource, GenericKubernetesResourceList,
        Resource<GenericKubernetesResource>> source = source(context, resource, query.get("labelSelector"));
    try (Watch ignored = source.watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, GenericKubernetesResource object) {
        changes.add(event(action.name(), Serialization.jsonMapper().valueToTree(object)));
      }

      @Override
      public void onClose(WatcherException cause) {
        changes.add(event("CLOSED", Serialization.jsonMapper().createObjectNode()));
      }
    })) {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      Map<String, Long> sent = new HashMap<>();
      boolean[] first = {true};
      JsonNode existing = Serialization.jsonMapper().valueToTree(source.list());
      for (JsonNode item : existing.path("items")) {
        if (fields.matches(item) && FieldSelector.resourceVersion(item) > fromVersion) {
          send(out, fromVersion < 0 ? "ADDED" : "MODIFIED", item, resource, asTable, fullObjects, first, sent);
        }
      }
      Instant lastWrite = Instant.now();
      while (!closing && Instant.now().isBefore(deadline)) {
        ObjectNode change = changes.poll(1, TimeUnit.SECONDS);
        if (change == null) {
          if (Instant.now().isAfter(lastWrite.plus(HEARTBEAT))) {
            out.write('\n');
            out.flush();
            lastWrite = Instant.now();
          }
          continue;
        }
        String type = change.path("type").asText();
        if (type.equals("CLOSED")) {
          break;
        }
        JsonNode object = change.path("object");
        long version = FieldSelector.resourceVersion(object);
        long already = sent.getOrDefault(key(object), fromVersion);
        if (fields.matches(object) && (type.equals("DELETED") || version > already)) {
          send(out, type, object, resource, asTable, fullObjects, first, sent);
          lastWrite = Instant.now();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the watcher hung up: nothing left to do
    }
  }

  private FilterWatchListDeletable<GenericKubernetesResource, GenericKubernetesResourceList,
      Resource<GenericKubernetesResource>> source(ResourceDefinitionContext context, ResourcePath resource,
      String labelSelector) {
    var all = client.genericKubernetesResources(context);
    FilterWatchListDeletable<GenericKubernetesResource, GenericKubernetesResourceList,
        Resource<GenericKubernetesResource>> scoped = !context.isNamespaceScoped() ? all
        : resource.namespace() == null ? all.inAnyNamespace() : all.inNamespace(resource.namespace());
    return labelSelector == null || labelSelector.isBlank() ? scoped : scoped.withLabelSelector(labelSelector);
  }

  private void send(OutputStream out, String type, JsonNode object, ResourcePath resource, boolean asTable,
      boolean fullObjects, boolean[] first, Map<String, Long> sent) throws IOException {
    JsonNode printed = object;
    if (asTable) {
      Optional<ObjectNode> table = dispatcher.table(resource, object, first[0], fullObjects);
      if (table.isPresent()) {
        printed = table.get();
        first[0] = false;
      }
    }
    out.write(event(type, printed).toString().getBytes(StandardCharsets.UTF_8));
    out.write('\n');
    out.flush();
    sent.put(key(object), FieldSelector.resourceVersion(object));
  }

  private static ObjectNode event(String type, JsonNode object) {
    ObjectNode event = Serialization.jsonMapper().createObjectNode().put("type", type);
    event.set("object", object);
    return event;
  }

  private static String key(JsonNode object) {
    return object.path("metadata").path("namespace").asText("") + "/" + object.path("metadata").path("name").asText();
  }

  /** -1 for "send what exists" (no version or "0"), else the version to send changes after. */
  private static long parseVersion(String resourceVersion) {
    if (resourceVersion == null || resourceVersion.isBlank() || resourceVersion.equals("0")) {
      return -1;
    }
    try {
      return Long.parseLong(resourceVersion);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    closing = true;
    server.stop(0);
    executor.shutdownNow();
  }
}
