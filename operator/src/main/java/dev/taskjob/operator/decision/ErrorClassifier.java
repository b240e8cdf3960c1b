package dev.taskjob.operator.decision;

import dev.taskjob.core.cloud.CapacityException;
import dev.taskjob.core.cloud.CloudException;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.core.task.TaskListException;
import dev.taskjob.operator.cloud.ProviderAccess;
import dev.taskjob.operator.load.LoadException;
import dev.taskjob.operator.selection.NoMatchingInstanceTypeException;
import dev.taskjob.operator.tasks.TaskSourceException;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The one place that judges an error: will it pass by itself, is it a lack of cloud capacity, must the
 * user act, or can the work never succeed. Both controllers' error handlers and the loader's failure
 * handling use it; nothing else inspects exception types to decide whether to retry.
 */
public final class ErrorClassifier {

  private ErrorClassifier() {}

  /** What an error means for the work it interrupted. */
  public enum Kind {
    /** Throttling, 5xx, timeouts, conflicts: retried with capped exponential backoff. */
    TRANSIENT("TransientError"),
    /** The cloud has no capacity for a type: retried (the pool falls back to other types). */
    CAPACITY("NoCapacity"),
    /** Missing credentials, refused permissions, invalid input: not retried until looked at again. */
    NEEDS_USER("ActionRequired"),
    /** The work can never succeed as specified: the object fails. */
    PERMANENT("PermanentError");

    private final String reason;

    Kind(String reason) {
      this.reason = reason;
    }

    /** The condition reason used when the error carries no more precise one. */
    public String reason() {
      return reason;
    }

    /** Whether retrying on a backoff can help. */
    public boolean retried() {
      return this == TRANSIENT || this == CAPACITY;
    }
  }

  /**
   * A judged error.
   *
   * @param reason a CamelCase condition reason
   * @param message for a condition and an Event, naming the field when the user must act
   */
  public record Classified(Kind kind, String reason, String message) {}

  public static Classified classify(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof TaskSourceException tse) {
      return new Classified(tse.mayResolveItself() ? Kind.NEEDS_USER : Kind.PERMANENT, tse.reason(), message);
    }
    if (e instanceof TaskListException) {
      return new Classified(Kind.PERMANENT, "InvalidTaskList", message);
    }
    if (e instanceof ProviderAccess.MissingSecretException) {
      return new Classified(Kind.NEEDS_USER, "SecretNotFound", "spec.credentials.secretRef.name: " + message);
    }
    if (e instanceof NoMatchingInstanceTypeException) {
      return new Classified(Kind.PERMANENT, "NoMatchingInstanceType", message);
    }
    if (e instanceof CapacityException) {
      return new Classified(Kind.CAPACITY, Kind.CAPACITY.reason(), message);
    }
    if (e instanceof CloudException ce) {
      return ce.isRetryable() ? new Classified(Kind.TRANSIENT, "CloudError", message)
          : new Classified(Kind.NEEDS_USER, "CloudRequestRefused", message);
    }
    if (e instanceof QueueException qe) {
      return qe.isRetryable() ? new Classified(Kind.TRANSIENT, "QueueError", message)
          : new Classified(Kind.NEEDS_USER, "QueueRequestRefused", message);
    }
    if (e instanceof LoadException le) {
      // The loader wraps what stopped it; a checkpoint write the API server refused (a conflict) passes,
      // and loading resumes from the last checkpoint saved.
      Kind cause = le.getCause() == null || le.getCause() == le ? null : classify(le.getCause()).kind();
      return le.isRetryable() || (cause != null && cause.retried())
          ? new Classified(Kind.TRANSIENT, "LoadRetrying", message)
          : new Classified(Kind.PERMANENT, "LoadFailed", message);
    }
    if (e instanceof KubernetesClientException kce) {
      // 403: the operator's RBAC lacks a permission an administrator must grant; anything else
      // (conflicts, throttling, an API server restarting) passes.
      return kce.getCode() == 403 ? new Classified(Kind.NEEDS_USER, "Forbidden", message)
          : new Classified(Kind.TRANSIENT, "KubernetesApiError", message);
    }
    if (e.getCause() != null && e.getCause() != e) {
      Classified cause = classify(e.getCause());
      if (cause.kind() != Kind.TRANSIENT) {
        return cause;
      }
    }
    return new Classified(Kind.TRANSIENT, Kind.TRANSIENT.reason(), message);
  }
}
