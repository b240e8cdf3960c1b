package dev.taskjob.operator.reconciler.job;

import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.taskjob.PlanStatus;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import dev.taskjob.operator.decision.PricedPlan;
import dev.taskjob.operator.validation.TaskJobValidator;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spec.dryRun: true}: a valid job is priced as {@code taskjob plan} prices it and the plan written to
 * {@code status.plan}; no ledger, queue, pool or instance is created. Once per generation, so a job whose
 * dryRun turns false starts at the next reconcile.
 */
final class JobDryRun {

  private static final Logger LOG = LoggerFactory.getLogger(JobDryRun.class);
  /** Alternatives kept in status. */
  private static final int ALTERNATIVES = 3;

  private final JobServices services;

  JobDryRun(JobServices services) {
    this.services = services;
  }

  /** Whether this generation of a dry-run job has been priced already. */
  static boolean planned(TaskJob job, TaskJobStatus status) {
    return status.getPlan() != null && Objects.equals(status.getObservedGeneration(), JobServices.generation(job))
        && Conditions.isTrue(status.getConditions(), ConditionTypes.PLANNED);
  }

  /** Prices the valid job into its status, or refuses it when its caps allow no instance of any type. */
  void plan(TaskJob job, TaskJobStatus status, TaskJobValidator.Valid valid, Instant now) {
    Long generation = JobServices.generation(job);
    long tasks = valid.tasks().size();
    PricedPlan.Priced priced;
    try {
      priced = PricedPlan.price(valid.selection(), valid.constraints(), job.getSpec(), tasks, (java.time.Duration) null,
          ALTERNATIVES, now);
    } catch (IllegalArgumentException e) {
      Conditions.set(status.getConditions(), ConditionTypes.PLANNED, Condition.FALSE, "NotPlanned", e.getMessage(),
          generation, now);
      services.events().warning(job, "NotPlanned", e.getMessage());
      return;
    }
    PlanStatus plan = priced.toStatus();
    String summary = tasks + " tasks on " + plan.getInstances() + " x " + plan.getInstanceType()
        + (Boolean.TRUE.equals(plan.getSpot()) ? " (spot)" : "") + ": about " + plan.getMakespan() + " and "
        + PricedPlan.usd(priced.plan().chosen().cost()) + " (" + PricedPlan.usd(priced.plan().chosen().costLow())
        + " to " + PricedPlan.usd(priced.plan().chosen().costHigh()) + ")";
    status.setPhase(TaskJobPhase.PENDING);
    status.setTotal(tasks);
    status.setPlan(plan);
    status.setMessage("dry run: " + summary + "; nothing created; set spec.dryRun to false to start");
    Conditions.set(status.getConditions(), ConditionTypes.ACCEPTED, Condition.TRUE, "Validated",
        tasks + " tasks; dry run", generation, now);
    if (Conditions.find(status.getConditions(), ConditionTypes.FAILED).isPresent()) {
      Conditions.set(status.getConditions(), ConditionTypes.FAILED, Condition.FALSE, "Validated", "", generation, now);
    }
    Conditions.set(status.getConditions(), ConditionTypes.PLANNED, Condition.TRUE, "DryRun", summary, generation,
        now);
    services.events().normal(job, "Planned", "Dry run: " + summary + "; see status.plan");
    LOG.info("job {}: dry run, {}", JobServices.name(job), summary);
  }

  /** A job priced before and now started: its Planned condition says the plan is history. */
  static void started(TaskJobStatus status, Long generation, Instant now) {
    if (Conditions.find(status.getConditions(), ConditionTypes.PLANNED).isPresent()) {
      Conditions.set(status.getConditions(), ConditionTypes.PLANNED, Condition.FALSE, "DryRunEnded",
          "spec.dryRun is false: the job started; status.plan keeps the plan it was priced at", generation, now);
    }
  }
}
