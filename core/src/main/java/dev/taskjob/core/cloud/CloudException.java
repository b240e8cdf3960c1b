package dev.taskjob.core.cloud;

/** A cloud call failed. {@link #isRetryable()} is true for throttling and transient server errors. */
public class CloudException extends RuntimeException {

  private final boolean retryable;

  public CloudException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  public CloudException(String message, boolean retryable) {
    this(message, retryable, null);
  }

  public boolean isRetryable() {
    return retryable;
  }
}
