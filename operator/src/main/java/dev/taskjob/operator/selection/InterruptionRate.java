package dev.taskjob.operator.selection;

import java.time.Instant;
import java.util.Locale;

/**
 * The spot interruption rate the ranking assumes for one offering, and where it came from.
 *
 * @param perHour expected interruptions per VM-hour
 * @param source which estimate was used
 * @param basisHours for an observed rate, the (decayed) VM-hours behind it; 0 otherwise
 */
public record InterruptionRate(double perHour, Source source, double basisHours) {

  /**
   * Used when nothing better is known: 5% per hour, the bucket ("&lt;5%" interruption frequency) the EC2 Spot
   * Instance Advisor puts most types in.
   */
  public static final double DEFAULT_PRIOR_PER_HOUR = 0.05;

  /**
   * An observed rate is blended with the fallback rate (the user's hint, else the default prior) as if the
   * fallback had been seen over this many VM-hours, so two early interruptions in a few VM-hours do not move the
   * pool to a dearer type for good.
   */
  public static final double FALLBACK_WEIGHT_HOURS = 4.0;

  /** Where a rate came from, best first. */
  public enum Source {
    /** On-demand capacity is not interrupted. */
    ON_DEMAND,
    /** This cluster's own interruptions of this type in this zone. */
    OBSERVED,
    /** The job's {@code spec.instances.interruptionsPerHour}. */
    USER,
    /** {@link #DEFAULT_PRIOR_PER_HOUR}. */
    DEFAULT_PRIOR
  }

  /**
   * The rate for a spot offering: observed (once {@link InterruptionHistory#MIN_EXPOSURE_HOURS} back it, blended
   * with the fallback over {@link #FALLBACK_WEIGHT_HOURS}), else the user's hint, else the default prior.
   */
  public static InterruptionRate estimate(InterruptionHistory history, String type, String zone, Double userHint,
      Instant now) {
    double fallback = userHint != null ? userHint : DEFAULT_PRIOR_PER_HOUR;
    var observed = history.observed(type, zone, now);
    if (observed.isPresent()) {
      double hours = observed.get().exposureHours();
      double rate = (observed.get().interruptions() + fallback * FALLBACK_WEIGHT_HOURS) / (hours
          + FALLBACK_WEIGHT_HOURS);
      return new InterruptionRate(rate, Source.OBSERVED, hours);
    }
    return new InterruptionRate(fallback, userHint != null ? Source.USER : Source.DEFAULT_PRIOR, 0);
  }

  public static InterruptionRate onDemand() {
    return new InterruptionRate(0, Source.ON_DEMAND, 0);
  }

  /** "20.0%/h observed over 14 VM-hours", "5.0%/h default prior". */
  public String describe() {
    String pct = String.format(Locale.ROOT, "%.1f%%/h", perHour * 100);
    return switch (source) {
      case ON_DEMAND -> "on-demand, not interrupted";
      case OBSERVED -> pct + " observed over " + String.format(Locale.ROOT, "%.0f", basisHours) + " VM-hours";
      case USER -> pct + " from spec.instances.interruptionsPerHour";
      case DEFAULT_PRIOR -> pct + " default prior";
    };
  }
}
