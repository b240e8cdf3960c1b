package dev.taskjob.core.store;

/** Reading or writing an {@link ObjectStore} failed; the message names the location and the key. */
public class StoreException extends RuntimeException {

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
