package dev.taskjob.testing;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small hand-written stand-in for the Compute Engine REST API (v1) and the Cloud Billing Catalog REST API.
 * No emulator exists for either, so this serves the calls the gcp provider makes, with recorded-style JSON from
 * {@code gce/} in this module's resources for machine types and SKUs (two pages each) and in-memory instance and
 * disk stores: aggregated machine types, SKUs, instance insert (deduplicated by requestId, 409 on a taken name;
 * each disk of the insert becomes a disk named as GCE names a boot disk, with its labels), get, aggregated list
 * with a {@code labels.k = "v"} filter, delete (disks with {@code autoDelete} go with the VM, others are
 * detached and stay), aggregated disk list with the same filter, zone operations (get, wait, list with a
 * preemption filter), disk delete (refused while a VM uses the disk) and instance setMetadata (with its fingerprint
 * check). {@link #preempt} follows the VM's {@code instanceTerminationAction}: DELETE removes it
 * and its auto-delete disks, STOP leaves it TERMINATED with its disks. Machine types in {@link #exhausted} fail their insert with ZONE_RESOURCE_POOL_EXHAUSTED
 * as GCE reports it, in the finished operation; {@link #unavailableInserts} answers inserts 503 and
 * {@link #exhaustFirstInsertedType} exhausts whichever type is inserted first. Shared by the gcp provider's tests and the operator's.
 */
public final class FakeComputeApi implements AutoCloseable {

  private static final Pattern ZONE_PATH = Pattern.compile("/compute/v1/projects/([^/]+)/zones/([^/]+)/(instances|operations|disks)(?:/([^/?]+))?(/wait|/setMetadata)?");
  private static final Pattern LABEL_FILTER = Pattern.compile("labels\\.([a-z0-9_-]+) = \"([^\"]*)\"");

  private final HttpServer server;
  private final AtomicLong ids = new AtomicLong(1000);
  /** Stored instances by zone/name. */
  public final Map<String, ObjectNode> instances = new ConcurrentHashMap<>();
  /** Stored disks by zone/name; {@code users} holds the instance names each is attached to. */
  public final Map<String, ObjectNode> disks = new ConcurrentHashMap<>();
  /** Disks deleted by a DELETE call (zone/name), in order. */
  public final List<String> deletedDisks = new CopyOnWriteArrayList<>();
  /** VMs (zone/name) whose metadata a setMetadata call replaced, once per call. */
  public final List<String> metadataUpdates = new CopyOnWriteArrayList<>();
  public final Map<String, ObjectNode> operationsById = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> operationsByRequestId = new ConcurrentHashMap<>();
  /** Every insert request body, as received. */
  public final List<JsonNode> inserts = new CopyOnWriteArrayList<>();
  /** Query strings of insert calls. */
  public final List<String> insertQueries = new CopyOnWriteArrayList<>();
  public final Set<String> exhausted = ConcurrentHashMap.newKeySet();
  /** Machine types whose insert fails with QUOTA_EXCEEDED in the finished operation (the project's CPU quota is 0). */
  public final Set<String> quotaExceeded = ConcurrentHashMap.newKeySet();
  /** Source images that do not exist: an insert naming one is answered 404 at once, as GCE does. */
  public final Set<String> missingImages = ConcurrentHashMap.newKeySet();
  /** This many inserts from now on are answered 503 backendError before anything is created. */
  public final AtomicInteger unavailableInserts = new AtomicInteger();
  /** When set, the first machine type inserted joins {@link #exhausted}: the first choice has no capacity. */
  public final AtomicBoolean exhaustFirstInsertedType = new AtomicBoolean();

  public FakeComputeApi() throws IOException {
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

  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * Reclaims a spot VM the way GCE does: a compute.instances.preempted operation, then the VM's termination
   * action: DELETE removes the VM and its auto-delete disks, STOP (or none given) leaves it TERMINATED.
   */
  public synchronized void preempt(String zone, String name) {
    ObjectNode vm = instances.get(zone + "/" + name);
    ObjectNode op = operation(zone, "compute.instances.preempted", vm, null);
    operationsById.put(op.get("name").asText(), op);
    if ("DELETE".equals(vm.path("scheduling").path("instanceTerminationAction").asText())) {
      deleteInstance(zone, name);
    } else {
      vm.put("status", "TERMINATED").put("lastStopTimestamp", java.time.OffsetDateTime.now().toString());
    }
  }

  /**
   * The first half of {@link #preempt}: the compute.instances.preempted operation, and the VM STOPPING for the
   * seconds GCE takes to stop it (billed, no lastStopTimestamp yet). {@link #preempt} then finishes it.
   */
  public synchronized void preemptionStarts(String zone, String name) {
    ObjectNode op = operation(zone, "compute.instances.preempted", instances.get(zone + "/" + name), null);
    operationsById.put(op.get("name").asText(), op);
    instances.get(zone + "/" + name).put("status", "STOPPING");
  }

  /** The VM's guest shut down (as the startup script does when the worker exits): GCE keeps it, TERMINATED. */
  public void stopFromInside(String zone, String name) {
    instances.get(zone + "/" + name).put("status", "TERMINATED")
        .put("lastStopTimestamp", java.time.OffsetDateTime.now().toString());
  }

  private synchronized ObjectNode deleteInstance(String zone, String name) {
    ObjectNode vm = instances.remove(zone + "/" + name);
    if (vm == null) {
      return null;
    }
    for (JsonNode attached : vm.path("disks")) {
      String diskKey = zone + "/" + attached.path("source").asText().replaceFirst(".*/", "");
      if (attached.path("autoDelete").asBoolean(false)) {
        disks.remove(diskKey);
      } else if (disks.containsKey(diskKey)) {
        disks.get(diskKey).putArray("users");
      }
    }
    return vm;
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getRawPath();
    Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
    String method = exchange.getRequestMethod();
    if (path.matches("/compute/v1/projects/[^/]+/aggregated/machineTypes")) {
      send(exchange, 200, resource("machine-types-page-" + ("machine-types-page-2".equals(query.get("pageToken")) ? 2 : 1)));
      return;
    }
    if (path.matches("/v1/services/6F81-5844-456A/skus")) {
      send(exchange, 200, resource("skus-page-" + ("skus-page-2".equals(query.get("pageToken")) ? 2 : 1)));
      return;
    }
    if (path.matches("/compute/v1/projects/[^/]+/aggregated/instances")) {
      send(exchange, 200, aggregated("instances", instances, query.getOrDefault("filter", "")));
      return;
    }
    if (path.matches("/compute/v1/projects/[^/]+/aggregated/disks")) {
      send(exchange, 200, aggregated("disks", disks, query.getOrDefault("filter", "")));
      return;
    }
    Matcher m = ZONE_PATH.matcher(path);
    if (!m.matches()) {
      send(exchange, 404, error(404, "no fake for " + method + " " + path));
      return;
    }
    String zone = m.group(2);
    String resource = m.group(4);
    if (m.group(3).equals("operations")) {
      if (resource == null) {
        send(exchange, 200, operationList(zone, query.getOrDefault("filter", "")));
      } else {
        ObjectNode op = operationsById.get(resource);
        send(exchange, op == null ? 404 : 200, op == null ? error(404, "no operation " + resource) : op.toString());
      }
      return;
    }
    if (m.group(3).equals("disks")) {
      deleteDisk(exchange, method, zone, resource);
      return;
    }
    if ("/setMetadata".equals(m.group(5))) {
      setMetadata(exchange, zone, resource);
      return;
    }
    switch (method) {
      case "POST" -> insert(exchange, zone, query);
      case "GET" -> {
        ObjectNode vm = instances.get(zone + "/" + resource);
        send(exchange, vm == null ? 404 : 200, vm == null ? error(404, "instance " + resource + " not found") : vm.toString());
      }
      case "DELETE" -> {
        ObjectNode vm = deleteInstance(zone, resource);
        if (vm == null) {
          send(exchange, 404, error(404, "The resource 'projects/p/zones/" + zone + "/instances/" + resource + "' was not found"));
        } else {
          send(exchange, 200, operation(zone, "delete", vm, null).toString());
        }
      }
      default -> send(exchange, 405, error(405, method));
    }
  }

  /** DELETE of a disk: 404 when unknown, 400 resourceInUseByAnotherResource while a VM uses it, as GCE answers. */
  private synchronized void deleteDisk(HttpExchange exchange, String method, String zone, String name) throws IOException {
    ObjectNode disk = name == null ? null : disks.get(zone + "/" + name);
    if (!"DELETE".equals(method)) {
      send(exchange, 405, error(405, method));
    } else if (disk == null) {
      send(exchange, 404, error(404, "The resource 'projects/p/zones/" + zone + "/disks/" + name + "' was not found"));
    } else if (!disk.path("users").isEmpty()) {
      send(exchange, 400, error(400, "The disk resource 'projects/p/zones/" + zone + "/disks/" + name
          + "' is already being used by '" + disk.path("users").get(0).asText() + "'"));
    } else {
      disks.remove(zone + "/" + name);
      deletedDisks.add(zone + "/" + name);
      send(exchange, 200, operation(zone, "delete", disk, null).toString());
    }
  }

  /**
   * instances.setMetadata: replaces the VM's metadata items when the request carries the current fingerprint
   * (412 conditionNotMet otherwise, as GCE answers), and gives the metadata a new fingerprint.
   */
  private synchronized void setMetadata(HttpExchange exchange, String zone, String name) throws IOException {
    ObjectNode vm = instances.get(zone + "/" + name);
    ObjectNode body = (ObjectNode) Json.MAPPER.readTree(exchange.getRequestBody());
    if (vm == null) {
      send(exchange, 404, error(404, "The resource 'projects/p/zones/" + zone + "/instances/" + name + "' was not found"));
      return;
    }
    ObjectNode metadata = vm.with("metadata");
    if (!metadata.path("fingerprint").asText("").equals(body.path("fingerprint").asText(""))) {
      send(exchange, 412, error(412, "Supplied fingerprint does not match current metadata fingerprint."));
      return;
    }
    metadataUpdates.add(zone + "/" + name);
    metadata.set("items", body.path("items").deepCopy());
    metadata.put("fingerprint", "fp-" + ids.incrementAndGet());
    send(exchange, 200, operation(zone, "setMetadata", vm, null).toString());
  }

  private synchronized void insert(HttpExchange exchange, String zone, Map<String, String> query) throws IOException {
    ObjectNode body = (ObjectNode) Json.MAPPER.readTree(exchange.getRequestBody());
    if (unavailableInserts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      send(exchange, 503, error(503, "The service is currently unavailable."));
      return;
    }
    inserts.add(body);
    insertQueries.add(exchange.getRequestURI().getRawQuery());
    String requestId = query.get("requestId");
    if (requestId != null && operationsByRequestId.containsKey(requestId)) {
      send(exchange, 200, operationsByRequestId.get(requestId).toString());
      return;
    }
    String name = body.path("name").asText();
    if (instances.containsKey(zone + "/" + name)) {
      send(exchange, 409, error(409, "The resource 'projects/p/zones/" + zone + "/instances/" + name + "' already exists"));
      return;
    }
    String machineType = body.path("machineType").asText().replaceFirst(".*/", "");
    for (JsonNode disk : body.path("disks")) {
      String image = disk.path("initializeParams").path("sourceImage").asText();
      if (missingImages.contains(image)) {
        send(exchange, 404, error(404, "The resource '" + image + "' was not found"));
        return;
      }
    }
    if (exhaustFirstInsertedType.compareAndSet(true, false)) {
      exhausted.add(machineType);
    }
    ObjectNode op;
    if (quotaExceeded.contains(machineType)) {
      ObjectNode failure = Json.MAPPER.createObjectNode();
      failure.putArray("errors").addObject().put("code", "QUOTA_EXCEEDED")
          .put("message", "Quota 'N2_CPUS' exceeded.  Limit: 0.0 in region us-central1.");
      op = operation(zone, "insert", body, failure);
    } else if (exhausted.contains(machineType)) {
      ObjectNode failure = Json.MAPPER.createObjectNode();
      ArrayNode errors = failure.putArray("errors");
      errors.addObject().put("code", "ZONE_RESOURCE_POOL_EXHAUSTED")
          .put("message", "The zone 'projects/p/zones/" + zone + "' does not have enough resources available to fulfill the request.");
      op = operation(zone, "insert", body, failure);
    } else {
      ObjectNode vm = body.deepCopy();
      vm.put("id", Long.toString(ids.incrementAndGet()));
      vm.put("kind", "compute#instance");
      vm.put("status", "RUNNING");
      vm.put("zone", "https://www.googleapis.com/compute/v1/projects/p/zones/" + zone);
      vm.put("machineType", "https://www.googleapis.com/compute/v1/projects/p/zones/" + zone + "/machineTypes/" + machineType);
      vm.put("creationTimestamp", OffsetDateTime.now(ZoneOffset.ofHours(-7)).toString());
      vm.with("metadata").put("fingerprint", "fp-" + ids.incrementAndGet());
      instances.put(zone + "/" + name, vm);
      createDisks(zone, vm);
      op = operation(zone, "insert", vm, null);
    }
    if (requestId != null) {
      operationsByRequestId.put(requestId, op);
    }
    send(exchange, 200, op.toString());
  }

  /** GCE names a boot disk after its VM, and further disks {@code <vm>-<index>}; each gets its source link. */
  private void createDisks(String zone, ObjectNode vm) {
    String name = vm.path("name").asText();
    int index = 0;
    for (JsonNode attached : vm.withArray("disks")) {
      String diskName = attached.path("boot").asBoolean(false) ? name : name + "-" + index;
      index++;
      ObjectNode disk = Json.MAPPER.createObjectNode().put("kind", "compute#disk").put("name", diskName)
          .put("id", Long.toString(ids.incrementAndGet()))
          .put("zone", "https://www.googleapis.com/compute/v1/projects/p/zones/" + zone)
          .put("sizeGb", attached.path("initializeParams").path("diskSizeGb").asText("10"))
          .put("creationTimestamp", vm.path("creationTimestamp").asText());
      disk.set("labels", attached.path("initializeParams").path("labels").deepCopy());
      disk.putArray("users").add("https://www.googleapis.com/compute/v1/projects/p/zones/" + zone + "/instances/" + name);
      disks.put(zone + "/" + diskName, disk);
      ((ObjectNode) attached).put("source", "https://www.googleapis.com/compute/v1/projects/p/zones/" + zone
          + "/disks/" + diskName);
    }
  }

  private ObjectNode operation(String zone, String type, JsonNode target, ObjectNode failure) {
    ObjectNode op = Json.MAPPER.createObjectNode();
    String id = Long.toString(ids.incrementAndGet());
    op.put("kind", "compute#operation").put("id", id).put("name", "operation-" + id)
        .put("zone", "https://www.googleapis.com/compute/v1/projects/p/zones/" + zone)
        .put("operationType", type).put("status", "DONE").put("progress", 100)
        .put("targetLink", "https://www.googleapis.com/compute/v1/projects/p/zones/" + zone + "/instances/" + target.path("name").asText())
        .put("targetId", target.path("id").asText("0"))
        .put("selfLink", "https://www.googleapis.com/compute/v1/projects/p/zones/" + zone + "/operations/operation-" + id);
    if (failure != null) {
      op.set("error", failure);
      op.put("httpErrorStatusCode", 503);
    }
    operationsById.put("operation-" + id, op);
    return op;
  }

  private static String aggregated(String kind, Map<String, ObjectNode> store, String filter) {
    Map<String, String> wanted = new HashMap<>();
    Matcher m = LABEL_FILTER.matcher(filter);
    while (m.find()) {
      wanted.put(m.group(1), m.group(2));
    }
    ObjectNode response = Json.MAPPER.createObjectNode()
        .put("kind", "compute#" + kind.substring(0, kind.length() - 1) + "AggregatedList");
    ObjectNode items = response.putObject("items");
    store.forEach((key, resource) -> {
      String zone = key.substring(0, key.indexOf('/'));
      boolean matches = wanted.entrySet().stream()
          .allMatch(e -> e.getValue().equals(resource.path("labels").path(e.getKey()).asText(null)));
      if (matches) {
        ObjectNode scope = items.has("zones/" + zone) ? (ObjectNode) items.get("zones/" + zone) : items.putObject("zones/" + zone);
        (scope.has(kind) ? (ArrayNode) scope.get(kind) : scope.putArray(kind)).add(resource);
      }
    });
    return response.toString();
  }

  private String operationList(String zone, String filter) {
    Matcher type = Pattern.compile("operationType = \"([^\"]+)\"").matcher(filter);
    Matcher target = Pattern.compile("targetId = \"([^\"]+)\"").matcher(filter);
    String wantedType = type.find() ? type.group(1) : null;
    String wantedTarget = target.find() ? target.group(1) : null;
    ObjectNode response = Json.MAPPER.createObjectNode().put("kind", "compute#operationList");
    ArrayNode items = response.putArray("items");
    operationsById.values().stream()
        .filter(op -> op.path("zone").asText().endsWith("/" + zone))
        .filter(op -> wantedType == null || wantedType.equals(op.path("operationType").asText()))
        .filter(op -> wantedTarget == null || wantedTarget.equals(op.path("targetId").asText()))
        .forEach(items::add);
    return response.toString();
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> query = new HashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          query.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return query;
  }

  private static String error(int code, String message) {
    ObjectNode e = Json.MAPPER.createObjectNode();
    e.putObject("error").put("code", code).put("message", message)
        .putArray("errors").addObject().put("message", message).put("reason", code == 404 ? "notFound" : code == 409 ? "alreadyExists"
            : code == 503 ? "backendError" : "error");
    return e.toString();
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = FakeComputeApi.class.getResourceAsStream("/gce/" + name + ".json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json; charset=UTF-8");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
