package dev.taskjob.worker.spot;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-written stand-in for the EC2 and Compute Engine instance metadata services (no emulator of
 * them exists), on a free loopback port. It answers the calls the worker makes the way the real
 * services document them: IMDSv2 tokens ({@code PUT /latest/api/token}), {@code spot/instance-action}
 * (404 until a notice, 401 without a valid token), and GCE's {@code instance/preempted} (403 without
 * {@code Metadata-Flavor: Google}), and the instance's own values: EC2 instance tags ({@code tags/instance/KEY})
 * and GCE custom metadata ({@code instance/attributes/KEY}), 404 until set.
 */
public final class FakeMetadataServer implements AutoCloseable {

  private final HttpServer server;
  private volatile String token = UUID.randomUUID().toString();
  private volatile Instant noticeTime;
  private final AtomicInteger spotPolls = new AtomicInteger();
  private final AtomicInteger tokenRequests = new AtomicInteger();
  private final java.util.Map<String, String> instanceValues = new java.util.concurrent.ConcurrentHashMap<>();

  public FakeMetadataServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/latest/api/token", this::token);
    server.createContext("/latest/meta-data/spot/instance-action", this::instanceAction);
    server.createContext("/computeMetadata/v1/instance/preempted", this::preempted);
    server.createContext("/latest/meta-data/tags/instance/", this::instanceTag);
    server.createContext("/computeMetadata/v1/instance/attributes/", this::attribute);
    server.start();
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** From now on both services announce that the VM stops at {@code time}. */
  public void announce(Instant time) {
    noticeTime = time;
  }

  /**
   * From now on the instance carries {@code key=value}: as an instance tag (EC2, instance metadata tags on) and as
   * a custom metadata attribute (GCE); both answer 404 for a key that is not set.
   */
  public void setInstanceValue(String key, String value) {
    instanceValues.put(key, value);
  }

  /** Invalidates issued IMDSv2 tokens, as when they expire. */
  public void expireTokens() {
    token = UUID.randomUUID().toString();
  }

  public int spotPolls() {
    return spotPolls.get();
  }

  public int tokenRequests() {
    return tokenRequests.get();
  }

  private void token(HttpExchange ex) throws IOException {
    if (!ex.getRequestMethod().equals("PUT") || ex.getRequestHeaders().getFirst("X-aws-ec2-metadata-token-ttl-seconds") == null) {
      respond(ex, 400, "");
      return;
    }
    tokenRequests.incrementAndGet();
    respond(ex, 200, token);
  }

  private void instanceAction(HttpExchange ex) throws IOException {
    spotPolls.incrementAndGet();
    if (!token.equals(ex.getRequestHeaders().getFirst("X-aws-ec2-metadata-token"))) {
      respond(ex, 401, "");
      return;
    }
    Instant time = noticeTime;
    if (time == null) {
      respond(ex, 404, "<html>Not Found</html>");
    } else {
      respond(ex, 200, "{\"action\": \"terminate\", \"time\": \"" + time + "\"}");
    }
  }

  private void preempted(HttpExchange ex) throws IOException {
    spotPolls.incrementAndGet();
    if (!"Google".equals(ex.getRequestHeaders().getFirst("Metadata-Flavor"))) {
      respond(ex, 403, "Missing Metadata-Flavor:Google header.");
      return;
    }
    respond(ex, 200, noticeTime == null ? "FALSE" : "TRUE");
  }

  private void instanceTag(HttpExchange ex) throws IOException {
    if (!token.equals(ex.getRequestHeaders().getFirst("X-aws-ec2-metadata-token"))) {
      respond(ex, 401, "");
      return;
    }
    String value = instanceValues.get(ex.getRequestURI().getPath().replaceFirst(".*/", ""));
    respond(ex, value == null ? 404 : 200, value == null ? "<html>Not Found</html>" : value);
  }

  private void attribute(HttpExchange ex) throws IOException {
    if (!"Google".equals(ex.getRequestHeaders().getFirst("Metadata-Flavor"))) {
      respond(ex, 403, "Missing Metadata-Flavor:Google header.");
      return;
    }
    String value = instanceValues.get(ex.getRequestURI().getPath().replaceFirst(".*/", ""));
    respond(ex, value == null ? 404 : 200, value == null ? "Not Found" : value);
  }

  private static void respond(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      ex.getResponseBody().write(bytes);
    }
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
