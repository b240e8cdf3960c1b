package dev.taskjob.crds.v1alpha1.taskjob;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What happens to a finished job's queues, and to its results (ledger, archive) when the TaskJob is
 * deleted. Results are kept unless {@code deleteAll} says otherwise.
 */
public enum CleanupPolicy {
  /**
   * Delete the task, event and dead-letter queues when the job finishes; deleting the TaskJob leaves a copy
   * of its ledger ({@code <name>-ledger-<uid prefix>}) and its archive.
   */
  @JsonProperty("delete")
  DELETE,
  /**
   * Keep the queues (for inspecting dead letters); they are deleted with the TaskJob, which leaves a copy of
   * its ledger and its archive.
   */
  @JsonProperty("keep")
  KEEP,
  /** As {@code delete}, and deleting the TaskJob also deletes its ledger and its archive under {@code spec.output.uri}. */
  @JsonProperty("deleteAll")
  DELETE_ALL
}
