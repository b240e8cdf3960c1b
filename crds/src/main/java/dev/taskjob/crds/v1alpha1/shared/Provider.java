package dev.taskjob.crds.v1alpha1.shared;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where instances run and which task queue backs a job. Serialized in lower case. */
public enum Provider {
  /** Local worker processes and a directory-backed queue: for trying a job out and for tests. */
  @JsonProperty("local")
  LOCAL,
  /** Amazon EC2 instances and SQS queues. */
  @JsonProperty("aws")
  AWS,
  /** Google Compute Engine instances and Pub/Sub queues. */
  @JsonProperty("gcp")
  GCP;

  /** The name used in manifests and in {@code TASKJOB_PROVIDER}. */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
