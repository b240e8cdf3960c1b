package dev.taskjob.operator.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.reconciler.OperatorHarness;
import dev.taskjob.operator.reconciler.TaskJobs;
import dev.taskjob.provider.local.LocalCloudProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A third of the workers see a spot interruption notice from the (fake) instance metadata service: they
 * stop taking tasks, release what they hold and exit, as a VM about to be reclaimed does; the pool
 * replaces them and the job finishes with every task succeeded once.
 */
class SpotInterruptionTest {

  private static final Logger LOG = LoggerFactory.getLogger(SpotInterruptionTest.class);
  private static final int TASKS = FaultRun.size("spotTasks", 120);

  @TempDir
  Path root;

  @Test
  void interruptedWorkersReleaseTheirTasksAndTheJobFinishesElsewhere() throws IOException {
    try (FakeSpotMetadata metadata = new FakeSpotMetadata(3, Duration.ofSeconds(2), Duration.ofSeconds(2));
        OperatorHarness harness = new OperatorHarness(withSpotNotices(FaultRun.settings("spot", root), metadata))) {
      harness.configMap("tasks", "tasks.json", TaskJobs.additionTasks(TASKS));
      harness.start();
      Path attemptsLog = root.resolve("attempts.log");
      TaskJob job = FaultRun.sleepingJob("spot", "0.5", attemptsLog);
      job.getSpec().getInstances().setSpot(true);
      harness.apply(job);

      TaskJob done = harness.awaitJob("spot", FaultRun.jobTimeout(TASKS), j -> j.getStatus() != null
          && (j.getStatus().getPhase() == TaskJobPhase.SUCCEEDED || j.getStatus().getPhase() == TaskJobPhase.FAILED));
      assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(TaskJobPhase.SUCCEEDED);
      Ledger ledger = FaultRun.ledger(harness, "spot");
      assertThat(ledger.succeeded()).isEqualTo(TASKS);
      assertThat(ledger.remaining()).isZero();
      Map<String, Integer> attempts = FaultRun.runs(attemptsLog);
      assertThat(attempts).as("every task ran").hasSize(TASKS);
      assertThat(FaultRun.attempts(attemptsLog).values()).as("a spot notice is not an attempt: every run was attempt 1")
          .containsOnly(1);
      assertThat(metadata.interrupted()).as("workers interrupted").isGreaterThanOrEqualTo(1);
      assertThat(FaultRun.allInstances(root)).as("each interrupted worker was replaced")
          .hasSizeGreaterThanOrEqualTo(2 + metadata.interrupted() - 1);
      LOG.info("spot: {} workers, {} interrupted, {} tasks ran more than once, {} duplicates", metadata.workers(),
          metadata.interrupted(), attempts.values().stream().filter(a -> a >= 2).count(), ledger.duplicates());
      FaultRun.record("spot interruption for 1 in 3 workers", metadata.interrupted(), TASKS, ledger.remaining(),
          ledger.duplicates(), FaultRun.liveInstances(root).size() + FaultRun.liveWorkers().size());
      assertThat(FaultRun.liveInstances(root)).isEmpty();
      assertThat(FaultRun.liveWorkers()).isEmpty();
    }
  }

  /**
   * Workers that poll the fake metadata endpoint for spot notices. On a VM the worker finds its
   * metadata service in its surroundings; TASKJOB_* names are refused in a job's env, so the local
   * workers get them from their start command, as a VM's image would set them.
   */
  private static OperatorSettings withSpotNotices(OperatorSettings settings, FakeSpotMetadata metadata)
      throws IOException {
    List<String> command = new ArrayList<>(List.of("/usr/bin/env", "TASKJOB_PREEMPTION_CHECK=aws",
        "TASKJOB_METADATA_URL=" + metadata.url(), "TASKJOB_PREEMPTION_POLL_INTERVAL=1",
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(LocalCloudProvider.WORKER_JVM_FLAGS);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), LocalCloudProvider.WORKER_MAIN_CLASS));
    Map<String, String> properties = new HashMap<>(settings.providerProperties());
    properties.put(ProviderConfig.Keys.LOCAL_WORKER_COMMAND, new ObjectMapper().writeValueAsString(command));
    return settings.withProviderProperties(properties);
  }
}
