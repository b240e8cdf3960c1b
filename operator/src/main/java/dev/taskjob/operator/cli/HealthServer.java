package dev.taskjob.operator.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Plain HTTP endpoints for the kubelet and Prometheus, on the JDK's built-in server: {@code /livez},
 * {@code /readyz}, {@code /startupz} answer 200 or 503 with a one-line reason, {@code /metrics} serves
 * the scrape text. Probes and metrics are always separate servers (ports, and bind addresses if wanted),
 * so a NetworkPolicy can open the metrics port to scrapers alone while the probes stay the kubelet's.
 * Each endpoint is a supplier so the checks stay with what they check.
 */
final class HealthServer implements AutoCloseable {

  /** A check's answer. */
  record Check(boolean ok, String detail) {
    static Check ok(String detail) {
      return new Check(true, detail);
    }

    static Check failing(String detail) {
      return new Check(false, detail);
    }
  }

  private final HttpServer server;

  private HealthServer(HttpServer server) {
    this.server = server;
  }

  /** {@code /livez}, {@code /readyz}, {@code /startupz}, and nothing else. */
  static HealthServer probes(String host, int port, Supplier<Check> live, Supplier<Check> ready,
      Supplier<Check> started) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
    server.createContext("/livez", ex -> answer(ex, live.get()));
    server.createContext("/readyz", ex -> answer(ex, ready.get()));
    server.createContext("/startupz", ex -> answer(ex, started.get()));
    return start(server, port);
  }

  /** {@code /metrics} in the Prometheus text format, and nothing else. */
  static HealthServer metrics(String host, int port, Supplier<String> scrape) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
    server.createContext("/metrics", ex -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", scrape.get()));
    return start(server, port);
  }

  private static HealthServer start(HttpServer server, int port) {
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "http-" + port);
      t.setDaemon(true);
      return t;
    }));
    server.start();
    return new HealthServer(server);
  }

  InetSocketAddress address() {
    return server.getAddress();
  }

  private static void answer(HttpExchange ex, Check check) throws IOException {
    send(ex, check.ok() ? 200 : 503, "text/plain; charset=utf-8", (check.ok() ? "ok" : "failing") + ": "
        + check.detail() + "\n");
  }

  private static void send(HttpExchange ex, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
