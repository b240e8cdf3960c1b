package dev.taskjob.crds.v1alpha1.taskjob;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What happens to a finished job's queues. */
public enum CleanupPolicy {
  /** Delete the task, event and dead-letter queues when the job finishes. */
  @JsonProperty("delete")
  DELETE,
  /** Keep the queues (for inspecting dead letters); they are deleted with the TaskJob. */
  @JsonProperty("keep")
  KEEP
}
