package dev.taskjob.core.queue;

/** A queue operation failed after the provider's retries. {@link #isRetryable()} tells the caller whether to try later. */
public class QueueException extends RuntimeException {

  private final boolean retryable;

  public QueueException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  public QueueException(String message, boolean retryable) {
    this(message, retryable, null);
  }

  public boolean isRetryable() {
    return retryable;
  }
}
