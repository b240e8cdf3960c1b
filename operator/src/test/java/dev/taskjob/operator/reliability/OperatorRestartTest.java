package dev.taskjob.operator.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.reconciler.OperatorHarness;
import dev.taskjob.operator.reconciler.TaskJobs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process operator is closed abruptly at random points of a local job and a new one is started
 * against the same API server and local root, as a crashed or rescheduled operator pod would be.
 * Real worker processes keep running meanwhile; the job must still finish with every task counted once.
 */
class OperatorRestartTest {

  private static final Logger LOG = LoggerFactory.getLogger(OperatorRestartTest.class);
  private static final int TASKS = FaultRun.size("restartTasks", 300);
  private static final int RESTARTS = FaultRun.size("operatorKills", 3);

  @TempDir
  Path root;

  @Test
  void jobFinishesWithEveryTaskCountedOnceAcrossOperatorRestarts() {
    long seed = Long.getLong("taskjob.faultSeed", System.nanoTime());
    LOG.info("fault seed {}", seed);
    Random random = new Random(seed);
    try (OperatorHarness harness = new OperatorHarness(FaultRun.settings("restarts", root))) {
      harness.configMap("tasks", "tasks.json", TaskJobs.additionTasks(TASKS));
      harness.start();
      harness.apply(shortTasksJob("restarts"));

      for (int i = 0; i < RESTARTS; i++) {
        // spread the kills over the job: a quick run's job lasts ~20 s, a long run's several minutes
        sleep(Duration.ofMillis(500 + random.nextInt(Math.max(2500, TASKS * 60 / RESTARTS))));
        TaskJob seen = harness.job("restarts");
        LOG.info("closing the operator (restart {}), phase {}, succeeded {}", i + 1,
            seen.getStatus() == null ? null : seen.getStatus().getPhase(),
            seen.getStatus() == null ? null : seen.getStatus().getSucceeded());
        harness.stop();
        harness.start();
      }

      TaskJob done = harness.awaitJob("restarts", FaultRun.jobTimeout(TASKS), j -> j.getStatus() != null
          && (j.getStatus().getPhase() == TaskJobPhase.SUCCEEDED || j.getStatus().getPhase() == TaskJobPhase.FAILED));
      assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(TaskJobPhase.SUCCEEDED);
      Ledger ledger = FaultRun.ledger(harness, "restarts");
      assertThat(ledger.total()).isEqualTo(TASKS);
      assertThat(ledger.succeeded() + ledger.failed()).isEqualTo(TASKS);
      assertThat(ledger.remaining()).isZero();
      assertThat(done.getStatus().getSucceeded()).isEqualTo(ledger.succeeded());
      assertThat(done.getStatus().getDuplicates()).isEqualTo(ledger.duplicates());
      LOG.info("restarts: {} succeeded, {} duplicates, {} retried", ledger.succeeded(), ledger.duplicates(),
          ledger.retried());
      FaultRun.record("operator restarted", RESTARTS, TASKS, ledger.remaining(), ledger.duplicates(),
          FaultRun.liveInstances(root).size() + FaultRun.liveWorkers().size());
      assertThat(FaultRun.liveInstances(root)).isEmpty();
      assertThat(FaultRun.liveWorkers()).isEmpty();
    }
  }

  static TaskJob shortTasksJob(String name) {
    TaskJob job = TaskJobs.fromConfigMap(name, "tasks", "tasks.json", List.of("sh", "-c", "sleep 0.05"));
    job.getSpec().getWorker().setSimultaneousTasks(4);
    job.getSpec().getWorker().setCpusPerTask(0.25);
    job.getSpec().setTerminationDelay("2s");
    return job;
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
