package dev.taskjob.operator.reliability;

import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.operator.reconciler.OperatorHarness;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SIGKILLs running worker processes of a job at random moments, waiting for a replacement after each. */
final class WorkerKills {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerKills.class);

  private WorkerKills() {}

  /**
   * Kills up to {@code kills} workers at random moments (1-3 seconds apart), each while it runs tasks (so it
   * has reported and holds leases), waiting after each kill for a replacement to run tasks.
   *
   * @param seen pids already seen (a new pid is a replacement)
   * @return how many were killed (fewer if the job ran out of work first)
   */
  static int killAtRandom(OperatorHarness harness, String jobName, int kills, Random random, Set<Long> seen) {
    int killed = 0;
    while (killed < kills && stillRunning(harness, jobName)) {
      List<ProcessHandle> busy = awaitBusyWorkers(harness, jobName, seen);
      if (busy.isEmpty()) {
        break;
      }
      OperatorRestartTest.sleep(Duration.ofMillis(1000 + random.nextInt(2000)));
      ProcessHandle victim = busy.get(random.nextInt(busy.size()));
      if (!victim.isAlive() || !stillRunning(harness, jobName)) {
        continue;
      }
      victim.destroyForcibly(); // SIGKILL: no chance to release its leased tasks
      killed++;
      LOG.info("killed worker pid {} ({} of {})", victim.pid(), killed, kills);
    }
    return killed;
  }

  /**
   * Waits (bounded) until some worker not seen before runs tasks; returns every worker running tasks,
   * or nothing if the job stopped running first.
   */
  private static List<ProcessHandle> awaitBusyWorkers(OperatorHarness harness, String jobName, Set<Long> seen) {
    // a bound, not an expectation: on a loaded machine the operator alone took three minutes to start a job
    long deadline = System.nanoTime() + FaultRun.WORKER_STARTUP_TIMEOUT.plusMinutes(1).toNanos();
    while (System.nanoTime() < deadline && stillRunning(harness, jobName)) {
      List<ProcessHandle> busy = FaultRun.liveWorkers().stream()
          .filter(p -> p.children().findAny().isPresent())
          .toList();
      if (busy.stream().anyMatch(p -> !seen.contains(p.pid()))) {
        busy.forEach(p -> seen.add(p.pid()));
        return busy;
      }
      OperatorRestartTest.sleep(Duration.ofMillis(100));
    }
    return List.of();
  }

  static boolean stillRunning(OperatorHarness harness, String jobName) {
    TaskJob job = harness.job(jobName);
    TaskJobPhase phase = job == null || job.getStatus() == null ? null : job.getStatus().getPhase();
    return phase == null || phase == TaskJobPhase.PENDING || phase == TaskJobPhase.LOADING
        || phase == TaskJobPhase.RUNNING;
  }
}
