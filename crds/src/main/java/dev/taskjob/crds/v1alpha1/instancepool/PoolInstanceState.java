package dev.taskjob.crds.v1alpha1.instancepool;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * State of one instance in {@code InstancePool.status.instances}. The constant names match
 * {@code dev.taskjob.core.cloud.InstanceState}, so {@code PoolInstanceState.valueOf(state.name())}
 * converts.
 */
public enum PoolInstanceState {
  @JsonProperty("Pending")
  PENDING,
  @JsonProperty("Running")
  RUNNING,
  @JsonProperty("Stopping")
  STOPPING,
  @JsonProperty("Stopped")
  STOPPED,
  /** Reclaimed by the cloud (spot interruption, preemption). */
  @JsonProperty("Preempted")
  PREEMPTED,
  @JsonProperty("Terminating")
  TERMINATING,
  @JsonProperty("Terminated")
  TERMINATED
}
