package dev.taskjob.operator.reconciler.job;

import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolPhase;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolSpec;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.shared.Durations;
import dev.taskjob.crds.v1alpha1.shared.InstanceRequirements;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import dev.taskjob.crds.v1alpha1.shared.WorkerSpec;
import dev.taskjob.operator.decision.BudgetLimit;
import dev.taskjob.operator.decision.JobTransitions;
import dev.taskjob.operator.decision.PoolSizing;
import dev.taskjob.operator.progress.JobProgress;
import dev.taskjob.operator.reconciler.ControllerPolicy;
import dev.taskjob.operator.reconciler.pool.PoolCost;
import dev.taskjob.operator.selection.Candidate;
import dev.taskjob.operator.selection.CostRanking;
import dev.taskjob.operator.selection.Selection;
import dev.taskjob.operator.validation.JobStartupScripts;
import dev.taskjob.operator.validation.TaskJobValidator;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's InstancePool, its one child object: created and sized from the tasks that remain, scaled
 * to zero by the drain, read back for its instances and its failure. The pool's own controller chooses
 * the instance type and runs the VMs.
 */
final class JobPools {

  private static final Logger LOG = LoggerFactory.getLogger(JobPools.class);

  private final JobServices services;

  JobPools(JobServices services) {
    this.services = services;
  }

  /**
   * Creates the job's pool or resizes it to the tasks that remain, within the live budget and
   * {@code instanceCap} (a running pilot's one instance; null for none).
   */
  InstancePool ensure(TaskJob job, TaskJobSpec spec, TaskJobStatus status, JobRuntime runtime,
      JobProgress.Snapshot progress, InstancePool pool, Integer instanceCap, Instant now) {
    Candidate candidate = candidateFor(runtime.selection, pool);
    PoolSizing.Sizing sizing = PoolSizing.size(progress.remaining(), candidate.slots(), candidate.type().vcpus(),
        candidate.pricePerHour(), TaskJobValidator.budgetOf(spec.getInstances()));
    int wanted = instanceCap == null ? sizing.instances() : Math.min(sizing.instances(), instanceCap);
    if (pool == null) {
      pool = read(job);
    }
    BudgetLimit.Result budget = BudgetLimit.decide(new BudgetLimit.Inputs(
        spec.getBudget() == null ? null : spec.getBudget().getMaxCost(), spentUntil(pool, status, now),
        candidate.pricePerHour(), wanted, ControllerPolicy.MAX_RECONCILIATION_INTERVAL,
        gracePeriod(spec)));
    reportBudget(job, status, budget, now);
    int desired = budget.instances();
    status.setInstancesDesired(desired);
    if (pool == null) {
      pool = services.client().resource(newPool(job, spec, status, desired)).create();
      services.events().normal(job, "PoolCreated", "InstancePool " + pool.getMetadata().getName() + " created with "
          + desired + " instances (" + (wanted < sizing.instances() ? "pilot" : sizing.limitedBy()) + ")");
      return pool;
    }
    pool = recordTaskDuration(pool, runtime.progress.taskTimes());
    if (!Objects.equals(pool.getSpec().getCount(), desired)) {
      LOG.info("job {}: pool {} -> {} instances ({} tasks remain, limited by {})", JobServices.name(job),
          pool.getSpec().getCount(), desired, progress.remaining(),
          wanted < sizing.instances() ? "pilot" : sizing.limitedBy());
      pool = scale(pool, desired);
    }
    return pool;
  }

  /** A suspended job's pool goes to zero; its controller stops the workers gracefully (tasks go back to the queue). */
  void suspend(TaskJob job, InstancePool pool) {
    InstancePool current = pool != null ? pool : read(job);
    if (current != null && !Objects.equals(current.getSpec().getCount(), 0)) {
      LOG.info("job {}: suspended; pool {} -> 0 instances", JobServices.name(job), current.getSpec().getCount());
      scale(current, 0);
    }
  }

  /** What the job has spent until now: its pool's bill (each VM from launch to now at its price), else the status. */
  private static double spentUntil(InstancePool pool, TaskJobStatus status, Instant now) {
    if (pool != null && pool.getStatus() != null && pool.getStatus().getCostSoFar() != null) {
      return PoolCost.billed(pool, now);
    }
    return status.getCostSoFar() == null ? 0 : status.getCostSoFar();
  }

  private static Duration gracePeriod(TaskJobSpec spec) {
    String grace = spec.getWorker() == null ? null : spec.getWorker().getShutdownGracePeriod();
    return Durations.parseOrDefault("spec.worker.shutdownGracePeriod", grace,
        Durations.parse(WorkerSpec.DEFAULT_SHUTDOWN_GRACE_PERIOD));
  }

  /** BudgetExhausted in conditions while the budget holds the pool at 0, with an Event when it starts. */
  private void reportBudget(TaskJob job, TaskJobStatus status, BudgetLimit.Result budget, Instant now) {
    if (budget.verdict() == BudgetLimit.Verdict.UNLIMITED) {
      Conditions.find(status.getConditions(), ConditionTypes.BUDGET_EXHAUSTED).ifPresent(c -> Conditions.set(
          status.getConditions(), ConditionTypes.BUDGET_EXHAUSTED, Condition.FALSE, "NoBudget",
          "spec.budget.maxCost is not set", JobServices.generation(job), now));
      return;
    }
    boolean exhausted = budget.verdict() == BudgetLimit.Verdict.EXHAUSTED;
    boolean before = Conditions.isTrue(status.getConditions(), ConditionTypes.BUDGET_EXHAUSTED);
    Conditions.set(status.getConditions(), ConditionTypes.BUDGET_EXHAUSTED, exhausted ? Condition.TRUE
        : Condition.FALSE, exhausted ? "BudgetExhausted" : budget.verdict() == BudgetLimit.Verdict.LIMITED
        ? "BudgetLimited" : "WithinBudget", budget.message(), JobServices.generation(job), now);
    if (exhausted && !before) {
      services.events().warning(job, "BudgetExhausted", budget.message());
      LOG.info("job {}: {}", JobServices.name(job), budget.message());
    } else if (!exhausted && before) {
      services.events().normal(job, "BudgetResumed", budget.message());
    }
  }

  /** Tells the pool how long tasks run, from the ledger, so it ranks instance types by cost per completed task. */
  private InstancePool recordTaskDuration(InstancePool pool, JobProgress.TaskTimes measured) {
    InstancePoolSpec ps = pool.getSpec();
    Duration recorded = ps.getTaskDuration() == null ? null
        : Durations.parseOrDefault("spec.taskDuration", ps.getTaskDuration(), null);
    long samples = ps.getTaskDurationSamples() == null ? 0 : ps.getTaskDurationSamples();
    // The field holds whole seconds: a sub-second mean is recorded as 1s, and compared as such.
    Duration mean = measured.mean() == null ? null
        : measured.mean().compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : measured.mean();
    if (!CostRanking.TaskDuration.worthRecording(recorded, samples, mean, measured.count())) {
      return pool;
    }
    return services.client().resources(InstancePool.class).inNamespace(pool.getMetadata().getNamespace())
        .withName(pool.getMetadata().getName()).patch(PatchContext.of(PatchType.JSON_MERGE),
            "{\"spec\":{\"taskDuration\":\"" + Durations.format(mean) + "\",\"taskDurationSamples\":"
                + measured.count() + "}}");
  }

  /** A pool that gave up (workers never started, no type fits any more) fails the job; it then drains. */
  void checkFailure(TaskJob job, TaskJobStatus status, InstancePool pool, Instant now) {
    if (pool == null || pool.getStatus() == null || pool.getStatus().getPhase() != InstancePoolPhase.FAILED) {
      return;
    }
    Condition failed = Conditions.find(pool.getStatus().getConditions(), ConditionTypes.FAILED)
        .orElse(new Condition(ConditionTypes.FAILED, Condition.TRUE, "PoolFailed", "instance pool failed"));
    Conditions.set(status.getConditions(), ConditionTypes.FAILED, Condition.TRUE, failed.getReason(),
        "instance pool " + pool.getMetadata().getName() + ": " + failed.getMessage(), JobServices.generation(job), now);
    JobTransitions.startDraining(status, failed.getReason(), "the instance pool failed: " + failed.getMessage(),
        JobServices.generation(job), now).ifPresent(n -> services.record(job, n));
  }

  /**
   * The pool as the cluster holds it now. The informer's copy may lag behind a create or scale this
   * process just made; this read is for the drain and deletion, which must not act on a stale count.
   */
  InstancePool read(TaskJob job) {
    return services.client().resources(InstancePool.class).inNamespace(job.getMetadata().getNamespace())
        .withName(job.getMetadata().getName()).get();
  }

  InstancePool scale(InstancePool pool, int count) {
    return services.client().resources(InstancePool.class).inNamespace(pool.getMetadata().getNamespace())
        .withName(pool.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"count\":" + count + "}}");
  }

  boolean gone(TaskJob job) {
    InstancePool pool = read(job);
    return pool == null || isDrained(pool);
  }

  /**
   * Scaled to zero, seen by its controller at that generation, no VM left in any live, stopping or stopped
   * state, and no disk of its VMs left (a preempted VM the cloud stopped keeps its disk until deleted): a disk
   * count the pool's controller has not written yet (its disk list not answered) is not taken for none.
   */
  static boolean isDrained(InstancePool pool) {
    InstancePoolStatus s = pool.getStatus();
    return s != null && Objects.equals(pool.getSpec().getCount(), 0)
        && s.getObservedGeneration() != null && s.getObservedGeneration() >= pool.getMetadata().getGeneration()
        && orZero(s.getPending()) == 0 && orZero(s.getRunning()) == 0 && orZero(s.getTerminating()) == 0
        && s.getDisksLeft() != null && s.getDisksLeft() == 0;
  }

  static int liveInstances(InstancePool pool) {
    InstancePoolStatus s = pool.getStatus();
    return s == null ? 0 : orZero(s.getPending()) + orZero(s.getRunning()) + orZero(s.getTerminating());
  }

  static int runningInstances(InstancePool pool) {
    return pool.getStatus() == null ? 0 : orZero(pool.getStatus().getRunning());
  }

  /** Task slots of one instance of the type the pool launches. */
  static int slotsPerInstance(Selection selection, InstancePool pool) {
    return candidateFor(selection, pool).slots();
  }

  /** The type the pool launches, as ranked for the job (the job's best before the pool has chosen). */
  static Candidate candidateFor(Selection selection, InstancePool pool) {
    String type = pool == null || pool.getStatus() == null ? null : pool.getStatus().getInstanceType();
    if (type != null) {
      for (Candidate c : selection.ranked()) {
        if (c.typeName().equals(type) && Objects.equals(c.spot(), pool.getStatus().getSpot())) {
          return c;
        }
      }
    }
    return selection.best();
  }

  private InstancePool newPool(TaskJob job, TaskJobSpec spec, TaskJobStatus status, int count) {
    InstancePool pool = new InstancePool();
    pool.getMetadata().setName(job.getMetadata().getName());
    pool.getMetadata().setNamespace(job.getMetadata().getNamespace());
    pool.getMetadata().setLabels(Map.of("taskjob.dev/job", job.getMetadata().getName(),
        "app.kubernetes.io/managed-by", "taskjob-operator"));
    pool.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder()
        .withApiVersion(job.getApiVersion()).withKind(job.getKind()).withName(job.getMetadata().getName())
        .withUid(job.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build()));
    InstancePoolSpec ps = new InstancePoolSpec();
    ps.setProvider(spec.getProvider());
    ps.setRegion(spec.getRegion());
    ps.setZones(spec.getZones());
    ps.setProject(spec.getProject());
    ps.setCredentials(spec.getCredentials());
    InstanceRequirements instances = spec.getInstances() == null ? new InstanceRequirements() : spec.getInstances();
    ps.setInstances(instances);
    ps.setSpot(Boolean.TRUE.equals(instances.getSpot()));
    ps.setCount(count);
    ps.setCpusPerTask(spec.getWorker().getCpusPerTask());
    ps.setMemoryPerTaskGiB(spec.getWorker().getMemoryPerTaskGiB());
    ps.setTasksPerInstance(spec.getWorker().getSimultaneousTasks());
    ps.setTaskDuration(spec.getWorker().getExpectedTaskDuration());
    QueueSettings queueSettings = WorkerEnvironment.queueSettings(status.getQueueName(), spec.getWorker());
    Map<String, String> environment = new TreeMap<>(
        WorkerEnvironment.of(job, spec, queueSettings, services.settings().heartbeatInterval()));
    environment.putAll(JobStartupScripts.environment(services.client(), job.getMetadata().getNamespace(),
        spec.getWorker().getStartupScript()));
    ps.setWorkerEnvironment(environment);
    ps.setStartupTimeout(Durations.format(services.settings().workerStartupTimeout()));
    ps.setHeartbeatTimeout(Durations.format(services.settings().workerHeartbeatTimeout()));
    pool.setSpec(ps);
    return pool;
  }

  private static int orZero(Integer v) {
    return v == null ? 0 : v;
  }
}
