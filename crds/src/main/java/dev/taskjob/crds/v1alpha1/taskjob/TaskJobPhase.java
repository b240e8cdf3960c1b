package dev.taskjob.crds.v1alpha1.taskjob;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a TaskJob is in its life, as shown in {@code kubectl get taskjobs}. */
public enum TaskJobPhase {
  /** Accepted, nothing started yet (or waiting for a valid spec). */
  @JsonProperty("Pending")
  PENDING,
  /** Sending tasks to the task queue; instances may already be working. */
  @JsonProperty("Loading")
  LOADING,
  /** Every task is queued; instances are working through them. */
  @JsonProperty("Running")
  RUNNING,
  /** {@code spec.suspend} is true: no instances run; the queue and the ledger are kept until it is resumed. */
  @JsonProperty("Suspended")
  SUSPENDED,
  /** Every task is terminal; instances are being removed and queues cleaned up. */
  @JsonProperty("Draining")
  DRAINING,
  /** Finished and cleaned up; every task succeeded. */
  @JsonProperty("Succeeded")
  SUCCEEDED,
  /** Finished and cleaned up with failed tasks, or stopped by an error (see the Failed condition). */
  @JsonProperty("Failed")
  FAILED;

  /** The manifest spelling, e.g. {@code Running}. */
  public String displayName() {
    return name().charAt(0) + name().substring(1).toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether the operator is still working the job towards its end (kstatus {@code InProgress}); a suspended job waits. */
  public boolean inProgress() {
    return !isFinished() && this != SUSPENDED;
  }

  /** Whether the job is over: nothing runs and nothing will. */
  public boolean isFinished() {
    return this == SUCCEEDED || this == FAILED;
  }
}
