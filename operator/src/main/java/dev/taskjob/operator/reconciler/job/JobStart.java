package dev.taskjob.operator.reconciler.job;

import dev.taskjob.core.queue.QueueNames;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import dev.taskjob.operator.decision.JobTransitions;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.progress.JobProgress;
import dev.taskjob.operator.selection.Candidate;
import dev.taskjob.operator.validation.Invalid;
import dev.taskjob.operator.validation.TaskJobValidator;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A new job: validated; on success its ledger and queues are created and it moves to Loading. */
final class JobStart {

  private static final Logger LOG = LoggerFactory.getLogger(JobStart.class);

  private final JobServices services;
  private final JobRuntimes runtimes;
  private final TaskJobValidator validator;
  private final JobDryRun dryRun;

  JobStart(JobServices services, JobRuntimes runtimes) {
    this.services = services;
    this.runtimes = runtimes;
    this.validator = new TaskJobValidator(services.client(), services.providers());
    this.dryRun = new JobDryRun(services);
  }

  /** Validates; nothing is created for a job that cannot start. @return when to look next, or null */
  Duration start(TaskJob job, TaskJobStatus status, Instant now) {
    boolean failedBefore = status.getPhase() == TaskJobPhase.FAILED;
    if (failedBefore && Objects.equals(status.getObservedGeneration(), job.getMetadata().getGeneration())) {
      return null;
    }
    if (job.getSpec().dryRunOnly() && JobDryRun.planned(job, status)) {
      return null;
    }
    TaskJobValidator.Result result = validator.validate(job);
    if (!result.isValid()) {
      return refuse(job, status, result.invalid(), now);
    }
    TaskJobValidator.Valid valid = result.valid();
    if (job.getSpec().dryRunOnly()) {
      dryRun.plan(job, status, valid, now);
      return null;
    }
    TaskJobSpec spec = job.getSpec();
    String queueName = QueueNames.derive(job.getMetadata().getNamespace(), job.getMetadata().getName(),
        job.getMetadata().getUid());
    QueueSettings queueSettings = WorkerEnvironment.queueSettings(queueName, spec.getWorker());
    LedgerStore.Stored stored = services.ledgers().create(job, new Ledger(valid.tasks().size(),
        WorkerEnvironment.maxAttempts(spec.getWorker())),
        JobSpecs.snapshot(spec), valid.tasks().digest());
    if (!valid.secretEnv().isEmpty()) {
      // Before any VM exists; a retry after a failure later in this method stores the same values again.
      services.providers().secrets(valid.provider()).orElseThrow()
          .put(WorkerEnvironment.secretScope(queueName), valid.secretEnv());
      LOG.info("job {}: {} secret env values stored for the workers ({})", JobServices.name(job),
          valid.secretEnv().size(), String.join(", ", valid.secretEnv().keySet()));
    }
    TaskQueue queue = services.providers().queue(valid.provider(), queueSettings);
    queue.ensure();

    JobRuntime runtime = new JobRuntime(job.getMetadata().getUid(), valid.provider(), queue,
        new JobProgress(stored.ledger(), services.heartbeats(), services.settings().workerHeartbeatTimeout()),
        valid.selection());
    runtime.tasks = valid.tasks();
    runtime.startedSpec = stored.specJson();
    runtimes.started(job, runtime);

    Candidate best = valid.selection().best();
    Long generation = JobServices.generation(job);
    String time = now.toString();
    status.setPhase(TaskJobPhase.LOADING);
    status.setQueueName(queueName);
    status.setLedgerConfigMap(LedgerStore.nameFor(job));
    status.setTotal(valid.tasks().size());
    status.setLoaded(0L);
    status.setStartTime(time);
    status.setLoadStartTime(time);
    status.setInstanceType(best.typeName());
    status.setSpot(best.spot());
    status.setPricePerHour(best.pricePerHour());
    status.setMessage("loading " + valid.tasks().size() + " tasks");
    Conditions.set(status.getConditions(), ConditionTypes.ACCEPTED, Condition.TRUE, "Validated",
        valid.tasks().size() + " tasks; instance type " + best.typeName() + (best.spot() ? " (spot)" : "") + " at "
            + String.format("%.4f", best.pricePerHour()) + " USD/hour" + diskPart(best), generation, now);
    Conditions.set(status.getConditions(), ConditionTypes.LOADING, Condition.TRUE, "LoadingTasks",
        "0 of " + valid.tasks().size() + " tasks queued", generation, now);
    Conditions.set(status.getConditions(), ConditionTypes.LOADED, Condition.FALSE, "LoadingTasks", "", generation, now);
    if (failedBefore) {
      Conditions.set(status.getConditions(), ConditionTypes.FAILED, Condition.FALSE, "Validated", "", generation, now);
    }
    JobDryRun.started(status, generation, now);
    services.events().normal(job, "Accepted", "Loading " + valid.tasks().size() + " tasks into queue " + queueName
        + "; instance type " + best.typeName() + " at " + String.format("%.4f", best.pricePerHour()) + " USD/hour"
        + diskPart(best));
    LOG.info("job {}: accepted, {} tasks, queue {}, type {}", JobServices.name(job), valid.tasks().size(), queueName,
        best.typeName());
    return Duration.ofMillis(10);
  }

  /** Reports why a job cannot start: a condition naming the field, an Event; nothing created. */
  private Duration refuse(TaskJob job, TaskJobStatus status, Invalid invalid, Instant now) {
    boolean pending = JobTransitions.refuse(status, invalid.reason(), invalid.message(), invalid.mayResolveItself(),
        JobServices.generation(job), now);
    services.events().warning(job, invalid.reason(), invalid.message());
    LOG.info("job {}: not started, {}: {}", JobServices.name(job), invalid.reason(), invalid.message());
    return pending ? services.settings().resyncInterval().multipliedBy(2) : null;
  }

  /** " (instance $x/hour + disk N GiB $y/hour)" when the boot disk is priced: the status says what the price holds. */
  private static String diskPart(Candidate best) {
    return best.price().diskPerHour() > 0 ? " (" + best.price().describe() + ")" : "";
  }
}
