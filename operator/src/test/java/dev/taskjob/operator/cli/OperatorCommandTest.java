package dev.taskjob.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.operator.local.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.StringWriter;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code taskjob operator} against an API server given by kubeconfig: it takes the leader Lease,
 * answers its probes and serves metrics. The API server is fabric8's CRUD mock; the mock has no
 * authorization API, so a small dispatcher in front answers the SelfSubjectRulesReview that JOSDK's
 * leader election sends first, granting the Lease verbs.
 */
class OperatorCommandTest {

  // bounds, not expectations: on a loaded machine one loopback call took longer than 5 s and the operator's start
  // longer than a minute
  private static final Duration CALL_BOUND = Duration.ofMinutes(2);
  private static final Duration START_BOUND = Duration.ofMinutes(5);

  @Test
  void takesTheLeaseAndServesProbesAndMetrics(@TempDir Path dir) throws Exception {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new RulesReviewDispatcher(new KubernetesCrudDispatcher(List.of())), false);
    server.init();
    try (KubernetesClient client = server.createClient()) {
      for (CustomResourceDefinition crd : EmbeddedApiServer.bundledCrds()) {
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      }
      Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), """
          apiVersion: v1
          kind: Config
          clusters: [{name: mock, cluster: {server: "http://%s:%d"}}]
          users: [{name: mock, user: {}}]
          contexts: [{name: mock, context: {cluster: mock, user: mock, namespace: default}}]
          current-context: mock
          """.formatted(server.getHostName(), server.getPort()));
      int health = freePort();
      int metrics = freePort();
      CommandLine cli = TaskjobCli.commandLine();
      OperatorCommand command = cli.getSubcommands().get("operator").getCommand();
      ExecutorService runner = Executors.newSingleThreadExecutor();
      Future<Integer> exit = runner.submit(() -> cli.execute("operator", "--kubeconfig", kubeconfig.toString(),
          "--cluster-id", "test-cluster", "--lease-namespace", "default", "--health-port", Integer.toString(health),
          "--metrics-port", Integer.toString(metrics), "--bind-address", "127.0.0.1", "-n", "default,team-a"));
      try {
        HttpClient http = HttpClient.newHttpClient();
        awaitBody(http, health, "/readyz", "ok");
        assertThat(get(http, health, "/startupz").statusCode()).isEqualTo(200);
        awaitBody(http, health, "/livez", "ok: leading");
        Lease lease = client.leases().inNamespace("default").withName("taskjob-operator").get();
        assertThat(lease.getSpec().getHolderIdentity()).isNotBlank();
        HttpResponse<String> scrape = get(http, metrics, "/metrics");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("jvm_memory_used_bytes").contains("operator_sdk_");
      } finally {
        command.stop();
        runner.shutdown();
      }
      assertThat(exit.get()).isZero();
    } finally {
      server.destroy();
    }
  }

  @Test
  void refusesAnInvalidClusterIdNamingTheOption() {
    CommandLine cli = TaskjobCli.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    int code = cli.execute("operator", "--cluster-id", "Not Valid", "--kubeconfig", "/nonexistent");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--cluster-id 'Not Valid': use 1-63 lower-case letters");
  }

  /** Grants every verb on Leases to the SelfSubjectRulesReview JOSDK sends; the rest goes to CRUD. */
  private static final class RulesReviewDispatcher extends Dispatcher {
    private final Dispatcher crud;

    RulesReviewDispatcher(Dispatcher crud) {
      this.crud = crud;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      if ("POST".equals(request.getMethod()) && request.getPath().contains("/selfsubjectrulesreviews")) {
        return new MockResponse().setResponseCode(201).setBody("""
            {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","spec":{},
             "status":{"incomplete":false,"resourceRules":[{"apiGroups":["coordination.k8s.io"],
             "resources":["leases"],"verbs":["get","list","watch","create","update","patch"]}]}}""");
      }
      return crud.dispatch(request);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(CALL_BOUND).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void awaitBody(HttpClient http, int port, String path, String text) throws Exception {
    Instant deadline = Instant.now().plus(START_BOUND);
    String last = null;
    while (Instant.now().isBefore(deadline)) {
      try {
        last = get(http, port, path).body();
        if (last.contains(text)) {
          return;
        }
      } catch (IOException notListeningYet) {
        last = notListeningYet.toString();
      }
      Thread.sleep(200);
    }
    throw new AssertionError(path + " never said '" + text + "'; last: " + last);
  }
}
