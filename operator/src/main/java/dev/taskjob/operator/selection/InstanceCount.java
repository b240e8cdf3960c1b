package dev.taskjob.operator.selection;

/**
 * How many instances of a candidate to run:
 * {@code min(maxInstances, floor(maxPricePerHour / price), floor(maxTotalCpus / vCPUs), ceil(remainingTasks / slots))},
 * never below {@code minInstances}.
 *
 * <p>The budget ({@code maxPricePerHour}) caps the pool above {@code minInstances} only: a user who asks for
 * a minimum gets it even when it costs more than the budget, because the minimum is the more specific
 * instruction. The selector already excludes types where one instance alone exceeds the budget. The count
 * assumes every instance is of this candidate's type; a pool running a mix of fallback types subtracts what
 * its other instances cost from the budget before calling {@link #of(InstanceConstraints, Candidate, long, double)}.
 *
 * @param count instances to run
 * @param limitedBy the bound that set the count: {@code remainingTasks}, {@code maxInstances},
 *     {@code maxPricePerHour}, {@code maxTotalCpus} or {@code minInstances}
 */
public record InstanceCount(int count, String limitedBy) {

  /** The count for a pool that runs only this candidate. */
  public static InstanceCount of(InstanceConstraints constraints, Candidate candidate, long remainingTasks) {
    return of(constraints, candidate, remainingTasks, 0);
  }

  /**
   * The count when {@code alreadySpentPerHour} of the budget goes to instances of other types.
   *
   * @throws IllegalArgumentException when remainingTasks is negative
   */
  public static InstanceCount of(InstanceConstraints constraints, Candidate candidate, long remainingTasks,
      double alreadySpentPerHour) {
    if (remainingTasks < 0) {
      throw new IllegalArgumentException("remainingTasks must not be negative, got " + remainingTasks);
    }
    long count = (remainingTasks + candidate.slots() - 1) / candidate.slots();
    String limitedBy = "remainingTasks";
    if (constraints.maxInstances() != null && constraints.maxInstances() < count) {
      count = constraints.maxInstances();
      limitedBy = "maxInstances";
    }
    if (constraints.maxPricePerHour() != null && candidate.pricePerHour() > 0) {
      double left = Math.max(0, constraints.maxPricePerHour() - alreadySpentPerHour);
      long byBudget = (long) Math.floor(left / candidate.pricePerHour() + 1e-9);
      if (byBudget < count) {
        count = byBudget;
        limitedBy = "maxPricePerHour";
      }
    }
    if (constraints.maxTotalCpus() != null) {
      long byCpus = constraints.maxTotalCpus() / candidate.type().vcpus();
      if (byCpus < count) {
        count = byCpus;
        limitedBy = "maxTotalCpus";
      }
    }
    int min = constraints.minInstances() == null ? 0 : constraints.minInstances();
    if (count < min) {
      return new InstanceCount(min, "minInstances");
    }
    return new InstanceCount((int) Math.min(count, Integer.MAX_VALUE), limitedBy);
  }
}
