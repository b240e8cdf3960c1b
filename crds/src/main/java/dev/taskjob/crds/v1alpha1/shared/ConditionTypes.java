package dev.taskjob.crds.v1alpha1.shared;

/**
 * Condition types written by the operator. A TaskJob ends with exactly one of {@link #COMPLETE} or
 * {@link #FAILED} set to True; an InstancePool reports {@link #READY}.
 */
public final class ConditionTypes {

  /** The spec passed the operator's semantic checks (task list readable, provider configured). */
  public static final String ACCEPTED = "Accepted";
  /** Tasks are being sent to the task queue (True while loading). */
  public static final String LOADING = "Loading";
  /** Every task is in the task queue. */
  public static final String LOADED = "Loaded";
  /** TaskJob: its pool has the desired number of running instances. InstancePool: the same, for itself. */
  public static final String READY = "Ready";
  /** Every task is terminal; instances are being removed and queues cleaned up. */
  public static final String DRAINING = "Draining";
  /** True while {@code spec.suspend} holds the job with no instances (as for Kubernetes Jobs). */
  public static final String SUSPENDED = "Suspended";
  /** The job finished: every task succeeded or failed for good, and nothing is left running. */
  public static final String COMPLETE = "Complete";
  /** The job cannot finish (bad input, no instance type fits, cloud errors it cannot recover from). */
  public static final String FAILED = "Failed";
  /** The pool cannot get the capacity it wants (capacity or quota errors), and is using fallbacks. */
  public static final String CAPACITY_LIMITED = "CapacityLimited";

  /** spec.budget.maxCost is spent: tasks stopped, the pool at 0, queue and ledger kept until it is raised. */
  public static final String BUDGET_EXHAUSTED = "BudgetExhausted";

  /** spec.dryRun: the job was priced (status.plan) and nothing was created; false starts it. */
  public static final String PLANNED = "Planned";

  private ConditionTypes() {}
}
