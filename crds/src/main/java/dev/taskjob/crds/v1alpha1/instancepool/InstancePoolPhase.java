package dev.taskjob.crds.v1alpha1.instancepool;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where an InstancePool is in its life, as shown in {@code kubectl get ipool}. */
public enum InstancePoolPhase {
  /** No instance type selected yet. */
  @JsonProperty("Pending")
  PENDING,
  /** Creating or removing instances to reach {@code spec.count}. */
  @JsonProperty("Scaling")
  SCALING,
  /** As many running instances as {@code spec.count}. */
  @JsonProperty("Ready")
  READY,
  /** Being deleted: terminating every instance before the finalizer is removed. */
  @JsonProperty("Terminating")
  TERMINATING,
  /** Cannot proceed, e.g. no instance type meets the constraints (see the conditions). */
  @JsonProperty("Failed")
  FAILED
}
