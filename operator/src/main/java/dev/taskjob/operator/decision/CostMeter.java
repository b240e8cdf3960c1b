package dev.taskjob.operator.decision;

import java.time.Duration;
import java.time.Instant;

/**
 * Cost so far, accrued from the cost per hour observed at each look: between two looks the
 * earlier rate applies. Rates come from the catalog's prices, so this is an estimate of the bill,
 * accurate to the price source and the interval between looks.
 */
public final class CostMeter {

  private CostMeter() {}

  /**
   * @param costSoFar USD accrued until {@code since}
   * @param costPerHour USD per hour that applied since {@code since}
   * @param since the previous accrual, or null for the first
   * @param now the current time
   * @return USD accrued until {@code now}
   */
  public static double accrue(double costSoFar, double costPerHour, Instant since, Instant now) {
    if (since == null || !now.isAfter(since) || costPerHour <= 0) {
      return costSoFar;
    }
    double hours = Duration.between(since, now).toMillis() / 3_600_000.0;
    return costSoFar + costPerHour * hours;
  }

  /** Rounds to a tenth of a cent for display. */
  public static double round(double usd) {
    return Math.round(usd * 1000.0) / 1000.0;
  }
}
