package dev.taskjob.operator.decision;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;

/**
 * Cost so far, accrued from the cost per hour observed at each look: between two looks the
 * earlier rate applies. Rates come from the catalog's prices, so this is an estimate of the bill,
 * accurate to the price source and the interval between looks. The caller keeps the accrual at full
 * precision and writes {@link #forStatus} of it.
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

  /**
   * The figure written to a status: three significant digits of the full-precision accrual. Small
   * amounts stay visible (a hundredth of a cent is not rounded to zero), and the figure changes only
   * when the amount has grown by 0.1 to 1% of itself, so a steady job's status is not patched at every
   * look (a $2/hour job looked at every second changes it about a third as often as it is looked at).
   * The accrual itself is never rounded; only what is shown.
   */
  public static double forStatus(double usd) {
    if (usd <= 0 || !Double.isFinite(usd)) {
      return 0.0;
    }
    return new BigDecimal(usd).round(SHOWN).doubleValue();
  }

  private static final MathContext SHOWN = new MathContext(3, RoundingMode.HALF_EVEN);
}
