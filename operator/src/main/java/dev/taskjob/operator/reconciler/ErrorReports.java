package dev.taskjob.operator.reconciler;

import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.operator.decision.ErrorClassifier;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import java.time.Instant;
import java.util.List;

/**
 * Turns a judged reconcile error into what a user sees: the {@code Degraded} condition (cleared by the
 * next successful reconcile) and a Warning Event, and tells JOSDK whether to retry.
 */
public final class ErrorReports {

  /** Condition type for a reconcile that failed (cleared by the next one that succeeds). */
  public static final String DEGRADED = "Degraded";

  private ErrorReports() {}

  /** Sets Degraded=True with the error's reason and message and records the Event. */
  public static void degraded(HasMetadata object, List<Condition> conditions, ErrorClassifier.Classified error,
      KubeEvents events, Instant now) {
    Conditions.set(conditions, DEGRADED, Condition.TRUE, error.reason(), error.message(),
        object.getMetadata().getGeneration(), now);
    events.warning(object, error.reason(), error.message());
  }

  /** Marks the reconcile as having succeeded. */
  public static void healthy(HasMetadata object, List<Condition> conditions, Instant now) {
    Conditions.set(conditions, DEGRADED, Condition.FALSE, "Reconciled", "", object.getMetadata().getGeneration(), now);
  }

  /**
   * The status patch for an error: retried with backoff when retrying can help; otherwise not retried,
   * only looked at again after the maximum reconciliation interval (the user may have fixed the cause).
   */
  public static <P extends HasMetadata> ErrorStatusUpdateControl<P> control(P object, ErrorClassifier.Classified error) {
    ErrorStatusUpdateControl<P> control = ErrorStatusUpdateControl.patchStatus(object);
    return error.kind().retried() ? control
        : control.withNoRetry().rescheduleAfter(ControllerPolicy.MAX_RECONCILIATION_INTERVAL);
  }
}
