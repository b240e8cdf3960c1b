package dev.taskjob.operator.reconciler;

import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import java.time.Duration;

/**
 * How both controllers retry and how long an object may go unreconciled. A failed reconcile is retried
 * without end, backing off from one second to {@link #MAX_RETRY_INTERVAL}; every object is looked at
 * again at least every {@link #MAX_RECONCILIATION_INTERVAL} even when nothing changed. Without these,
 * JOSDK gives up after a handful of failures and waits hours, so a throttled cloud API parks a pool.
 */
public final class ControllerPolicy {

  public static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  public static final double RETRY_MULTIPLIER = 2.0;
  public static final Duration MAX_RETRY_INTERVAL = Duration.ofSeconds(30);
  public static final Duration MAX_RECONCILIATION_INTERVAL = Duration.ofSeconds(60);

  private ControllerPolicy() {}

  /** Unlimited, capped exponential retry. */
  public static GenericRetry retry() {
    return new GenericRetry().withoutMaxAttempts().setInitialInterval(FIRST_RETRY.toMillis())
        .setIntervalMultiplier(RETRY_MULTIPLIER).setMaxInterval(MAX_RETRY_INTERVAL.toMillis());
  }
}
