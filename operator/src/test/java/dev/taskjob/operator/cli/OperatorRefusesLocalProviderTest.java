package dev.taskjob.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.operator.local.EmbeddedApiServer;
import dev.taskjob.operator.reconciler.OperatorHarness;
import dev.taskjob.operator.reconciler.TaskJobs;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The real {@code taskjob operator} command, whose image also carries the local provider: a TaskJob
 * with {@code provider: local} is refused with a condition naming the field, and no worker process,
 * queue or instance directory appears.
 */
class OperatorRefusesLocalProviderTest {

  @Test
  void aRunningOperatorRefusesProviderLocalAndStartsNoProcess(@TempDir Path dir) throws Exception {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(List.of()), false);
    server.init();
    Path localRoot = dir.resolve("local-root");
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
      CommandLine cli = TaskjobCli.commandLine();
      OperatorCommand command = cli.getSubcommands().get("operator").getCommand();
      ExecutorService runner = Executors.newSingleThreadExecutor();
      Future<Integer> exit = runner.submit(() -> cli.execute("operator", "--kubeconfig", kubeconfig.toString(),
          "--cluster-id", "test-cluster", "--no-leader-election", "--health-port", Integer.toString(freePort()),
          "--metrics-port", Integer.toString(freePort()), "--bind-address", "127.0.0.1",
          "--provider-property", "local.root=" + localRoot, "--resync-interval", "1s"));
      try {
        client.configMaps().inNamespace(OperatorHarness.NAMESPACE).resource(new ConfigMapBuilder().withNewMetadata()
            .withName("tasks").endMetadata().addToData("tasks.json", TaskJobs.additionTasks(2)).build()).create();
        TaskJob job = TaskJobs.fromConfigMap("print-env", "tasks", "tasks.json", List.of("sh", "-c", "env"));
        job.getMetadata().setNamespace(OperatorHarness.NAMESPACE);
        client.resource(job).create();

        TaskJob seen = OperatorHarness.await(OperatorHarness.PATIENCE,
            () -> client.resources(TaskJob.class).inNamespace(OperatorHarness.NAMESPACE).withName("print-env").get(),
            j -> j.getStatus() != null && j.getStatus().getPhase() == TaskJobPhase.FAILED, "refused TaskJob");
        Condition accepted = Conditions.find(seen.getStatus().getConditions(), ConditionTypes.ACCEPTED).orElseThrow();
        assertThat(accepted.getReason()).isEqualTo("ProviderNotAllowed");
        assertThat(accepted.getMessage()).startsWith("spec.provider: Forbidden: provider 'local'");
        assertThat(seen.getStatus().getQueueName()).isNull();
        assertThat(localRoot).as("no local queue or instance").doesNotExist();
        try (Stream<ProcessHandle> children = ProcessHandle.current().descendants()) {
          assertThat(children.map(p -> p.info().commandLine().orElse("")))
              .noneMatch(line -> line.contains("WorkerMain"));
        }
      } finally {
        command.stop();
        runner.shutdown();
      }
      assertThat(exit.get()).isZero();
    } finally {
      server.destroy();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
