package dev.taskjob.crds.v1alpha1.taskjob;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What happens to a finished job's queues, and to its results when the TaskJob is deleted.
 */
public enum CleanupPolicy {
  /**
   * Delete the task, event and dead-letter queues when the job finishes; deleting the TaskJob deletes its
   * ledger ConfigMap and its archive under {@code spec.output.uri}.
   */
  @JsonProperty("delete")
  DELETE,
  /**
   * Keep the queues (for inspecting dead letters); they are deleted with the TaskJob, which leaves a copy of
   * its ledger ({@code <name>-ledger-<uid prefix>}) and its archive.
   */
  @JsonProperty("keep")
  KEEP
}
