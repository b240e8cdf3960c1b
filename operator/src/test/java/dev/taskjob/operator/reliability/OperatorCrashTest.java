package dev.taskjob.operator.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.reconciler.OperatorHarness;
import dev.taskjob.operator.reconciler.TaskJobs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator is killed at pseudo-random points of a local job and a new one is started against the
 * same API server and local root. Unlike {@link OperatorRestartTest}, which stops it as a rolling
 * update does (the final ledger save lands), the operator's writes are cut off before it stops, so
 * nothing it does on its way down reaches the cluster, as with SIGKILL or the OOM killer: events read
 * since the last ledger save are neither saved nor acknowledged and must be read again. Real worker
 * processes keep running meanwhile. The job must still finish with every task final exactly once in
 * the ledger, duplicates counted, and no instance left.
 */
class OperatorCrashTest {

  private static final Logger LOG = LoggerFactory.getLogger(OperatorCrashTest.class);
  private static final int TASKS = FaultRun.size("crashTasks", 200);
  private static final int CRASHES = FaultRun.size("operatorCrashes", 2);
  /**
   * The local queue's event lease here, shortened from its default minute: the events a killed operator read come
   * back after it, and the job waits for them, so a minute was most of this test's wall time
   * ({@code -Dtaskjob.reliability.eventLeaseSeconds=60} runs it as before).
   */
  private static final Duration EVENT_LEASE = Duration.ofSeconds(Long.getLong("taskjob.reliability.eventLeaseSeconds", 20));

  @TempDir
  Path root;

  @Test
  void jobFinishesWithEveryTaskFinalOnceAcrossOperatorKills() {
    long seed = Long.getLong("taskjob.faultSeed", System.nanoTime());
    LOG.info("fault seed {}", seed);
    Random random = new Random(seed);
    // Kill points as counts of finished tasks, spread over the first nine tenths of the job (0: while loading).
    int[] killAt = random.ints(CRASHES, 0, Math.max(1, TASKS * 9 / 10)).sorted().toArray();
    LOG.info("killing the operator when the job reports these many tasks finished: {}", Arrays.toString(killAt));
    ApiServerFaults[] faults = new ApiServerFaults[1];
    OperatorSettings settings = FaultRun.settings("crashes", root);
    Map<String, String> properties = new HashMap<>(settings.providerProperties());
    properties.put(ProviderConfig.Keys.LOCAL_EVENT_LEASE_SECONDS, Long.toString(EVENT_LEASE.toSeconds()));
    try (OperatorHarness harness = new OperatorHarness(settings.withProviderProperties(properties), Providers.available(),
        crud -> faults[0] = new ApiServerFaults(crud, 0))) {
      harness.configMap("tasks", "tasks.json", TaskJobs.additionTasks(TASKS));
      harness.start();
      TaskJob job = OperatorRestartTest.shortTasksJob("crashes");
      // Events a killed operator read but never acknowledged stay invisible for their lease: the queue-empty
      // fallback must wait longer than that, or it drains without them (1.5 times the lease, as with the default
      // minute's 90 s).
      job.getSpec().setTerminationDelay(EVENT_LEASE.multipliedBy(3).dividedBy(2).toSeconds() + "s");
      harness.apply(job);

      int kills = 0;
      for (int point : killAt) {
        TaskJob seen = harness.awaitJob("crashes", FaultRun.jobTimeout(TASKS), j -> finished(j) || done(j) >= point);
        if (finished(seen)) {
          break;
        }
        // land anywhere inside a reconcile, a ledger save or a load slice, not just right after a status change
        OperatorRestartTest.sleep(Duration.ofMillis(random.nextInt(1000)));
        seen = harness.job("crashes");
        LOG.info("killing the operator ({} of {}): phase {}, {} tasks finished", kills + 1, CRASHES,
            seen.getStatus() == null ? null : seen.getStatus().getPhase(), done(seen));
        faults[0].cutOff(true);
        harness.stop();
        faults[0].cutOff(false);
        kills++;
        harness.start();
      }

      TaskJob done = harness.awaitJob("crashes", FaultRun.jobTimeout(TASKS), OperatorCrashTest::finished);
      assertThat(kills).as("operator kills before the job finished").isEqualTo(CRASHES);
      assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(TaskJobPhase.SUCCEEDED);
      Ledger ledger = FaultRun.ledger(harness, "crashes");
      assertThat(ledger.total()).isEqualTo(TASKS);
      assertThat(ledger.succeeded()).isEqualTo(TASKS);
      assertThat(ledger.failed()).isZero();
      assertThat(ledger.remaining()).isZero();
      assertThat(done.getStatus().getSucceeded()).isEqualTo(ledger.succeeded());
      assertThat(done.getStatus().getFailed()).isEqualTo(ledger.failed());
      assertThat(done.getStatus().getDuplicates()).isEqualTo(ledger.duplicates());
      LOG.info("crashes: {} succeeded, {} duplicates, {} retried; {} operator writes refused while killing",
          ledger.succeeded(), ledger.duplicates(), ledger.retried(), faults[0].refused());
      FaultRun.record("operator killed (no final save)", kills, TASKS, ledger.remaining(), ledger.duplicates(),
          FaultRun.liveInstances(root).size() + FaultRun.liveWorkers().size());
      assertThat(FaultRun.liveInstances(root)).isEmpty();
      assertThat(FaultRun.liveWorkers()).isEmpty();
    }
  }

  private static boolean finished(TaskJob job) {
    return job.getStatus() != null && job.getStatus().getPhase() != null && job.getStatus().getPhase().isFinished();
  }

  private static long done(TaskJob job) {
    if (job.getStatus() == null) {
      return 0;
    }
    return (job.getStatus().getSucceeded() == null ? 0 : job.getStatus().getSucceeded())
        + (job.getStatus().getFailed() == null ? 0 : job.getStatus().getFailed());
  }
}
