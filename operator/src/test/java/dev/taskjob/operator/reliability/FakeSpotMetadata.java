package dev.taskjob.operator.reliability;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-written EC2 instance metadata service (IMDSv2) on 127.0.0.1: no emulator serves spot notices.
 * Every worker takes one session token when it starts; every {@code interruptEvery}-th token (the first
 * included) sees a spot interruption notice {@code noticeAfter} after it was issued, the others 404.
 * So about one instance in {@code interruptEvery} is interrupted, replacements included.
 */
final class FakeSpotMetadata implements AutoCloseable {

  private final HttpServer server;
  private final int interruptEvery;
  private final Duration noticeAfter;
  private final Duration warning;
  private final AtomicInteger tokens = new AtomicInteger();
  private final Map<String, Instant> issued = new ConcurrentHashMap<>();
  private final Map<String, Boolean> noticed = new ConcurrentHashMap<>();

  FakeSpotMetadata(int interruptEvery, Duration noticeAfter, Duration warning) throws IOException {
    this.interruptEvery = interruptEvery;
    this.noticeAfter = noticeAfter;
    this.warning = warning;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/latest/api/token", this::token);
    server.createContext("/latest/meta-data/spot/instance-action", this::instanceAction);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Tokens issued: one per worker that started. */
  int workers() {
    return tokens.get();
  }

  /** Workers that were shown a notice. */
  int interrupted() {
    return noticed.size();
  }

  private void token(HttpExchange exchange) throws IOException {
    if (!"PUT".equals(exchange.getRequestMethod())) {
      respond(exchange, 405, "");
      return;
    }
    int n = tokens.getAndIncrement();
    String token = (n % interruptEvery == 0 ? "interrupt-" : "keep-") + n;
    issued.put(token, Instant.now());
    respond(exchange, 200, token);
  }

  private void instanceAction(HttpExchange exchange) throws IOException {
    String token = exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token");
    Instant since = token == null ? null : issued.get(token);
    if (since == null) {
      respond(exchange, 401, "");
    } else if (token.startsWith("interrupt-") && Instant.now().isAfter(since.plus(noticeAfter))) {
      noticed.put(token, true);
      respond(exchange, 200, "{\"action\": \"terminate\", \"time\": \"" + Instant.now().plus(warning) + "\"}");
    } else {
      respond(exchange, 404, "");
    }
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
