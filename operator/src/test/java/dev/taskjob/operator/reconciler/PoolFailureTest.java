package dev.taskjob.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolPhase;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.core.task.TaskGenerator;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.ledger.LedgerCodec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import dev.taskjob.provider.local.LocalCloudProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Instances whose worker never reports (a broken image or startup script, played here by local
 * instances that run {@code sleep} instead of the worker) are replaced a bounded number of times, then
 * the pool gives up with a clear reason and the job fails, instead of paying for VMs that never work.
 */
class PoolFailureTest {

  // a bound, not an expectation: each VM here is a process, and the second case's a JVM, which a loaded machine
  // took more than a minute to start
  private static final Duration FINISH = Duration.ofMinutes(10);

  @Test
  void stopsReplacingAndFailsWhenWorkersNeverStart(@TempDir Path root) throws Exception {
    OperatorSettings settings = OperatorSettings.defaults("never-started").fast()
        .withProviderProperties(Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString(),
            ProviderConfig.Keys.LOCAL_WORKER_COMMAND, "[\"sleep\", \"300\"]"))
        .withWorkerTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(30))
        .withNeverStartedLimit(2);
    try (OperatorHarness harness = new OperatorHarness(settings)) {
      harness.start();
      TaskJob job = TaskJobs.generated("broken-image", 20, List.of("true"));
      job.getSpec().getInstances().setMaxInstances(1);
      harness.apply(job);

      TaskJob done = harness.awaitJob("broken-image", FINISH,
          j -> j.getStatus() != null && j.getStatus().getPhase().isFinished());

      assertThat(done.getStatus().getPhase()).isEqualTo(TaskJobPhase.FAILED);
      var failed = Conditions.find(done.getStatus().getConditions(), ConditionTypes.FAILED).orElseThrow();
      assertThat(failed.getReason()).isEqualTo("WorkersNeverStarted");
      assertThat(failed.getMessage()).contains("workers never started").contains("check the image/startup script");
      // no task ran: the job names every one it has no result for, in its status and its ledger
      List<String> ids = LongStream.range(0, 20).mapToObj(i -> new TaskGenerator(null, 20L, Map.of()).task(i).id())
          .toList();
      assertThat(done.getStatus().getMissingTaskIds()).containsExactlyElementsOf(ids);
      ConfigMap ledgerMap = harness.client.configMaps().inNamespace(done.getMetadata().getNamespace())
          .withName(done.getStatus().getLedgerConfigMap()).get();
      Map<String, byte[]> binary = new HashMap<>();
      ledgerMap.getBinaryData().forEach((k, v) -> binary.put(k, Base64.getDecoder().decode(v)));
      assertThat(LedgerCodec.decode(binary).missingTasks()).extracting(Ledger.MissingTask::id)
          .containsExactlyElementsOf(ids);
      InstancePool pool = harness.pool("broken-image");
      assertThat(pool.getStatus().getPhase()).isEqualTo(InstancePoolPhase.FAILED);
      assertThat(pool.getStatus().getReplacements()).isEqualTo(2);
      LocalCloudProvider cloud = new LocalCloudProvider(new ProviderConfig("local", null, List.of(),
          Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString())));
      assertThat(cloud.list(Map.of())).hasSize(2).allSatisfy(i -> assertThat(i.state()).isEqualTo(InstanceState.TERMINATED));
      assertThat(Files.exists(root.resolve("queues").resolve(done.getStatus().getQueueName()))).isFalse();
    }
  }

  @Test
  void aWorkerThatCannotRunTheJobsImageFailsThePoolAtOnceWithItsReason(@TempDir Path root) throws Exception {
    // What a VM's startup script does when the job's image has no glibc: the worker reports it and runs nothing.
    String worker = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(List.of("/usr/bin/env",
        "TASKJOB_STARTUP_FAILURE=image python:3.12-alpine has no glibc (/lib64/ld-linux-x86-64.so.2 is missing)",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), LocalCloudProvider.WORKER_MAIN_CLASS));
    OperatorSettings settings = OperatorSettings.defaults("refused-image").fast()
        .withProviderProperties(Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString(),
            ProviderConfig.Keys.LOCAL_WORKER_COMMAND, worker))
        // no VM is ever timed out within FINISH: only the worker's own report can fail the pool
        .withWorkerTimeouts(Duration.ofHours(1), Duration.ofHours(1))
        .withNeverStartedLimit(5);
    try (OperatorHarness harness = new OperatorHarness(settings)) {
      harness.start();
      TaskJob job = TaskJobs.generated("alpine-image", 20, List.of("true"));
      job.getSpec().getInstances().setMaxInstances(1);
      harness.apply(job);

      TaskJob done = harness.awaitJob("alpine-image", FINISH,
          j -> j.getStatus() != null && j.getStatus().getPhase().isFinished());

      assertThat(done.getStatus().getPhase()).isEqualTo(TaskJobPhase.FAILED);
      var failed = Conditions.find(done.getStatus().getConditions(), ConditionTypes.FAILED).orElseThrow();
      assertThat(failed.getReason()).isEqualTo("WorkerStartupFailed");
      assertThat(failed.getMessage()).contains(
          "could not start: image python:3.12-alpine has no glibc (/lib64/ld-linux-x86-64.so.2 is missing)");
      Long replacements = harness.pool("alpine-image").getStatus().getReplacements();
      assertThat(replacements == null ? 0 : replacements).as("VMs replaced before the pool failed")
          .isLessThan(5);
      LocalCloudProvider cloud = new LocalCloudProvider(new ProviderConfig("local", null, List.of(),
          Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString())));
      assertThat(cloud.list(Map.of())).allSatisfy(i -> assertThat(i.state()).isEqualTo(InstanceState.TERMINATED));
    }
  }
}
