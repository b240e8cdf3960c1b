package dev.taskjob.operator.report;

import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import java.time.Instant;

/**
 * A job's counts at one moment, as its status and its InstancePool's status showed them: the points the
 * report's charts are drawn through.
 */
public record TimelineSample(Instant at, long tasksRunning, long tasksSucceeded, long tasksFailed,
    int instancesPending, int instancesRunning, int instancesTerminating, double costSoFar) {

  /** The sample the two statuses describe; a missing status or field counts as zero. */
  public static TimelineSample of(Instant at, TaskJobStatus job, InstancePoolStatus pool) {
    TaskJobStatus j = job == null ? new TaskJobStatus() : job;
    InstancePoolStatus p = pool == null ? new InstancePoolStatus() : pool;
    int running = p.getRunning() != null ? p.getRunning()
        : j.getInstancesRunning() == null ? 0 : j.getInstancesRunning();
    return new TimelineSample(at, orZero(j.getRunning()), orZero(j.getSucceeded()), orZero(j.getFailed()),
        p.getPending() == null ? 0 : p.getPending(), running,
        p.getTerminating() == null ? 0 : p.getTerminating(),
        j.getCostSoFar() == null ? 0.0 : j.getCostSoFar());
  }

  /** Whether every count equals {@code other}'s (the time aside). */
  boolean sameCounts(TimelineSample other) {
    return tasksRunning == other.tasksRunning && tasksSucceeded == other.tasksSucceeded
        && tasksFailed == other.tasksFailed && instancesPending == other.instancesPending
        && instancesRunning == other.instancesRunning && instancesTerminating == other.instancesTerminating
        && costSoFar == other.costSoFar;
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }
}
