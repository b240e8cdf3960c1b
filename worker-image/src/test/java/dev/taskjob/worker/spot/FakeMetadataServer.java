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
 * {@code Metadata-Flavor: Google}).
 */
public final class FakeMetadataServer implements AutoCloseable {

  private final HttpServer server;
  private volatile String token = UUID.randomUUID().toString();
  private volatile Instant noticeTime;
  private final AtomicInteger spotPolls = new AtomicInteger();
  private final AtomicInteger tokenRequests = new AtomicInteger();

  public FakeMetadataServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/latest/api/token", this::token);
    server.createContext("/latest/meta-data/spot/instance-action", this::instanceAction);
    server.createContext("/computeMetadata/v1/instance/preempted", this::preempted);
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
