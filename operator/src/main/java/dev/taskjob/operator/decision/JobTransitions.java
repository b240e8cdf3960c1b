package dev.taskjob.operator.decision;

import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.shared.Durations;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A TaskJob's phase transitions as functions of its status and what was observed: each one writes
 * the phase, conditions and message into the status it is given and returns the Kubernetes Event it
 * calls for. Nothing here calls the cluster, the cloud or a queue, so each transition is tested with
 * tables of cases.
 */
public final class JobTransitions {

  private JobTransitions() {}

  /** An Event a transition asks the reconciler to record. */
  public record Notice(boolean warning, String reason, String message) {

    static Notice normal(String reason, String message) {
      return new Notice(false, reason, message);
    }

    static Notice warning(String reason, String message) {
      return new Notice(true, reason, message);
    }
  }

  /** Final task counts when a job finishes. */
  public record Counts(long succeeded, long failed, long remaining, long duplicates, long retried) {

    String describe() {
      return succeeded + " succeeded, " + failed + " failed"
          + (remaining > 0 ? ", " + remaining + " without a result" : "")
          + ", " + duplicates + " duplicates, " + retried + " retries";
    }
  }

  /**
   * A job that cannot start: Accepted=False naming the field; Pending when the cause may resolve itself
   * (a Secret or ConfigMap created later), otherwise Failed.
   *
   * @return true when the job stays Pending and should be looked at again
   */
  public static boolean refuse(TaskJobStatus status, String reason, String message, boolean mayResolveItself,
      Long generation, Instant now) {
    Conditions.set(status.getConditions(), ConditionTypes.ACCEPTED, Condition.FALSE, reason, message, generation, now);
    status.setMessage(message);
    if (mayResolveItself) {
      status.setPhase(TaskJobPhase.PENDING);
      return true;
    }
    status.setPhase(TaskJobPhase.FAILED);
    Conditions.set(status.getConditions(), ConditionTypes.FAILED, Condition.TRUE, reason, message, generation, now);
    return false;
  }

  /** What {@code spec.suspend} asks of a job in its phase. */
  public enum Suspension {
    /** Nothing changes. */
    NONE,
    /** A loading or running job stops its instances and waits. */
    SUSPEND,
    /** A suspended job goes back to loading or running. */
    RESUME
  }

  /**
   * Whether the job suspends or resumes now. Only a loading or running job suspends: a pending job starts
   * (queue and ledger) and then suspends, and a draining or finished one has nothing left to stop.
   */
  public static Suspension suspension(TaskJobPhase phase, boolean suspendRequested) {
    if (suspendRequested) {
      return phase == TaskJobPhase.LOADING || phase == TaskJobPhase.RUNNING ? Suspension.SUSPEND : Suspension.NONE;
    }
    return phase == TaskJobPhase.SUSPENDED ? Suspension.RESUME : Suspension.NONE;
  }

  /** The job suspends: phase Suspended, no instances wanted, Suspended=True; queue and ledger stay. */
  public static Notice suspend(TaskJobStatus status, Long generation, Instant now) {
    status.setPhase(TaskJobPhase.SUSPENDED);
    status.setInstancesDesired(0);
    status.setEta(null);
    String message = "spec.suspend is true: instances are stopped (running tasks go back to the queue); the queue "
        + "and the ledger are kept";
    Conditions.set(status.getConditions(), ConditionTypes.SUSPENDED, Condition.TRUE, "JobSuspended", message,
        generation, now);
    status.setMessage("suspended");
    return Notice.normal("Suspended", "Job suspended: its instances are stopped; set spec.suspend to false to resume");
  }

  /** The job resumes: back to Loading until every task was queued, else Running; Suspended=False. */
  public static Notice resume(TaskJobStatus status, Long generation, Instant now) {
    boolean loaded = Conditions.isTrue(status.getConditions(), ConditionTypes.LOADED);
    status.setPhase(loaded ? TaskJobPhase.RUNNING : TaskJobPhase.LOADING);
    Conditions.set(status.getConditions(), ConditionTypes.SUSPENDED, Condition.FALSE, "JobResumed",
        "spec.suspend is false", generation, now);
    status.setMessage(null);
    return Notice.normal("Resumed", "Job resumed in phase " + status.getPhase().displayName());
  }

  /** Every task is queued: Loading ends, Running begins. */
  public static Notice loaded(TaskJobStatus status, long total, Long generation, Instant now) {
    status.setPhase(TaskJobPhase.RUNNING);
    status.setLoaded(total);
    Conditions.set(status.getConditions(), ConditionTypes.LOADING, Condition.FALSE, "AllTasksLoaded",
        total + " tasks queued", generation, now);
    Conditions.set(status.getConditions(), ConditionTypes.LOADED, Condition.TRUE, "AllTasksLoaded",
        total + " tasks queued", generation, now);
    return Notice.normal("Loaded", "All " + total + " tasks are in queue " + status.getQueueName());
  }

  /** Loading hit an error that will pass: the job stays Loading and says where it paused. */
  public static void loadPaused(TaskJobStatus status, long queued, long total, String error, Long generation,
      Instant now) {
    Conditions.set(status.getConditions(), ConditionTypes.LOADING, Condition.TRUE, "LoadRetrying",
        "loading paused at " + queued + " of " + total + " tasks: " + error + "; retrying", generation, now);
  }

  /**
   * The job cannot succeed any more (its loading failed for good, its pool gave up, its task lists
   * changed): Failed=True with the cause, then the usual drain so nothing is left behind.
   *
   * @return the Events to record: the failure, and the drain when it starts now
   */
  public static Notice[] failAndDrain(TaskJobStatus status, String reason, String message, Long generation,
      Instant now) {
    Conditions.set(status.getConditions(), ConditionTypes.FAILED, Condition.TRUE, reason, message, generation, now);
    Notice failure = Notice.warning(reason, message);
    return startDraining(status, reason, message, generation, now).map(d -> new Notice[] {failure, d})
        .orElse(new Notice[] {failure});
  }

  /**
   * The drain starts: the pool goes to zero and the job waits for the cloud to confirm every VM gone.
   *
   * @return the Event, or empty when the job was already draining
   */
  public static Optional<Notice> startDraining(TaskJobStatus status, String reason, String message, Long generation,
      Instant now) {
    if (status.getPhase() == TaskJobPhase.DRAINING) {
      return Optional.empty();
    }
    status.setPhase(TaskJobPhase.DRAINING);
    status.setInstancesDesired(0);
    Conditions.set(status.getConditions(), ConditionTypes.DRAINING, Condition.TRUE, reason, message, generation, now);
    return Optional.of(Notice.normal("Draining", "Draining: " + message));
  }

  /** What the drain decision says, as the drain's reason and message; empty while the job keeps running. */
  public static Optional<Notice> drainFor(DrainDecision.Verdict verdict, long succeeded, long failed, long remaining,
      Duration terminationDelay) {
    return switch (verdict) {
      case ALL_TASKS_FINISHED -> Optional.of(Notice.normal("AllTasksFinished",
          "every task has a final result (" + succeeded + " succeeded, " + failed + " failed)"));
      case QUEUE_EMPTY_AND_IDLE -> Optional.of(Notice.normal("QueueEmptyAndIdle", "the queue is empty and no worker "
          + "reported for " + Durations.format(terminationDelay) + "; " + remaining + " tasks have no reported result"));
      case KEEP_RUNNING -> Optional.empty();
    };
  }

  /**
   * The cloud confirmed every VM gone: Succeeded when every task succeeded and nothing failed the job
   * before, otherwise Failed with the counts.
   */
  public static Notice finish(TaskJobStatus status, Counts counts, Long generation, Instant now) {
    boolean alreadyFailed = Conditions.isTrue(status.getConditions(), ConditionTypes.FAILED);
    boolean succeeded = !alreadyFailed && counts.failed() == 0 && counts.remaining() == 0;
    status.setCompletionTime(now.toString());
    status.setRunning(0L);
    status.setEta(null);
    status.setInstancesRunning(0);
    status.setCostPerHour(0.0);
    Conditions.set(status.getConditions(), ConditionTypes.DRAINING, Condition.FALSE, "Drained",
        "every instance is terminated", generation, now);
    Conditions.set(status.getConditions(), ConditionTypes.READY, Condition.FALSE, "Finished", "", generation, now);
    String described = counts.describe();
    Notice notice;
    if (succeeded) {
      status.setPhase(TaskJobPhase.SUCCEEDED);
      Conditions.set(status.getConditions(), ConditionTypes.COMPLETE, Condition.TRUE, "AllTasksSucceeded", described,
          generation, now);
      notice = Notice.normal("Succeeded", "Job finished: " + described);
    } else {
      status.setPhase(TaskJobPhase.FAILED);
      Conditions.set(status.getConditions(), ConditionTypes.COMPLETE, Condition.FALSE, "NotAllTasksSucceeded",
          described, generation, now);
      if (!alreadyFailed) {
        String reason = counts.failed() > 0 ? "TasksFailed" : "TasksWithoutResult";
        Conditions.set(status.getConditions(), ConditionTypes.FAILED, Condition.TRUE, reason, described, generation,
            now);
      }
      notice = Notice.warning("Failed", "Job finished: " + described);
    }
    status.setMessage((succeeded ? "succeeded: " : "failed: ") + described);
    return notice;
  }

  /**
   * Time left before a finished job is deleted ({@code ttlSecondsAfterFinished}); zero when due, null
   * when the job is kept.
   */
  public static Duration ttlRemaining(Integer ttlSeconds, String completionTime, Instant now) {
    if (ttlSeconds == null || completionTime == null) {
      return null;
    }
    Duration left = Duration.between(now, Instant.parse(completionTime).plusSeconds(ttlSeconds));
    return left.isNegative() ? Duration.ZERO : left;
  }
}
