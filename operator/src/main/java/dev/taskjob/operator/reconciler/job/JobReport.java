package dev.taskjob.operator.reconciler.job;

import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.shared.Durations;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import dev.taskjob.operator.decision.CostMeter;
import dev.taskjob.operator.metrics.OperatorMetrics;
import dev.taskjob.operator.progress.JobProgress;
import java.time.Instant;

/**
 * Counts, throughput, instances and cost into the job's status and metrics. Volatile figures are
 * written rounded (rate to a thousandth, cost to three significant digits) so a steady job's status
 * does not change at every look; the cost accrues at full precision in the job's runtime.
 */
final class JobReport {

  private final OperatorMetrics metrics;

  JobReport(OperatorMetrics metrics) {
    this.metrics = metrics;
  }

  void report(TaskJob job, TaskJobStatus status, JobRuntime runtime, JobProgress.Snapshot p, InstancePool pool,
      Instant now) {
    status.setSucceeded(p.succeeded());
    status.setFailed(p.failed());
    status.setRetried(p.retried());
    status.setDuplicates(p.duplicates());
    status.setDeadLettered(p.deadLettered());
    status.setRunning((long) p.running());
    status.setTasksPerSecond(Math.round(p.tasksPerSecond() * 1000.0) / 1000.0);
    status.setEta(p.eta() == null ? null : Durations.format(p.eta()));
    status.setFailedTaskIds(p.failedTaskIds().isEmpty() ? null : p.failedTaskIds());
    status.setMissingTaskIds(p.missingTaskIds().isEmpty() ? null : p.missingTaskIds());
    if (runtime.costAccruedAt == null) {
      // first look of this process: continue from what the status shows
      runtime.costSoFar = status.getCostSoFar() == null ? 0 : status.getCostSoFar();
    }
    double previousRate = status.getCostPerHour() == null ? 0 : status.getCostPerHour();
    runtime.costSoFar = CostMeter.accrue(runtime.costSoFar, previousRate, runtime.costAccruedAt, now);
    runtime.costAccruedAt = now;
    status.setCostSoFar(CostMeter.forStatus(runtime.costSoFar));
    if (pool != null && pool.getStatus() != null) {
      InstancePoolStatus ps = pool.getStatus();
      if (ps.getInstanceType() != null) {
        status.setInstanceType(ps.getInstanceType());
        status.setSpot(ps.getSpot());
        status.setPricePerHour(ps.getPricePerHour());
      }
      status.setInstancesRunning(orZero(ps.getRunning()));
      status.setCostPerHour(ps.getCostPerHour() == null ? 0.0 : ps.getCostPerHour());
      boolean ready = status.getInstancesDesired() != null && orZero(ps.getRunning()) >= status.getInstancesDesired();
      Conditions.set(status.getConditions(), ConditionTypes.READY, ready ? Condition.TRUE : Condition.FALSE,
          ready ? "InstancesRunning" : "InstancesStarting", orZero(ps.getRunning()) + " of "
              + status.getInstancesDesired() + " instances running", status.getObservedGeneration(), now);
    }
    if (status.getPhase() == TaskJobPhase.RUNNING || status.getPhase() == TaskJobPhase.LOADING) {
      status.setMessage(p.succeeded() + p.failed() + " of " + p.total() + " tasks finished, " + p.running()
          + " running on " + orZero(status.getInstancesRunning()) + " instances");
    }
    metrics.job(job.getMetadata().getNamespace(), job.getMetadata().getName(), new OperatorMetrics.JobFigures(
        p.total(), status.getLoaded() == null ? 0 : status.getLoaded(), p.succeeded(), p.failed(), p.retried(),
        p.duplicates(), p.running(), p.tasksPerSecond(), status.getCostPerHour() == null ? 0 : status.getCostPerHour(),
        runtime.costSoFar));
  }

  private static int orZero(Integer v) {
    return v == null ? 0 : v;
  }
}
