package dev.taskjob.core.cloud;

/** VM lifecycle states across clouds. */
public enum InstanceState {
  PENDING,
  RUNNING,
  STOPPING,
  STOPPED,
  /** Reclaimed by the cloud (spot interruption, GCE preemption). */
  PREEMPTED,
  TERMINATING,
  TERMINATED;

  /** Costs money and may still do work. */
  public boolean isAlive() {
    return this == PENDING || this == RUNNING;
  }

  /** Gone for good, or going: the pool must replace it if it still needs the capacity. */
  public boolean isGone() {
    return this == PREEMPTED || this == TERMINATING || this == TERMINATED || this == STOPPED || this == STOPPING;
  }
}
