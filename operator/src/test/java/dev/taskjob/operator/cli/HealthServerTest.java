package dev.taskjob.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Probes and metrics are separate servers: neither answers the other's paths. */
class HealthServerTest {

  /** A bound on one loopback call, not an expectation: a call took longer than 5 s on a loaded machine. */
  private static final Duration CALL_BOUND = Duration.ofMinutes(2);

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void probesServeNoMetrics() throws Exception {
    try (HealthServer probes = HealthServer.probes("127.0.0.1", 0, () -> HealthServer.Check.ok("leading"),
        () -> HealthServer.Check.ok("leading"), () -> HealthServer.Check.failing("starting"))) {
      int port = probes.address().getPort();

      assertThat(get(port, "/livez").body()).isEqualTo("ok: leading\n");
      assertThat(get(port, "/startupz").statusCode()).isEqualTo(503);
      assertThat(get(port, "/metrics").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void metricsServeNoProbesAndListenWhereTold() throws Exception {
    try (HealthServer metrics = HealthServer.metrics("127.0.0.1", 0, () -> "taskjob_build_info 1.0\n")) {
      int port = metrics.address().getPort();

      assertThat(metrics.address().getAddress().isLoopbackAddress()).isTrue();
      assertThat(get(port, "/metrics").body()).isEqualTo("taskjob_build_info 1.0\n");
      assertThat(get(port, "/metrics").headers().firstValue("Content-Type")).hasValueSatisfying(
          type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
      assertThat(get(port, "/livez").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void refusesOnePortForProbesAndMetrics() {
    CommandLine cli = TaskjobCli.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));

    int code = cli.execute("operator", "--metrics-port", "9000", "--health-port", "9000", "--kubeconfig", "/nonexistent");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--metrics-port 9000: must differ from --health-port");
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(CALL_BOUND).build(), HttpResponse.BodyHandlers.ofString());
  }
}
