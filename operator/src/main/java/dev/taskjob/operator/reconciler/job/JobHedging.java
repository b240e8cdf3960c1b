package dev.taskjob.operator.reconciler.job;

import dev.taskjob.core.task.Task;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.shared.SpeculativeSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import dev.taskjob.operator.decision.HedgeDecision;
import dev.taskjob.operator.progress.JobProgress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hedging the tail ({@code spec.worker.speculative}): observes the running tasks and the slots of the
 * running VMs, lets {@link HedgeDecision} pick the stragglers, sends a hedged copy of each (rebuilt from the
 * task source by index, as loading built the original), and reports them in an Event. Which tasks have a
 * copy is kept in the ledger and saved with it, so a task is hedged at most once across operator restarts
 * (but for a copy sent in the few seconds between the last save and a crash). A copy
 * that cannot be sent (the task source unreadable, the queue refusing) fails no reconcile: the job
 * finishes without it.
 */
final class JobHedging {

  private static final Logger LOG = LoggerFactory.getLogger(JobHedging.class);
  private static final int IDS_IN_EVENT = 10;

  private final JobServices services;
  private final JobRuntimes runtimes;

  JobHedging(JobServices services, JobRuntimes runtimes) {
    this.services = services;
    this.runtimes = runtimes;
  }

  void hedge(TaskJob job, TaskJobSpec spec, TaskJobStatus status, JobRuntime runtime, InstancePool pool,
      Instant now) {
    SpeculativeSpec speculative = spec.getWorker().getSpeculative();
    if (speculative == null || !Boolean.TRUE.equals(speculative.getEnabled()) || pool == null) {
      return;
    }
    // observe
    JobProgress.Tail tail = runtime.progress.tail(now);
    long paidSlots = (long) JobPools.runningInstances(pool) * JobPools.slotsPerInstance(runtime.selection, pool);
    double multiple = speculative.getAfterP90Multiple() == null ? SpeculativeSpec.DEFAULT_P90_MULTIPLE
        : speculative.getAfterP90Multiple();
    int minFinished = speculative.getMinFinishedTasks() == null ? SpeculativeSpec.DEFAULT_MIN_FINISHED_TASKS
        : speculative.getMinFinishedTasks();
    // decide
    HedgeDecision.Result decision = HedgeDecision.decide(new HedgeDecision.Inputs(multiple, minFinished,
        tail.finishedWithTime(), tail.p90(), tail.unfinished(), paidSlots, tail.busySlots(), tail.running(),
        runtime.progress.hedged(), now));
    if (decision.verdict() != HedgeDecision.Verdict.HEDGE) {
      return;
    }
    // act: best effort, since the job finishes without hedges too; a failed try is made again next look
    long[] indexes = decision.hedge().stream().mapToLong(Long::longValue).sorted().toArray();
    List<Task> copies = new ArrayList<>(indexes.length);
    try {
      if (runtime.tasks == null) {
        runtime.tasks = runtimes.openTasks(job, status, runtime.provider.provider());
      }
      Map<Long, Task> tasks = runtime.tasks.tasksAt(indexes);
      tasks.values().forEach(t -> copies.add(t.asHedge()));
      runtime.queue.send(copies);
      runtime.progress.markHedged(tasks.keySet());
    } catch (RuntimeException e) {
      LOG.warn("job {}: could not send a second copy of {} stragglers, trying again at the next look: {}",
          JobServices.name(job), indexes.length, e.toString());
      return;
    }
    // report
    List<String> ids = copies.stream().map(Task::id).toList();
    String message = String.format(Locale.ROOT, "sent a second copy of %d task%s running longer than %s x p90 (%.1f s)"
            + " to idle slots: %s%s", copies.size(), copies.size() == 1 ? "" : "s", trim(multiple),
        tail.p90().toNanos() / 1e9, String.join(", ", ids.subList(0, Math.min(IDS_IN_EVENT, ids.size()))),
        ids.size() > IDS_IN_EVENT ? " and " + (ids.size() - IDS_IN_EVENT) + " more" : "");
    LOG.info("job {}: {}", JobServices.name(job), message);
    services.events().normal(job, "TasksHedged", message);
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
