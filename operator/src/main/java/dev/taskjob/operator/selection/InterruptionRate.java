package dev.taskjob.operator.selection;

import java.time.Instant;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * The spot interruption rate the ranking assumes for one offering, and where it came from.
 *
 * @param perHour expected interruptions per VM-hour
 * @param source which estimate was used
 * @param basisHours for an observed rate, the (decayed) VM-hours behind it; 0 otherwise
 * @param placementScore the cloud's spot placement score (1-10) the rate was read from, or blended with; 0 if none
 */
public record InterruptionRate(double perHour, Source source, double basisHours, int placementScore) {

  public InterruptionRate(double perHour, Source source, double basisHours) {
    this(perHour, source, basisHours, 0);
  }

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

  /**
   * Interruptions per hour read from a spot placement score, by score (index 1 to 10). A score says how likely a
   * spot request for the scored types fills in the zone now; EC2 interrupts spot VMs when it needs the
   * capacity back, so scarce spare capacity and interruptions go together, though AWS promises nothing about
   * interruptions from it (hence it ranks below the cluster's own observations, which are blended with it).
   * Anchors: 7 reads as {@link #DEFAULT_PRIOR_PER_HOUR}, so a middling zone ranks as if nothing were known; 10 as
   * a fifth of that (spare capacity is not immunity); 1 as 50%/h (a request unlikely to fill now: a reclaim
   * expected within two hours). In between the rate grows about 1.5 times per point lower.
   */
  private static final double[] PER_HOUR_BY_SCORE = {Double.NaN, 0.50, 0.30, 0.20, 0.15, 0.10, 0.07, 0.05, 0.03,
      0.02, 0.01};

  /** The rate a spot placement score (1-10, clamped) stands for; see {@link #PER_HOUR_BY_SCORE}. */
  public static double perHourForPlacementScore(int score) {
    return PER_HOUR_BY_SCORE[Math.max(1, Math.min(10, score))];
  }

  /** Where a rate came from, best first. */
  public enum Source {
    /** On-demand capacity is not interrupted. */
    ON_DEMAND,
    /** This cluster's own interruptions of this type in this zone. */
    OBSERVED,
    /** The cloud's spot placement score for the zone (EC2 {@code GetSpotPlacementScores}). */
    PLACEMENT_SCORE,
    /** The job's {@code spec.instances.interruptionsPerHour}. */
    USER,
    /** {@link #DEFAULT_PRIOR_PER_HOUR}. */
    DEFAULT_PRIOR
  }

  /** As below, without a placement score. */
  public static InterruptionRate estimate(InterruptionHistory history, String type, String zone, Double userHint,
      Instant now) {
    return estimate(history, type, zone, OptionalInt.empty(), userHint, now);
  }

  /**
   * The rate for a spot offering: observed (once {@link InterruptionHistory#MIN_EXPOSURE_HOURS} back it, blended
   * with the fallback over {@link #FALLBACK_WEIGHT_HOURS}), else the cloud's placement score for its zone
   * ({@link #perHourForPlacementScore}), else the user's hint, else the default prior. The fallback an observed
   * rate is blended with is the first of the others that is known.
   */
  public static InterruptionRate estimate(InterruptionHistory history, String type, String zone,
      OptionalInt placementScore, Double userHint, Instant now) {
    int score = placementScore.isPresent() ? Math.max(1, Math.min(10, placementScore.getAsInt())) : 0;
    double fallback = score > 0 ? perHourForPlacementScore(score)
        : userHint != null ? userHint : DEFAULT_PRIOR_PER_HOUR;
    var observed = history.observed(type, zone, now);
    if (observed.isPresent()) {
      double hours = observed.get().exposureHours();
      double rate = (observed.get().interruptions() + fallback * FALLBACK_WEIGHT_HOURS) / (hours
          + FALLBACK_WEIGHT_HOURS);
      return new InterruptionRate(rate, Source.OBSERVED, hours, score);
    }
    if (score > 0) {
      return new InterruptionRate(fallback, Source.PLACEMENT_SCORE, 0, score);
    }
    return new InterruptionRate(fallback, userHint != null ? Source.USER : Source.DEFAULT_PRIOR, 0);
  }

  public static InterruptionRate onDemand() {
    return new InterruptionRate(0, Source.ON_DEMAND, 0);
  }

  /** "20.0%/h observed over 14 VM-hours", "3.0%/h from 8/10 placement score", "5.0%/h default prior". */
  public String describe() {
    String pct = String.format(Locale.ROOT, "%.1f%%/h", perHour * 100);
    return switch (source) {
      case ON_DEMAND -> "on-demand, not interrupted";
      case OBSERVED -> pct + " observed over " + String.format(Locale.ROOT, "%.0f", basisHours) + " VM-hours"
          + (placementScore > 0 ? " and " + placementScore + "/10 placement score" : "");
      case PLACEMENT_SCORE -> pct + " from " + placementScore + "/10 placement score";
      case USER -> pct + " from spec.instances.interruptionsPerHour";
      case DEFAULT_PRIOR -> pct + " default prior";
    };
  }
}
