package dev.taskjob.operator.load;

/** A load stopped; {@link #checkpoint()} is where to resume once the cause is fixed. */
public class LoadException extends RuntimeException {

  private final LoadCheckpoint checkpoint;
  private final boolean retryable;

  public LoadException(String message, LoadCheckpoint checkpoint, boolean retryable, Throwable cause) {
    super(message, cause);
    this.checkpoint = checkpoint;
    this.retryable = retryable;
  }

  public LoadCheckpoint checkpoint() {
    return checkpoint;
  }

  /** True when trying again later may succeed (throttling, an unreachable queue). */
  public boolean isRetryable() {
    return retryable;
  }
}
