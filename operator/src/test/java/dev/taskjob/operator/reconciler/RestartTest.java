package dev.taskjob.operator.reconciler;

import dev.taskjob.operator.reconciler.job.LedgerStore;
import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.operator.reliability.FaultRun;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.provider.local.LocalCloudProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator is stopped and started again at each stage of a job: while loading, while running, while
 * draining. Workers (real processes) go on meanwhile. Each job still finishes with every task counted
 * exactly once in succeeded, duplicates reported apart, and no instance left.
 */
class RestartTest {

  // a bound, not an expectation: 3,000 task processes on a loaded machine took longer than 4 minutes
  private static final Duration FINISH = Duration.ofMinutes(10);

  @TempDir
  Path root;

  private OperatorHarness harness(String cluster, ProviderModule local) {
    return new OperatorHarness(FaultRun.settings(cluster, root), Map.of("local", local));
  }

  private static TaskJob job(String name, long tasks) {
    TaskJob job = TaskJobs.generated(name, tasks, List.of("true"));
    job.getSpec().getWorker().setSimultaneousTasks(4);
    job.getSpec().getWorker().setCpusPerTask(0.25);
    job.getSpec().getInstances().setMaxInstances(2);
    return job;
  }

  /** Runs a job, restarts the operator once when {@code when} holds, and checks the outcome. */
  private Ledger restartWhen(String name, long tasks, Duration sendDelay, Predicate<TaskJob> when) throws Exception {
    return restartWhen(name, tasks, new SlowSendingQueues(Providers.get("local"), sendDelay), when, () -> { });
  }

  /**
   * Runs a job on {@code local}, restarts the operator once when {@code when} holds, calls
   * {@code afterRestart}, and checks the outcome.
   */
  private Ledger restartWhen(String name, long tasks, ProviderModule local, Predicate<TaskJob> when,
      Runnable afterRestart) throws Exception {
    try (OperatorHarness harness = harness("restart-" + name, local)) {
      harness.start();
      harness.apply(job(name, tasks));
      TaskJob before = harness.awaitJob(name, FINISH, j -> j.getStatus() != null
          && (when.test(j) || j.getStatus().getPhase() != null && j.getStatus().getPhase().isFinished()));
      assertThat(before.getStatus().getPhase().isFinished()).as("finished before the restart point: "
          + before.getStatus().getMessage()).isFalse();
      harness.stop();
      harness.start();
      afterRestart.run();
      TaskJob done = harness.awaitJob(name, FINISH, j -> j.getStatus() != null && j.getStatus().getPhase().isFinished());

      assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(TaskJobPhase.SUCCEEDED);
      Ledger ledger = new LedgerStore(harness.client).load(done).orElseThrow().ledger();
      assertThat(ledger.succeeded()).isEqualTo(tasks);
      assertThat(ledger.remaining()).isZero();
      assertThat(done.getStatus().getSucceeded()).isEqualTo(tasks);
      assertThat(done.getStatus().getFailed()).isZero();
      assertThat(done.getStatus().getDuplicates()).isEqualTo(ledger.duplicates());
      assertThat(liveInstances()).isEmpty();
      assertThat(Files.exists(root.resolve("queues").resolve(done.getStatus().getQueueName()))).isFalse();
      return ledger;
    }
  }

  @Test
  void restartMidLoadResumesFromTheCheckpoint() throws Exception {
    // 3 batches of 1,000. The first is sent and checkpointed; the others are held until after the restart, so the
    // restart lands between checkpoints however fast or slow the machine is.
    HeldLoading local = new HeldLoading(Providers.get("local"));
    Ledger ledger = restartWhen("mid-load", 3_000, local, j ->
        j.getStatus().getPhase() == TaskJobPhase.LOADING && j.getStatus().getLoaded() != null
            && j.getStatus().getLoaded() > 0, local::release);
    assertThat(local.firstBatchSends()).as("the restarted load resumed from its checkpoint, not from the start")
        .isEqualTo(1);
    // At most the loader's in-flight window (2 batches) was sent again; each ran twice at most.
    assertThat(ledger.duplicates()).isBetween(0L, 2_000L);
  }

  @Test
  void restartMidRunCountsNoEventTwice() throws Exception {
    Ledger ledger = restartWhen("mid-run", 200, Duration.ZERO, j ->
        j.getStatus().getSucceeded() != null && j.getStatus().getSucceeded() >= 40);
    assertThat(ledger.duplicates()).isZero();
  }

  @Test
  void restartMidDrainFinishesTheDrain() throws Exception {
    // The drain's terminations are held until after the restart: however quick the drain would be, the
    // test sees the job Draining and the restart lands inside it.
    HeldTerminations local = new HeldTerminations(Providers.get("local"));
    Ledger ledger = restartWhen("mid-drain", 100, local, j -> j.getStatus().getPhase() == TaskJobPhase.DRAINING,
        local::release);
    assertThat(ledger.duplicates()).isZero();
  }

  private List<dev.taskjob.core.cloud.Instance> liveInstances() {
    LocalCloudProvider cloud = new LocalCloudProvider(new ProviderConfig("local", null, List.of(),
        Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString())));
    return cloud.list(Map.of()).stream().filter(i -> i.state() != InstanceState.TERMINATED).toList();
  }
}
