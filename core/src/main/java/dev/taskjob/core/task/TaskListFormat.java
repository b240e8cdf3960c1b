package dev.taskjob.core.task;

/** Task list encodings the reader accepts; detected from the content, gzip included. */
public enum TaskListFormat {
  /** {@code [ {"id": .., "data": {..}}, ... ]} as rms-cloud-tasks writes it. */
  JSON_ARRAY,
  /** One task object per line. */
  JSON_LINES,
  /** A YAML sequence of task mappings. */
  YAML
}
