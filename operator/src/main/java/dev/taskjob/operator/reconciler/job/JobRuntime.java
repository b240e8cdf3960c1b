package dev.taskjob.operator.reconciler.job;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.operator.archive.JobArchive;
import dev.taskjob.operator.progress.JobProgress;
import dev.taskjob.operator.selection.Selection;
import dev.taskjob.operator.tasks.JobTasks;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the operator holds in memory for one running job: its queue, its live progress and event
 * consumer, its loader while loading, and the ranked instance types. Rebuilt from the
 * cluster (status, ledger ConfigMap) after a restart.
 */
final class JobRuntime implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(JobRuntime.class);

  final String uid;
  final ProviderConfig provider;
  final TaskQueue queue;
  final JobProgress progress;
  /** The job's ranked types for the task size new VMs get (the asked size, or the right-sized one). */
  volatile Selection selection;
  /** The right-sized task size {@link #selection} is for, or null while it is the asked size. */
  dev.taskjob.operator.decision.RightSizing.Suggestion sizedFor;
  EventConsumer consumer;
  /** The job's results archive, or null when it names no output location. */
  JobArchive archive;
  JobTasks tasks;
  LoadRunner loader;
  /** The first look of the current run of looks that saw the task queue empty, or null (the drain's fallback). */
  Instant queueEmptySince;
  /** USD its pool was billed at the last look, at full precision (the status shows it rounded). */
  double costSoFar;
  /** The spec the job started with (JSON, from the ledger ConfigMap). */
  String startedSpec;

  JobRuntime(String uid, ProviderConfig provider, TaskQueue queue, JobProgress progress, Selection selection) {
    this.uid = uid;
    this.provider = provider;
    this.queue = queue;
    this.progress = progress;
    this.selection = selection;
  }

  /** Stops loading (what was sent stays sent) and drops the task lists held for it. */
  void stopLoading() {
    if (loader != null) {
      loader.stop();
      loader = null;
    }
    tasks = null;
  }

  /** Stops the consumer (saving the ledger); the queue handle stays open for cleanup. */
  void stopConsumer() {
    if (consumer != null) {
      consumer.close();
      consumer = null;
    }
  }

  @Override
  public void close() {
    stopLoading();
    stopConsumer();
    if (archive != null) {
      archive.close();
      archive = null;
    }
    try {
      queue.close();
    } catch (RuntimeException e) {
      LOG.debug("closing queue of job {} failed: {}", uid, e.toString());
    }
  }
}
