package dev.taskjob.operator.reconciler.job;

import dev.taskjob.crds.v1alpha1.shared.Durations;
import dev.taskjob.crds.v1alpha1.taskjob.PilotStatus;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import dev.taskjob.operator.decision.PilotDecision;
import dev.taskjob.operator.decision.PricedPlan;
import dev.taskjob.operator.progress.JobProgress;
import dev.taskjob.operator.selection.CostRanking;
import dev.taskjob.operator.validation.Constraints;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spec.pilot}: the job's first tasks run on one instance; when they have finished, the rest is
 * priced from their measured run times ({@code status.plan}) and the pool may grow. The rule is
 * {@link PilotDecision}; this class observes the ledger, reports the stage and plans the rest once.
 */
final class JobPilot {

  private static final Logger LOG = LoggerFactory.getLogger(JobPilot.class);
  /** Alternatives kept in status. */
  private static final int ALTERNATIVES = 3;

  private final JobServices services;

  JobPilot(JobServices services) {
    this.services = services;
  }

  /** Reports the pilot's progress; plans the rest when it ends. @return the pool's instance cap now, or null */
  Integer observe(TaskJob job, TaskJobSpec spec, TaskJobStatus status, JobRuntime runtime,
      JobProgress.Snapshot progress, Instant now) {
    // observe
    long finished = progress.succeeded() + progress.failed();
    PilotStatus pilot = status.getPilot();
    boolean finishedBefore = pilot != null && PilotStatus.FINISHED.equals(pilot.getStage());
    // decide
    PilotDecision.Decision decision = PilotDecision.decide(new PilotDecision.Inputs(
        spec.getPilot() == null ? null : spec.getPilot().getTasks(), progress.total(), finished, finishedBefore));
    if (decision.stage() == PilotDecision.Stage.NONE || (finishedBefore && !decision.justFinished())) {
      return decision.instanceCap();
    }
    // act and report
    PilotStatus next = pilot == null ? new PilotStatus() : pilot;
    next.setTasks(decision.pilotTasks());
    next.setFinished(Math.min(finished, decision.pilotTasks()));
    if (decision.stage() == PilotDecision.Stage.RUNNING) {
      next.setStage(PilotStatus.RUNNING);
      status.setPilot(next);
      return decision.instanceCap();
    }
    JobProgress.TaskTimes times = runtime.progress.taskTimes();
    next.setStage(PilotStatus.FINISHED);
    next.setMeanTaskDuration(times.mean() == null ? null : Durations.format(times.mean()));
    status.setPilot(next);
    services.events().normal(job, "PilotFinished", "Pilot finished: " + decision.pilotTasks() + " tasks"
        + (times.mean() == null ? "" : ", mean run time " + Durations.format(times.mean())) + "; "
        + planRest(job, spec, status, runtime, progress.remaining(), times, now));
    return decision.instanceCap();
  }

  /** Prices the tasks that remain from the measured run times into status.plan. @return the plan in one line */
  private String planRest(TaskJob job, TaskJobSpec spec, TaskJobStatus status, JobRuntime runtime, long remaining,
      JobProgress.TaskTimes times, Instant now) {
    if (remaining <= 0) {
      return "no task remains";
    }
    try {
      PricedPlan.Priced priced = PricedPlan.price(runtime.selection, Constraints.of(spec.getInstances(),
          spec.getZones(), spec.getWorker().getCpusPerTask(), spec.getWorker().getMemoryPerTaskGiB(),
          spec.getWorker().getSimultaneousTasks(), null), spec, remaining,
          CostRanking.TaskDuration.of(times.mean(), times.count(), PricedPlan.expectedTaskDuration(spec)),
          ALTERNATIVES, now);
      status.setPlan(priced.toStatus());
      var chosen = priced.plan().chosen();
      String line = "the other " + remaining + " tasks on " + chosen.instances() + " x "
          + chosen.offering().offering() + ": about " + Durations.format(chosen.makespan()) + " and "
          + PricedPlan.usd(chosen.cost()) + " (" + PricedPlan.usd(chosen.costLow()) + " to "
          + PricedPlan.usd(chosen.costHigh()) + "), see status.plan";
      LOG.info("job {}: pilot finished, {}", JobServices.name(job), line);
      return line;
    } catch (IllegalArgumentException e) {
      LOG.info("job {}: pilot finished, rest not priced: {}", JobServices.name(job), e.getMessage());
      return "the rest could not be priced: " + e.getMessage();
    }
  }
}
