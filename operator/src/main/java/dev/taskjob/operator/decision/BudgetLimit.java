package dev.taskjob.operator.decision;

import java.time.Duration;
import java.util.Locale;

/**
 * How many instances a job with a dollar budget ({@code spec.budget.maxCost}, USD for the whole job) may
 * keep. Every instance kept or launched now may bill until the next look, then for the grace period its
 * tasks get to finish, plus a minute (the cloud's minimum bill, the time it takes to stop): the {@link #horizon}. The pool is held to the
 * instances whose cost over that horizon still fits in what is left; when not even one fits the job is
 * exhausted: it stops leasing, the pool goes to 0, and queue and ledger are kept for a raised budget.
 */
public final class BudgetLimit {

  /** The shortest time a cloud bills a VM for (EC2 and Compute Engine: one minute). */
  public static final Duration MINIMUM_BILLED = Duration.ofMinutes(1);

  /** What the budget allows. */
  public enum Verdict {
    /** No {@code maxCost}: the pool is sized as before. */
    UNLIMITED,
    /** The budget allows every instance the work wants. */
    WITHIN,
    /** Fewer instances than the work wants, so the rest of the budget lasts. */
    LIMITED,
    /** Not even one instance fits in what is left: stop leasing, scale to 0, keep queue and ledger. */
    EXHAUSTED
  }

  /**
   * @param maxCost the job's budget in USD, or null for none
   * @param spent USD accrued so far, at full precision
   * @param pricePerInstance USD per hour of one instance of the chosen type
   * @param wanted instances the work and the other limits ask for
   * @param lookInterval longest time until the job is looked at again
   * @param gracePeriod how long running tasks may finish after their VM is told to stop
   */
  public record Inputs(Double maxCost, double spent, double pricePerInstance, int wanted, Duration lookInterval,
      Duration gracePeriod) {}

  /** The decision, with a message for status and Events. */
  public record Result(int instances, Verdict verdict, String message) {}

  private BudgetLimit() {}

  /**
   * Time an instance kept now may still bill: until the next look, then the grace period, plus a minute for
   * a new VM's minimum bill and for the cloud to stop it.
   */
  public static Duration horizon(Duration lookInterval, Duration gracePeriod) {
    return lookInterval.plus(gracePeriod).plus(MINIMUM_BILLED);
  }

  public static Result decide(Inputs in) {
    if (in.maxCost() == null) {
      return new Result(in.wanted(), Verdict.UNLIMITED, "");
    }
    double left = in.maxCost() - in.spent();
    double hours = horizon(in.lookInterval(), in.gracePeriod()).toMillis() / 3_600_000.0;
    double perInstance = in.pricePerInstance() * hours;
    int affordable = perInstance <= 0 ? Integer.MAX_VALUE : (int) Math.max(0, Math.floor(left / perInstance + 1e-9));
    String spentLine = String.format(Locale.ROOT, "spent $%.4f of spec.budget.maxCost $%.4f", in.spent(),
        in.maxCost());
    if (affordable == 0 && in.wanted() > 0) {
      return new Result(0, Verdict.EXHAUSTED, spentLine + "; not even one instance fits in the $"
          + String.format(Locale.ROOT, "%.4f", Math.max(0, left)) + " left: tasks stopped, queue and ledger kept;"
          + " raise spec.budget.maxCost to resume");
    }
    if (affordable < in.wanted()) {
      return new Result(affordable, Verdict.LIMITED, spentLine + "; " + affordable + " of " + in.wanted()
          + " instances fit in what is left");
    }
    return new Result(in.wanted(), Verdict.WITHIN, spentLine);
  }
}
