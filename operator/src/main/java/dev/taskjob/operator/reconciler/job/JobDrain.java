package dev.taskjob.operator.reconciler.job;

import dev.taskjob.core.queue.QueueDepth;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.shared.Durations;
import dev.taskjob.crds.v1alpha1.taskjob.CleanupPolicy;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import dev.taskjob.operator.decision.DrainDecision;
import dev.taskjob.operator.decision.JobTransitions;
import dev.taskjob.operator.progress.JobProgress;
import dev.taskjob.operator.tasks.JobTasks;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a job, in its safety order: decide to drain; scale the pool to zero; wait until the cloud
 * confirms every VM gone and then every disk of them deleted (the pool's status); only then delete the
 * queues and finish; delete the job when its {@code ttlSecondsAfterFinished} has passed.
 */
final class JobDrain {

  private static final Logger LOG = LoggerFactory.getLogger(JobDrain.class);

  private final JobServices services;
  private final JobRuntimes runtimes;
  private final JobPools pools;
  private final JobReport report;

  JobDrain(JobServices services, JobRuntimes runtimes, JobPools pools, JobReport report) {
    this.services = services;
    this.runtimes = runtimes;
    this.pools = pools;
    this.report = report;
  }

  /** Starts the drain when every task is final, or when the queue stayed empty and silent long enough. */
  void decide(TaskJob job, TaskJobSpec spec, TaskJobStatus status, JobRuntime runtime, JobProgress.Snapshot progress,
      Instant now) {
    long waiting = -1;
    long leased = -1;
    long deadLettered = -1;
    if (!progress.allFinished()) {
      QueueDepth depth = runtime.queue.depth();
      waiting = depth.waiting();
      leased = depth.leased();
      deadLettered = depth.deadLettered();
    }
    runtime.queueEmptySince = DrainDecision.emptySince(runtime.queueEmptySince, waiting, leased, now);
    Instant loadedAt = Conditions.find(status.getConditions(), ConditionTypes.LOADED)
        .map(Condition::getLastTransitionTime).map(Instant::parse).orElse(now);
    Duration delay = Durations.parseOrDefault("spec.terminationDelay", spec.getTerminationDelay(),
        Durations.parse(TaskJobSpec.DEFAULT_TERMINATION_DELAY));
    DrainDecision.Verdict verdict = DrainDecision.decide(new DrainDecision.Inputs(true, progress.allFinished(), waiting,
        leased, deadLettered, runtime.queueEmptySince, runtime.progress.deadLettersReadAt(), progress.lastActivity(),
        loadedAt, runtime.consumer == null ? null : runtime.consumer.eventsHiddenUntil(), delay, now));
    JobTransitions.drainFor(verdict, progress.succeeded(), progress.failed(), progress.remaining(), delay)
        .ifPresent(why -> start(job, status, why.reason(), why.message(), now));
  }

  void start(TaskJob job, TaskJobStatus status, String reason, String message, Instant now) {
    JobTransitions.startDraining(status, reason, message, JobServices.generation(job), now).ifPresent(n -> {
      services.record(job, n);
      LOG.info("job {}: draining, {}", JobServices.name(job), message);
    });
  }

  /** Scales the pool to zero, waits until the cloud reports every VM gone, cleans the queues, finishes. */
  Duration drain(TaskJob job, TaskJobSpec spec, TaskJobStatus status, JobRuntime runtime, InstancePool pool,
      Instant now) {
    if (pool == null) {
      pool = pools.read(job);
    }
    if (pool != null && !Objects.equals(pool.getSpec().getCount(), 0)) {
      pool = pools.scale(pool, 0);
    }
    if (pool != null && !JobPools.isDrained(pool)) {
      int disks = pool.getStatus() == null || pool.getStatus().getDisksLeft() == null ? 0
          : pool.getStatus().getDisksLeft();
      status.setMessage("draining: waiting for " + JobPools.liveInstances(pool) + " instances to terminate"
          + (disks > 0 ? " and " + disks + " disks to be deleted" : ""));
      return services.settings().resyncInterval();
    }
    JobTasks tasks = runtime.tasks;
    runtime.stopLoading();
    runtime.stopConsumer();
    nameMissing(job, status, runtime, tasks);
    JobProgress.Snapshot progress = runtime.progress.snapshot(now);
    report.report(job, status, runtime, progress, pool, now);
    if (spec.getCleanup() != CleanupPolicy.KEEP) {
      runtime.queue.delete();
    }
    services.record(job, JobTransitions.finish(status, new JobTransitions.Counts(progress.succeeded(),
        progress.failed(), progress.remaining(), progress.duplicates(), progress.retried()),
        JobServices.generation(job), now));
    LOG.info("job {}: {} ({})", JobServices.name(job), status.getPhase().displayName(), status.getMessage());
    runtimes.markFinished(job, status);
    return JobTransitions.ttlRemaining(job.getSpec().getTtlSecondsAfterFinished(), status.getCompletionTime(), now);
  }

  /**
   * Names the tasks the job finishes without a result for, from their ids in the task source, and saves
   * them with the ledger. A task source that can no longer be read leaves them counted, by index only.
   */
  private void nameMissing(TaskJob job, TaskJobStatus status, JobRuntime runtime, JobTasks tasks) {
    long[] missing = runtime.progress.missingIndexes();
    if (missing.length == 0) {
      return;
    }
    try {
      JobTasks source = tasks != null ? tasks : runtimes.openTasks(job, status, runtime.provider.provider());
      runtime.progress.nameMissing(source.idsOf(missing));
    } catch (RuntimeException e) {
      LOG.warn("job {}: {} tasks without a result; could not read their ids from the task source: {}",
          JobServices.name(job), missing.length, e.getMessage());
      return;
    }
    services.ledgers().save(job, runtime.progress.ledgerImage());
  }

  /** A finished job: nothing runs; it is deleted once its TTL has passed. @return when to look next, or null */
  Duration finished(TaskJob job, TaskJobStatus status, Instant now) {
    runtimes.closeLeftover(job);
    Duration remaining = JobTransitions.ttlRemaining(job.getSpec().getTtlSecondsAfterFinished(),
        status.getCompletionTime(), now);
    if (remaining != null && remaining.isZero()) {
      LOG.info("job {}: ttlSecondsAfterFinished passed, deleting", JobServices.name(job));
      services.client().resource(job).delete();
      return null;
    }
    return remaining;
  }
}
