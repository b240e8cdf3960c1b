package dev.taskjob.operator.reconciler.job;

import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import dev.taskjob.operator.decision.ErrorClassifier;
import dev.taskjob.operator.decision.JobTransitions;
import dev.taskjob.operator.load.LoadOptions;
import dev.taskjob.operator.load.TaskLoader;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loading: runs the loader in the background from the checkpoint in {@code status.loaded} (which only
 * the loader's thread writes, so a status patch of the reconcile never moves it back), and moves the
 * job to Running once every task is queued. A suspended job's loader is stopped; on resume a new one
 * starts from the checkpoint.
 */
final class JobLoading {

  private static final Logger LOG = LoggerFactory.getLogger(JobLoading.class);

  private final JobServices services;
  private final JobRuntimes runtimes;

  JobLoading(JobServices services, JobRuntimes runtimes) {
    this.services = services;
    this.runtimes = runtimes;
  }

  void load(TaskJob job, TaskJobStatus status, JobRuntime runtime, Instant now) {
    long total = status.getTotal();
    long loaded = status.getLoaded() == null ? 0 : status.getLoaded();
    Long generation = JobServices.generation(job);
    LoadRunner runner = runtime.loader;
    if (runner != null && runner.failure() != null) {
      runtime.loader = null;
      RuntimeException e = runner.failure();
      // A checkpoint write the API server refused is transient too: loading resumes from the last one saved.
      if (!ErrorClassifier.classify(e).kind().retried()) {
        for (JobTransitions.Notice n : JobTransitions.failAndDrain(status, "LoadFailed",
            "loading stopped: " + e.getMessage(), generation, now)) {
          services.record(job, n);
        }
        return;
      }
      JobTransitions.loadPaused(status, Math.max(loaded, runner.saved()), total, e.getMessage(), generation, now);
      return;
    }
    if (runner != null && runner.done()) {
      runtime.loader = null;
      runtime.tasks = null;
      loaded = total;
    }
    if (loaded >= total) {
      services.record(job, JobTransitions.loaded(status, total, generation, now));
      LOG.info("job {}: loaded {} tasks", JobServices.name(job), total);
      return;
    }
    if (runner == null) {
      if (runtime.tasks == null) {
        runtime.tasks = runtimes.openTasks(job, status, runtime.provider.provider());
      }
      runner = new LoadRunner(JobServices.name(job), new TaskLoader(LoadOptions.forProvider(runtime.provider.provider())),
          runtime.queue, runtime.tasks.input(), total, loaded, offset -> runtimes.saveLoaded(job, offset),
          () -> services.wake(job));
      runtime.loader = runner;
      runner.start();
    }
    Conditions.set(status.getConditions(), ConditionTypes.LOADING, Condition.TRUE, "LoadingTasks",
        Math.max(loaded, runner.saved()) + " of " + total + " tasks queued", generation, now);
  }

  /**
   * Stops sending while the job is suspended: what was sent stays sent, and {@code status.loaded} keeps the
   * last checkpoint, from which {@link #load} starts again once the job resumes (at most the loader's
   * in-flight window is sent twice; the ledger counts such duplicates).
   */
  void pause(TaskJob job, TaskJobStatus status, JobRuntime runtime, Instant now) {
    LoadRunner runner = runtime.loader;
    if (runner == null) {
      return;
    }
    runtime.loader = null;
    runner.stop();
    long loaded = Math.max(status.getLoaded() == null ? 0 : status.getLoaded(), runner.saved());
    if (runner.done()) {
      return; // it finished before it was stopped; the resume sees every task loaded
    }
    Conditions.set(status.getConditions(), ConditionTypes.LOADING, Condition.FALSE, "LoadingSuspended",
        "loading paused at " + loaded + " of " + status.getTotal() + " tasks queued while spec.suspend is true; "
            + "it resumes from there", JobServices.generation(job), now);
    LOG.info("job {}: loading paused at {} of {} tasks while suspended", JobServices.name(job), loaded,
        status.getTotal());
  }
}
