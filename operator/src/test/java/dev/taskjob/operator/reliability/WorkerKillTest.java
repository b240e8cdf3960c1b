package dev.taskjob.operator.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.reconciler.OperatorHarness;
import dev.taskjob.operator.reconciler.TaskJobs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local instances (real worker processes) are killed with SIGKILL while they hold leased tasks: the
 * pool starts replacements, the dead workers' tasks return to the queue when their lease lapses and
 * run elsewhere, and the ledger ends with every task finished.
 */
class WorkerKillTest {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerKillTest.class);
  // One kill in a plain build: it lands on one of the first two workers, 1-3 s after they are busy, with
  // at least 10 s of work left, so it cannot miss the job however slow the machine. A second kill would
  // have to wait for a replacement worker to boot and take tasks, a race with the end of the work that a
  // loaded machine can lose. The long run (reliability profile) asks for more kills on a larger job.
  private static final int TASKS = FaultRun.size("workerKillTasks", 80);
  private static final int KILLS = FaultRun.size("workerKills", 1);

  @TempDir
  Path root;

  @Test
  void killedWorkersAreReplacedAndTheirTasksRunElsewhere() {
    long seed = Long.getLong("taskjob.faultSeed", System.nanoTime());
    LOG.info("fault seed {}", seed);
    Random random = new Random(seed);
    try (OperatorHarness harness = new OperatorHarness(FaultRun.settings("kills", root))) {
      harness.configMap("tasks", "tasks.json", TaskJobs.additionTasks(TASKS));
      harness.start();
      Path attemptsLog = root.resolve("attempts.log");
      // 1 s tasks: at least 10 s of work on the first two workers' eight slots
      TaskJob job = FaultRun.sleepingJob("kills", "1", attemptsLog);
      harness.apply(job);

      Set<Long> seen = new HashSet<>();
      int killed = WorkerKills.killAtRandom(harness, "kills", KILLS, random, seen);
      assertThat(killed).as("workers killed while the job ran").isEqualTo(KILLS);

      TaskJob done = harness.awaitJob("kills", FaultRun.jobTimeout(TASKS).plusSeconds(40L * KILLS), j -> j.getStatus() != null
          && (j.getStatus().getPhase() == TaskJobPhase.SUCCEEDED || j.getStatus().getPhase() == TaskJobPhase.FAILED));
      assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(TaskJobPhase.SUCCEEDED);
      Ledger ledger = FaultRun.ledger(harness, "kills");
      assertThat(ledger.succeeded()).isEqualTo(TASKS);
      assertThat(ledger.remaining()).isZero();
      Map<String, Integer> attempts = FaultRun.runs(attemptsLog);
      assertThat(attempts).as("every task ran").hasSize(TASKS);
      assertThat(attempts.values()).as("tasks leased by killed workers ran again after their lease")
          .anyMatch(a -> a >= 2);
      assertThat(FaultRun.attempts(attemptsLog).values()).as("a lost VM is not an attempt: every run was attempt 1")
          .containsOnly(1);
      assertThat(FaultRun.allInstances(root)).as("instances: the first two and one replacement per kill")
          .hasSizeGreaterThanOrEqualTo(2 + KILLS);
      LOG.info("kills: {} succeeded, {} duplicates, {} retried, {} instances", ledger.succeeded(),
          ledger.duplicates(), ledger.retried(), FaultRun.allInstances(root).size());
      LOG.info("kills: {} tasks ran more than once", attempts.values().stream().filter(a -> a >= 2).count());
      FaultRun.record("workers SIGKILLed", KILLS, TASKS, ledger.remaining(), ledger.duplicates(),
          FaultRun.liveInstances(root).size() + FaultRun.liveWorkers().size());
      assertThat(FaultRun.liveInstances(root)).isEmpty();
      assertThat(FaultRun.liveWorkers()).isEmpty();
    }
  }
}
