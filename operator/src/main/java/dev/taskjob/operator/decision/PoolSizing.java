package dev.taskjob.operator.decision;

/**
 * How many instances a job wants: enough slots for the tasks that have no result yet, within the
 * budget. Never more instances than remaining tasks, so a job near its end does not keep (or start)
 * a pool at its cap for the last few tasks.
 *
 * <p>The count is sized at the selected offering's price, but a create that falls back to a dearer zone
 * or type costs more; {@link #fits} is the check every single launch passes, against what the VMs
 * already alive use, so the pool never goes past a cap, whatever the fallback.
 */
public final class PoolSizing {

  /** The limits from {@code spec.instances}; null fields are unlimited. */
  public record Budget(int minInstances, Integer maxInstances, Integer maxTotalCpus, Double maxPricePerHour) {}

  /**
   * What the VMs alive (or being created) take of the budget.
   *
   * @param instances how many
   * @param vcpus their vCPUs
   * @param pricePerHour their USD per hour, each at its own zone's and market's price
   */
  public record Spend(int instances, int vcpus, double pricePerHour) {
    public static final Spend NONE = new Spend(0, 0, 0);

    public Spend plus(int vcpusOfOne, double priceOfOne) {
      return new Spend(instances + 1, vcpus + vcpusOfOne, pricePerHour + priceOfOne);
    }

    public Spend minus(int vcpusOfOne, double priceOfOne) {
      return new Spend(instances - 1, vcpus - vcpusOfOne, pricePerHour - priceOfOne);
    }
  }

  /** Which input decided the count. */
  public enum LimitedBy { NO_TASKS, TASKS, MIN_INSTANCES, MAX_INSTANCES, MAX_TOTAL_CPUS, MAX_PRICE_PER_HOUR }

  /** The decision and why. */
  public record Sizing(int instances, LimitedBy limitedBy) {}

  private PoolSizing() {}

  /**
   * @param remainingTasks tasks without a final result (queued, leased or not yet loaded)
   * @param slotsPerInstance tasks one instance runs at once (at least 1)
   * @param vcpusPerInstance vCPUs of the selected type
   * @param pricePerInstance USD per hour of the selected type
   */
  public static Sizing size(long remainingTasks, int slotsPerInstance, int vcpusPerInstance, double pricePerInstance,
      Budget budget) {
    if (remainingTasks <= 0) {
      return new Sizing(0, LimitedBy.NO_TASKS);
    }
    int cap = maxAffordable(vcpusPerInstance, pricePerInstance, budget);
    long needed = (remainingTasks + Math.max(1, slotsPerInstance) - 1) / Math.max(1, slotsPerInstance);
    long count = needed;
    LimitedBy by = LimitedBy.TASKS;
    if (budget.minInstances() > count) {
      count = Math.min(budget.minInstances(), remainingTasks);
      by = count == remainingTasks ? LimitedBy.TASKS : LimitedBy.MIN_INSTANCES;
    }
    if (count > cap) {
      count = cap;
      by = capReason(vcpusPerInstance, pricePerInstance, budget, cap);
    }
    return new Sizing((int) count, by);
  }

  /**
   * Whether one more VM of {@code vcpus} at {@code pricePerHour} (its zone's price) keeps the VMs alive
   * within every cap of the budget.
   */
  public static boolean fits(Spend alive, int vcpus, double pricePerHour, Budget budget) {
    if (budget.maxInstances() != null && alive.instances() + 1 > budget.maxInstances()) {
      return false;
    }
    if (budget.maxTotalCpus() != null && alive.vcpus() + vcpus > budget.maxTotalCpus()) {
      return false;
    }
    // The same tolerance as maxAffordable, so that 3 x 0.1 fits in 0.3.
    return budget.maxPricePerHour() == null || alive.pricePerHour() + pricePerHour <= budget.maxPricePerHour() + 1e-9;
  }

  /** The most instances the budget allows for this type (0 when it allows none). */
  public static int maxAffordable(int vcpusPerInstance, double pricePerInstance, Budget budget) {
    long cap = budget.maxInstances() == null ? Integer.MAX_VALUE : budget.maxInstances();
    if (budget.maxTotalCpus() != null && vcpusPerInstance > 0) {
      cap = Math.min(cap, budget.maxTotalCpus() / vcpusPerInstance);
    }
    if (budget.maxPricePerHour() != null && pricePerInstance > 0) {
      // A small tolerance so that 3 x 0.1 fits in 0.3.
      cap = Math.min(cap, (long) Math.floor(budget.maxPricePerHour() / pricePerInstance + 1e-9));
    }
    return (int) Math.max(0, cap);
  }

  private static LimitedBy capReason(int vcpus, double price, Budget budget, int cap) {
    if (budget.maxPricePerHour() != null && price > 0
        && (long) Math.floor(budget.maxPricePerHour() / price + 1e-9) == cap) {
      return LimitedBy.MAX_PRICE_PER_HOUR;
    }
    if (budget.maxTotalCpus() != null && vcpus > 0 && budget.maxTotalCpus() / vcpus == cap) {
      return LimitedBy.MAX_TOTAL_CPUS;
    }
    return LimitedBy.MAX_INSTANCES;
  }
}
