package dev.taskjob.operator.reconciler;

import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.OwnerTags;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.queue.QueueDepth;
import dev.taskjob.core.queue.QueueNames;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.operator.load.LoadException;
import dev.taskjob.operator.load.LoadOptions;
import dev.taskjob.operator.load.TaskLoader;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolPhase;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolSpec;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.shared.Durations;
import dev.taskjob.crds.v1alpha1.shared.InstanceRequirements;
import dev.taskjob.crds.v1alpha1.taskjob.CleanupPolicy;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.cloud.ProviderAccess;
import dev.taskjob.operator.decision.CostMeter;
import dev.taskjob.operator.decision.DrainDecision;
import dev.taskjob.operator.decision.PoolSizing;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.metrics.OperatorMetrics;
import dev.taskjob.operator.progress.Heartbeats;
import dev.taskjob.operator.progress.JobProgress;
import dev.taskjob.operator.selection.Candidate;
import dev.taskjob.operator.selection.InstanceSelector;
import dev.taskjob.operator.selection.Selection;
import dev.taskjob.operator.tasks.JobTasks;
import dev.taskjob.operator.tasks.TaskSourceException;
import dev.taskjob.operator.validation.Constraints;
import dev.taskjob.operator.validation.Invalid;
import dev.taskjob.operator.validation.TaskJobValidator;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a TaskJob from apply to a finished, torn-down job: validate, start (ledger, queues), load the
 * tasks in checkpointed slices, size an owned InstancePool from the remaining tasks, drain when the
 * ledger says every task is final (or the queue-empty fallback fires), clean up, report. Task events
 * are read by a per-job {@link EventConsumer} thread, never inside a reconcile. See
 * docs/architecture.md.
 */
@ControllerConfiguration(name = TaskJobReconciler.NAME)
public class TaskJobReconciler implements Reconciler<TaskJob>, Cleaner<TaskJob> {

  public static final String NAME = "taskjob";
  /** Condition type for a reconcile that failed (cleared by the next one that succeeds). */
  public static final String DEGRADED = "Degraded";
  /** Condition type set while changes to fields that cannot change are being ignored. */
  public static final String SPEC_CHANGE_REFUSED = "SpecChangeRefused";

  private static final Logger LOG = LoggerFactory.getLogger(TaskJobReconciler.class);

  private final KubernetesClient client;
  private final ProviderAccess providers;
  private final TaskJobValidator validator;
  private final LedgerStore ledgers;
  private final KubeEvents events;
  private final Heartbeats heartbeats;
  private final OperatorSettings settings;
  private final OperatorMetrics metrics;
  private final Clock clock;
  private final Map<String, JobRuntime> runtimes = new ConcurrentHashMap<>();
  /**
   * The finished status of each job this process finished, by uid. A reconcile that still sees such a
   * job unfinished runs on a stale cache, or the write of that status was lost.
   */
  private final Map<String, TaskJobStatus> finishedHere = new ConcurrentHashMap<>();
  private final SimpleInboundEventSource<TaskJob> progressEvents = new SimpleInboundEventSource<>("job-progress");

  public TaskJobReconciler(KubernetesClient client, ProviderAccess providers, KubeEvents events, Heartbeats heartbeats,
      OperatorSettings settings, OperatorMetrics metrics, Clock clock) {
    this.client = client;
    this.providers = providers;
    this.validator = new TaskJobValidator(client, providers);
    this.ledgers = new LedgerStore(client);
    this.events = events;
    this.heartbeats = heartbeats;
    this.settings = settings;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, TaskJob>> prepareEventSources(EventSourceContext<TaskJob> context) {
    InformerEventSource<InstancePool, TaskJob> pools = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(InstancePool.class, TaskJob.class)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(TaskJob.class))
            .build(),
        context);
    return List.of(pools, progressEvents);
  }

  @Override
  public UpdateControl<TaskJob> reconcile(TaskJob job, Context<TaskJob> context) {
    Instant now = clock.instant();
    String before = statusJson(job);
    TaskJobStatus status = job.getStatus() == null ? new TaskJobStatus() : job.getStatus();
    job.setStatus(status);
    if (status.getPhase() == null) {
      status.setPhase(TaskJobPhase.PENDING);
    }
    Duration next;
    TaskJobStatus finishedStatus = finishedHere.get(job.getMetadata().getUid());
    if (finishedStatus != null && !status.getPhase().isFinished()) {
      // Writing the finished status again is harmless when the cache merely lags, and the only way to
      // recover a lost write (a conflict, an API outage): the runtime that finished the job is gone.
      status = Json.MAPPER.convertValue(finishedStatus, TaskJobStatus.class);
      job.setStatus(status);
      next = Duration.ofSeconds(1);
    } else {
      next = step(job, context, status, now);
    }
    status.setObservedGeneration(job.getMetadata().getGeneration());
    Conditions.set(status.getConditions(), DEGRADED, Condition.FALSE, "Reconciled", "", generation(job), now);
    UpdateControl<TaskJob> control = statusJson(job).equals(before) ? UpdateControl.noUpdate()
        : UpdateControl.patchStatus(job);
    return next == null ? control : control.rescheduleAfter(next);
  }

  /** Observe, decide, act, report: one step of the job's life, by phase. */
  private Duration step(TaskJob job, Context<TaskJob> context, TaskJobStatus status, Instant now) {
    if (status.getQueueName() == null) {
      return start(job, status, now);
    }
    if (status.getPhase().isFinished()) {
      return finished(job, status, now);
    }
    JobRuntime runtime = runtime(job, status, now);
    TaskJobSpec spec = effectiveSpec(job, status, now);
    if (status.getPhase() == TaskJobPhase.LOADING) {
      load(job, status, runtime, now);
    }
    InstancePool pool = context.getSecondaryResource(InstancePool.class).orElse(null);
    JobProgress.Snapshot progress = runtime.progress.snapshot(now);
    report(job, status, runtime, progress, pool, now);
    if (status.getPhase() == TaskJobPhase.LOADING || status.getPhase() == TaskJobPhase.RUNNING) {
      pool = ensurePool(job, spec, status, runtime, progress, pool);
      checkPoolFailure(job, status, pool, now);
    }
    if (status.getPhase() == TaskJobPhase.RUNNING) {
      decideDrain(job, spec, status, runtime, progress, now);
    }
    if (status.getPhase() == TaskJobPhase.DRAINING) {
      return drain(job, spec, status, runtime, pool, now);
    }
    return settings.resyncInterval();
  }

  // ---- start -------------------------------------------------------------------------------------

  /** Validates; on success creates the ledger and the queues and moves to Loading. Nothing is created otherwise. */
  private Duration start(TaskJob job, TaskJobStatus status, Instant now) {
    boolean failedBefore = status.getPhase() == TaskJobPhase.FAILED;
    if (failedBefore && Objects.equals(status.getObservedGeneration(), job.getMetadata().getGeneration())) {
      return null;
    }
    TaskJobValidator.Result result = validator.validate(job);
    if (!result.isValid()) {
      return refuse(job, status, result.invalid(), now);
    }
    TaskJobValidator.Valid valid = result.valid();
    TaskJobSpec spec = job.getSpec();
    String queueName = QueueNames.derive(job.getMetadata().getNamespace(), job.getMetadata().getName(),
        job.getMetadata().getUid());
    QueueSettings queueSettings = WorkerEnvironment.queueSettings(queueName, spec.getWorker());
    LedgerStore.Stored stored = ledgers.create(job, new Ledger(valid.tasks().size()), JobSpecs.snapshot(spec),
        valid.tasks().digest());
    TaskQueue queue = providers.queue(valid.provider(), queueSettings);
    queue.ensure();

    JobRuntime runtime = new JobRuntime(job.getMetadata().getUid(), valid.provider(), queue,
        new JobProgress(stored.ledger(), heartbeats, settings.workerHeartbeatTimeout()), valid.selection(), now);
    runtime.tasks = valid.tasks();
    runtime.startedSpec = stored.specJson();
    replaceRuntime(job, runtime);
    startConsumer(job, runtime);

    Candidate best = valid.selection().best();
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
            + String.format("%.4f", best.pricePerHour()) + " USD/hour", generation(job), now);
    Conditions.set(status.getConditions(), ConditionTypes.LOADING, Condition.TRUE, "LoadingTasks",
        "0 of " + valid.tasks().size() + " tasks queued", generation(job), now);
    Conditions.set(status.getConditions(), ConditionTypes.LOADED, Condition.FALSE, "LoadingTasks", "", generation(job),
        now);
    if (failedBefore) {
      Conditions.set(status.getConditions(), ConditionTypes.FAILED, Condition.FALSE, "Validated", "", generation(job),
          now);
    }
    events.normal(job, "Accepted", "Loading " + valid.tasks().size() + " tasks into queue " + queueName
        + "; instance type " + best.typeName() + " at " + String.format("%.4f", best.pricePerHour()) + " USD/hour");
    LOG.info("job {}/{}: accepted, {} tasks, queue {}, type {}", job.getMetadata().getNamespace(),
        job.getMetadata().getName(), valid.tasks().size(), queueName, best.typeName());
    return Duration.ofMillis(10);
  }

  /** Reports why a job cannot start: a condition naming the field, an Event; nothing created. */
  private Duration refuse(TaskJob job, TaskJobStatus status, Invalid invalid, Instant now) {
    Conditions.set(status.getConditions(), ConditionTypes.ACCEPTED, Condition.FALSE, invalid.reason(),
        invalid.message(), generation(job), now);
    status.setMessage(invalid.message());
    events.warning(job, invalid.reason(), invalid.message());
    LOG.info("job {}/{}: not started, {}: {}", job.getMetadata().getNamespace(), job.getMetadata().getName(),
        invalid.reason(), invalid.message());
    if (invalid.mayResolveItself()) {
      status.setPhase(TaskJobPhase.PENDING);
      return settings.resyncInterval().multipliedBy(2);
    }
    status.setPhase(TaskJobPhase.FAILED);
    Conditions.set(status.getConditions(), ConditionTypes.FAILED, Condition.TRUE, invalid.reason(), invalid.message(),
        generation(job), now);
    return null;
  }

  // ---- runtime ------------------------------------------------------------------------------------

  /** The job's in-memory state, rebuilt from its ledger ConfigMap after a restart. */
  private JobRuntime runtime(TaskJob job, TaskJobStatus status, Instant now) {
    JobRuntime existing = runtimes.get(job.getMetadata().getUid());
    if (existing != null) {
      return existing;
    }
    LedgerStore.Stored stored = ledgers.load(job).orElse(null);
    if (stored == null) {
      // The ledger ConfigMap was deleted by hand: counts restart from zero, duplicates follow.
      events.warning(job, "LedgerMissing", "ledger ConfigMap " + LedgerStore.nameFor(job)
          + " not found; task counts restart from zero");
      stored = ledgers.create(job, new Ledger(status.getTotal()), JobSpecs.snapshot(job.getSpec()), "");
    }
    TaskJobSpec started = stored.specJson() == null ? job.getSpec() : JobSpecs.parse(stored.specJson());
    TaskJobSpec spec = JobSpecs.effective(started, job.getSpec());
    ProviderConfig config = providerConfig(job, spec);
    QueueSettings queueSettings = WorkerEnvironment.queueSettings(status.getQueueName(), started.getWorker());
    Selection selection = select(config, spec);
    JobRuntime runtime = new JobRuntime(job.getMetadata().getUid(), config, providers.queue(config, queueSettings),
        new JobProgress(stored.ledger(), heartbeats, settings.workerHeartbeatTimeout()), selection, now);
    runtime.startedSpec = stored.specJson();
    replaceRuntime(job, runtime);
    if (status.getPhase() != TaskJobPhase.DRAINING || !poolGone(job)) {
      startConsumer(job, runtime);
    }
    LOG.info("job {}/{}: resumed in phase {} ({} of {} tasks final)", job.getMetadata().getNamespace(),
        job.getMetadata().getName(), status.getPhase().displayName(), stored.ledger().finished(),
        stored.ledger().total());
    return runtime;
  }

  private Selection select(ProviderConfig config, TaskJobSpec spec) {
    return InstanceSelector.select(providers.catalog(config), Constraints.of(spec.getInstances(), spec.getZones(),
        spec.getWorker().getCpusPerTask(), spec.getWorker().getMemoryPerTaskGiB(),
        spec.getWorker().getSimultaneousTasks(), null));
  }

  private ProviderConfig providerConfig(TaskJob job, TaskJobSpec spec) {
    String secret = spec.getCredentials() == null || spec.getCredentials().getSecretRef() == null ? null
        : spec.getCredentials().getSecretRef().getName();
    return providers.config(job.getMetadata().getNamespace(), spec.getProvider().id(), spec.getRegion(),
        spec.getZones(), spec.getProject(), secret);
  }

  private void replaceRuntime(TaskJob job, JobRuntime runtime) {
    JobRuntime old = runtimes.put(job.getMetadata().getUid(), runtime);
    if (old != null && old != runtime) {
      old.close();
    }
  }

  private void startConsumer(TaskJob job, JobRuntime runtime) {
    ResourceID id = ResourceID.fromResource(job);
    runtime.consumer = new EventConsumer(job.getMetadata().getNamespace() + "/" + job.getMetadata().getName(),
        runtime.queue, runtime.progress, image -> ledgers.save(job, image), () -> progressEvents.propagateEvent(id),
        settings.eventWait(), settings.ledgerSaveInterval(), clock);
    runtime.consumer.start();
  }

  /** The spec the job started with plus the live budget; changes to other fields are refused with a condition. */
  private TaskJobSpec effectiveSpec(TaskJob job, TaskJobStatus status, Instant now) {
    String snapshot;
    JobRuntime runtime = runtimes.get(job.getMetadata().getUid());
    if (runtime != null && runtime.startedSpec != null) {
      snapshot = runtime.startedSpec;
    } else {
      snapshot = ledgers.load(job).map(LedgerStore.Stored::specJson).orElse(null);
      if (runtime != null) {
        runtime.startedSpec = snapshot;
      }
    }
    if (snapshot == null) {
      return job.getSpec();
    }
    TaskJobSpec started = JobSpecs.parse(snapshot);
    List<String> refused = JobSpecs.refusedChanges(started, job.getSpec());
    if (refused.isEmpty()) {
      Conditions.set(status.getConditions(), SPEC_CHANGE_REFUSED, Condition.FALSE, "NoRefusedChanges", "",
          generation(job), now);
    } else {
      String message = String.join(", ", refused) + " cannot change after the job started; the change is ignored "
          + "(create a new TaskJob to run different work)";
      Conditions.set(status.getConditions(), SPEC_CHANGE_REFUSED, Condition.TRUE, "ImmutableFieldChanged", message,
          generation(job), now);
      events.warning(job, "SpecChangeRefused", message);
    }
    return JobSpecs.effective(started, job.getSpec());
  }

  // ---- loading ------------------------------------------------------------------------------------

  /**
   * Runs the loader in the background from the checkpoint in {@code status.loaded} (which only the
   * loader's thread writes, so a status patch of the reconcile never moves it back), and moves to
   * Running once every task is queued.
   */
  private void load(TaskJob job, TaskJobStatus status, JobRuntime runtime, Instant now) {
    long total = status.getTotal();
    long loaded = status.getLoaded() == null ? 0 : status.getLoaded();
    LoadRunner runner = runtime.loader;
    if (runner != null && runner.failure() != null) {
      runtime.loader = null;
      RuntimeException e = runner.failure();
      if (!retryable(e)) {
        String message = "loading stopped: " + e.getMessage();
        Conditions.set(status.getConditions(), ConditionTypes.FAILED, Condition.TRUE, "LoadFailed", message,
            generation(job), now);
        events.warning(job, "LoadFailed", message);
        startDraining(job, status, "LoadFailed", message, now);
        return;
      }
      Conditions.set(status.getConditions(), ConditionTypes.LOADING, Condition.TRUE, "LoadRetrying",
          "loading paused at " + Math.max(loaded, runner.saved()) + " of " + total + " tasks: " + e.getMessage()
              + "; retrying", generation(job), now);
      return;
    }
    if (runner != null && runner.done()) {
      runtime.loader = null;
      runtime.tasks = null;
      status.setLoaded(total);
      loaded = total;
    }
    if (loaded >= total) {
      status.setPhase(TaskJobPhase.RUNNING);
      Conditions.set(status.getConditions(), ConditionTypes.LOADING, Condition.FALSE, "AllTasksLoaded",
          total + " tasks queued", generation(job), now);
      Conditions.set(status.getConditions(), ConditionTypes.LOADED, Condition.TRUE, "AllTasksLoaded",
          total + " tasks queued", generation(job), now);
      events.normal(job, "Loaded", "All " + total + " tasks are in queue " + status.getQueueName());
      LOG.info("job {}/{}: loaded {} tasks", job.getMetadata().getNamespace(), job.getMetadata().getName(), total);
      return;
    }
    if (runner == null) {
      if (runtime.tasks == null) {
        runtime.tasks = openTasks(job, status, runtime.provider.provider());
      }
      ResourceID id = ResourceID.fromResource(job);
      runner = new LoadRunner(job.getMetadata().getNamespace() + "/" + job.getMetadata().getName(),
          new TaskLoader(LoadOptions.forProvider(runtime.provider.provider())), runtime.queue, runtime.tasks.input(),
          total, loaded, offset -> saveLoaded(job, offset), () -> progressEvents.propagateEvent(id));
      runtime.loader = runner;
      runner.start();
    }
    Conditions.set(status.getConditions(), ConditionTypes.LOADING, Condition.TRUE, "LoadingTasks",
        Math.max(loaded, runner.saved()) + " of " + total + " tasks queued", generation(job), now);
  }

  private static boolean retryable(RuntimeException e) {
    return (e instanceof LoadException le && le.isRetryable())
        || (e instanceof dev.taskjob.core.queue.QueueException qe && qe.isRetryable())
        // a checkpoint write the API server refused: loading resumes from the last checkpoint saved
        || e instanceof KubernetesClientException;
  }

  /** The load checkpoint: a merge patch of status.loaded alone, written before the loader sends further. */
  private void saveLoaded(TaskJob job, long offset) {
    client.resources(TaskJob.class).inNamespace(job.getMetadata().getNamespace()).withName(job.getMetadata().getName())
        .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"loaded\":" + offset + "}}");
    metrics.loadCheckpoint(job.getMetadata().getNamespace(), job.getMetadata().getName(), offset);
  }

  /** Reopens the task lists after a restart, refusing lists that changed since the job started. */
  private JobTasks openTasks(TaskJob job, TaskJobStatus status, String provider) {
    LedgerStore.Stored stored = ledgers.load(job).orElseThrow();
    TaskJobSpec started = stored.specJson() == null ? job.getSpec() : JobSpecs.parse(stored.specJson());
    JobTasks tasks = JobTasks.open(client, job.getMetadata().getNamespace(), started.getTasks(),
        LoadOptions.forProvider(provider).maxMessageBytes());
    if (stored.tasksDigest() != null && !stored.tasksDigest().isEmpty() && !stored.tasksDigest().equals(tasks.digest())) {
      throw new TaskSourceException(TaskSourceException.TASK_LIST_CHANGED, "spec.tasks",
          "spec.tasks: the task lists changed after loading started; restore them or create a new TaskJob");
    }
    if (tasks.size() != status.getTotal()) {
      throw new TaskSourceException(TaskSourceException.TASK_LIST_CHANGED, "spec.tasks",
          "spec.tasks: the task lists now hold " + tasks.size() + " tasks, the job started with " + status.getTotal());
    }
    return tasks;
  }

  // ---- pool ---------------------------------------------------------------------------------------

  /** Creates the job's pool or resizes it to the tasks that remain, within the live budget. */
  private InstancePool ensurePool(TaskJob job, TaskJobSpec spec, TaskJobStatus status, JobRuntime runtime,
      JobProgress.Snapshot progress, InstancePool pool) {
    Candidate candidate = candidateFor(runtime.selection, pool);
    PoolSizing.Sizing sizing = PoolSizing.size(progress.remaining(), candidate.slots(), candidate.type().vcpus(),
        candidate.pricePerHour(), TaskJobValidator.budgetOf(spec.getInstances()));
    int desired = sizing.instances();
    status.setInstancesDesired(desired);
    if (pool == null) {
      pool = client.resources(InstancePool.class).inNamespace(job.getMetadata().getNamespace())
          .withName(job.getMetadata().getName()).get();
    }
    if (pool == null) {
      InstancePool created = newPool(job, spec, status, desired);
      pool = client.resource(created).create();
      events.normal(job, "PoolCreated", "InstancePool " + pool.getMetadata().getName() + " created with "
          + desired + " instances (" + sizing.limitedBy() + ")");
      return pool;
    }
    if (!Objects.equals(pool.getSpec().getCount(), desired)) {
      LOG.info("job {}/{}: pool {} -> {} instances ({} tasks remain, limited by {})",
          job.getMetadata().getNamespace(), job.getMetadata().getName(), pool.getSpec().getCount(), desired,
          progress.remaining(), sizing.limitedBy());
      pool = scalePool(pool, desired);
    }
    return pool;
  }

  private InstancePool scalePool(InstancePool pool, int count) {
    return client.resources(InstancePool.class).inNamespace(pool.getMetadata().getNamespace())
        .withName(pool.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"count\":" + count + "}}");
  }

  private static Candidate candidateFor(Selection selection, InstancePool pool) {
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
    QueueSettings queueSettings = WorkerEnvironment.queueSettings(status.getQueueName(), spec.getWorker());
    ps.setWorkerEnvironment(WorkerEnvironment.of(job, spec, queueSettings, settings.heartbeatInterval()));
    ps.setStartupTimeout(Durations.format(settings.workerStartupTimeout()));
    ps.setHeartbeatTimeout(Durations.format(settings.workerHeartbeatTimeout()));
    pool.setSpec(ps);
    return pool;
  }

  /** A pool that gave up (workers never started, no type fits any more) fails the job; it then drains. */
  private void checkPoolFailure(TaskJob job, TaskJobStatus status, InstancePool pool, Instant now) {
    if (pool == null || pool.getStatus() == null || pool.getStatus().getPhase() != InstancePoolPhase.FAILED) {
      return;
    }
    Condition failed = Conditions.find(pool.getStatus().getConditions(), ConditionTypes.FAILED)
        .orElse(new Condition(ConditionTypes.FAILED, Condition.TRUE, "PoolFailed", "instance pool failed"));
    Conditions.set(status.getConditions(), ConditionTypes.FAILED, Condition.TRUE, failed.getReason(),
        "instance pool " + pool.getMetadata().getName() + ": " + failed.getMessage(), generation(job), now);
    startDraining(job, status, failed.getReason(), "the instance pool failed: " + failed.getMessage(), now);
  }

  // ---- drain --------------------------------------------------------------------------------------

  private void decideDrain(TaskJob job, TaskJobSpec spec, TaskJobStatus status, JobRuntime runtime,
      JobProgress.Snapshot progress, Instant now) {
    long waiting = -1;
    long leased = -1;
    if (!progress.allFinished()) {
      QueueDepth depth = runtime.queue.depth();
      waiting = depth.waiting();
      leased = depth.leased();
    }
    Instant loadedAt = Conditions.find(status.getConditions(), ConditionTypes.LOADED)
        .map(Condition::getLastTransitionTime).map(Instant::parse).orElse(now);
    // Events a previous operator process read but never acknowledged come back only when their lease
    // lapses, so after a restart silence means nothing until this process has listened for a while.
    if (runtime.readingSince.isAfter(loadedAt)) {
      loadedAt = runtime.readingSince;
    }
    Duration delay = Durations.parseOrDefault("spec.terminationDelay", spec.getTerminationDelay(),
        Durations.parse(TaskJobSpec.DEFAULT_TERMINATION_DELAY));
    DrainDecision.Verdict verdict = DrainDecision.decide(new DrainDecision.Inputs(true, progress.allFinished(), waiting,
        leased, progress.lastActivity(), loadedAt, delay, now));
    switch (verdict) {
      case ALL_TASKS_FINISHED -> startDraining(job, status, "AllTasksFinished",
          "every task has a final result (" + progress.succeeded() + " succeeded, " + progress.failed() + " failed)", now);
      case QUEUE_EMPTY_AND_IDLE -> startDraining(job, status, "QueueEmptyAndIdle", "the queue is empty and no worker "
          + "reported for " + Durations.format(delay) + "; " + progress.remaining() + " tasks have no reported result",
          now);
      case KEEP_RUNNING -> { }
    }
  }

  private void startDraining(TaskJob job, TaskJobStatus status, String reason, String message, Instant now) {
    if (status.getPhase() == TaskJobPhase.DRAINING) {
      return;
    }
    status.setPhase(TaskJobPhase.DRAINING);
    status.setInstancesDesired(0);
    Conditions.set(status.getConditions(), ConditionTypes.DRAINING, Condition.TRUE, reason, message, generation(job),
        now);
    events.normal(job, "Draining", "Draining: " + message);
    LOG.info("job {}/{}: draining, {}", job.getMetadata().getNamespace(), job.getMetadata().getName(), message);
  }

  /** Scales the pool to zero, waits until the cloud reports every VM gone, cleans the queues, finishes. */
  private Duration drain(TaskJob job, TaskJobSpec spec, TaskJobStatus status, JobRuntime runtime, InstancePool pool,
      Instant now) {
    if (pool == null) {
      pool = client.resources(InstancePool.class).inNamespace(job.getMetadata().getNamespace())
          .withName(job.getMetadata().getName()).get();
    }
    if (pool != null && !Objects.equals(pool.getSpec().getCount(), 0)) {
      pool = scalePool(pool, 0);
    }
    if (pool != null && !isDrained(pool)) {
      status.setMessage("draining: waiting for " + liveInstances(pool) + " instances to terminate");
      return settings.resyncInterval();
    }
    runtime.stopLoading();
    runtime.stopConsumer();
    JobProgress.Snapshot progress = runtime.progress.snapshot(now);
    report(job, status, runtime, progress, pool, now);
    if (spec.getCleanup() != CleanupPolicy.KEEP) {
      runtime.queue.delete();
    }
    finish(job, status, progress, now);
    finishedHere.put(job.getMetadata().getUid(), Json.MAPPER.convertValue(status, TaskJobStatus.class));
    runtimes.remove(job.getMetadata().getUid());
    runtime.close();
    return ttlRemaining(job, status, now);
  }

  static boolean isDrained(InstancePool pool) {
    InstancePoolStatus s = pool.getStatus();
    return s != null && Objects.equals(pool.getSpec().getCount(), 0)
        && s.getObservedGeneration() != null && s.getObservedGeneration() >= pool.getMetadata().getGeneration()
        && zero(s.getPending()) && zero(s.getRunning()) && zero(s.getTerminating());
  }

  private static int liveInstances(InstancePool pool) {
    InstancePoolStatus s = pool.getStatus();
    return s == null ? 0 : orZero(s.getPending()) + orZero(s.getRunning()) + orZero(s.getTerminating());
  }

  private boolean poolGone(TaskJob job) {
    InstancePool pool = client.resources(InstancePool.class).inNamespace(job.getMetadata().getNamespace())
        .withName(job.getMetadata().getName()).get();
    return pool == null || isDrained(pool);
  }

  private void finish(TaskJob job, TaskJobStatus status, JobProgress.Snapshot progress, Instant now) {
    boolean alreadyFailed = Conditions.isTrue(status.getConditions(), ConditionTypes.FAILED);
    boolean succeeded = !alreadyFailed && progress.failed() == 0 && progress.remaining() == 0;
    status.setCompletionTime(now.toString());
    status.setRunning(0L);
    status.setEta(null);
    status.setInstancesRunning(0);
    status.setCostPerHour(0.0);
    Conditions.set(status.getConditions(), ConditionTypes.DRAINING, Condition.FALSE, "Drained",
        "every instance is terminated", generation(job), now);
    Conditions.set(status.getConditions(), ConditionTypes.READY, Condition.FALSE, "Finished", "", generation(job), now);
    String counts = progress.succeeded() + " succeeded, " + progress.failed() + " failed"
        + (progress.remaining() > 0 ? ", " + progress.remaining() + " without a result" : "")
        + ", " + progress.duplicates() + " duplicates, " + progress.retried() + " retries";
    if (succeeded) {
      status.setPhase(TaskJobPhase.SUCCEEDED);
      Conditions.set(status.getConditions(), ConditionTypes.COMPLETE, Condition.TRUE, "AllTasksSucceeded", counts,
          generation(job), now);
      events.normal(job, "Succeeded", "Job finished: " + counts);
    } else {
      status.setPhase(TaskJobPhase.FAILED);
      Conditions.set(status.getConditions(), ConditionTypes.COMPLETE, Condition.FALSE, "NotAllTasksSucceeded", counts,
          generation(job), now);
      if (!alreadyFailed) {
        String reason = progress.failed() > 0 ? "TasksFailed" : "TasksWithoutResult";
        Conditions.set(status.getConditions(), ConditionTypes.FAILED, Condition.TRUE, reason, counts, generation(job),
            now);
      }
      events.warning(job, "Failed", "Job finished: " + counts);
    }
    status.setMessage((succeeded ? "succeeded: " : "failed: ") + counts);
    LOG.info("job {}/{}: {} ({})", job.getMetadata().getNamespace(), job.getMetadata().getName(),
        status.getPhase().displayName(), counts);
  }

  // ---- finished -----------------------------------------------------------------------------------

  private Duration finished(TaskJob job, TaskJobStatus status, Instant now) {
    JobRuntime leftover = runtimes.remove(job.getMetadata().getUid());
    if (leftover != null) {
      leftover.close();
    }
    Duration remaining = ttlRemaining(job, status, now);
    if (remaining != null && remaining.isZero()) {
      LOG.info("job {}/{}: ttlSecondsAfterFinished passed, deleting", job.getMetadata().getNamespace(),
          job.getMetadata().getName());
      client.resource(job).delete();
      return null;
    }
    return remaining;
  }

  private static Duration ttlRemaining(TaskJob job, TaskJobStatus status, Instant now) {
    Integer ttl = job.getSpec().getTtlSecondsAfterFinished();
    if (ttl == null || status.getCompletionTime() == null) {
      return null;
    }
    Duration left = Duration.between(now, Instant.parse(status.getCompletionTime()).plusSeconds(ttl));
    return left.isNegative() ? Duration.ZERO : left;
  }

  // ---- report -------------------------------------------------------------------------------------

  /** Counts, throughput, instances and cost into the status. */
  private void report(TaskJob job, TaskJobStatus status, JobRuntime runtime, JobProgress.Snapshot p,
      InstancePool pool, Instant now) {
    status.setSucceeded(p.succeeded());
    status.setFailed(p.failed());
    status.setRetried(p.retried());
    status.setDuplicates(p.duplicates());
    status.setDeadLettered(p.deadLettered());
    status.setRunning((long) p.running());
    status.setTasksPerSecond(Math.round(p.tasksPerSecond() * 1000.0) / 1000.0);
    status.setEta(p.eta() == null ? null : Durations.format(p.eta()));
    status.setFailedTaskIds(p.failedTaskIds().isEmpty() ? null : p.failedTaskIds());
    double previousRate = status.getCostPerHour() == null ? 0 : status.getCostPerHour();
    double cost = CostMeter.accrue(status.getCostSoFar() == null ? 0 : status.getCostSoFar(), previousRate,
        runtime.costAccruedAt, now);
    runtime.costAccruedAt = now;
    status.setCostSoFar(CostMeter.round(cost));
    if (pool != null && pool.getStatus() != null) {
      InstancePoolStatus ps = pool.getStatus();
      if (ps.getInstanceType() != null) {
        status.setInstanceType(ps.getInstanceType());
        status.setSpot(ps.getSpot());
        status.setPricePerHour(ps.getPricePerHour());
      }
      status.setInstancesRunning(orZero(ps.getRunning()));
      status.setCostPerHour(ps.getCostPerHour() == null ? 0.0 : ps.getCostPerHour());
      boolean ready = status.getInstancesDesired() != null && orZero(ps.getRunning()) >= status.getInstancesDesired();
      Conditions.set(status.getConditions(), ConditionTypes.READY, ready ? Condition.TRUE : Condition.FALSE,
          ready ? "InstancesRunning" : "InstancesStarting", orZero(ps.getRunning()) + " of "
              + status.getInstancesDesired() + " instances running", status.getObservedGeneration(), now);
    }
    if (status.getPhase() == TaskJobPhase.RUNNING || status.getPhase() == TaskJobPhase.LOADING) {
      status.setMessage(p.succeeded() + p.failed() + " of " + p.total() + " tasks finished, " + p.running()
          + " running on " + orZero(status.getInstancesRunning()) + " instances");
    }
    metrics.job(job.getMetadata().getNamespace(), job.getMetadata().getName(), new OperatorMetrics.JobFigures(
        p.total(), status.getLoaded() == null ? 0 : status.getLoaded(), p.succeeded(), p.failed(), p.retried(),
        p.duplicates(), p.running(), p.tasksPerSecond(), status.getCostPerHour() == null ? 0 : status.getCostPerHour(),
        status.getCostSoFar()));
  }

  // ---- deletion -----------------------------------------------------------------------------------

  /**
   * Terminates the job's VMs (through its pool, and directly by the job's tags in case the pool is
   * gone) and deletes its queues; the finalizer stays until the cloud confirms every VM terminated.
   */
  @Override
  public DeleteControl cleanup(TaskJob job, Context<TaskJob> context) {
    finishedHere.remove(job.getMetadata().getUid());
    JobRuntime runtime = runtimes.remove(job.getMetadata().getUid());
    if (runtime != null) {
      runtime.stopLoading();
      runtime.stopConsumer();
    }
    TaskJobStatus status = job.getStatus();
    if (status == null || status.getQueueName() == null) {
      metrics.jobGone(job.getMetadata().getNamespace(), job.getMetadata().getName());
      return DeleteControl.defaultDelete();
    }
    InstancePool pool = client.resources(InstancePool.class).inNamespace(job.getMetadata().getNamespace())
        .withName(job.getMetadata().getName()).get();
    if (pool != null && pool.getMetadata().getDeletionTimestamp() == null) {
      client.resource(pool).delete();
      events.normal(job, "Deleting", "Terminating the job's instances and deleting its queues");
    }
    TaskJobSpec spec = job.getSpec();
    ProviderConfig config = runtime != null ? runtime.provider : cleanupConfig(job, spec);
    CloudProvider cloud = providers.cloud(config);
    List<Instance> left = cloud.list(Map.of(OwnerTags.MANAGED_BY, OwnerTags.MANAGED_BY_VALUE, OwnerTags.CLUSTER,
        settings.clusterId(), OwnerTags.JOB_UID, job.getMetadata().getUid()));
    List<String> alive = left.stream().filter(i -> i.state() != InstanceState.TERMINATED).map(Instance::id).toList();
    if (!alive.isEmpty()) {
      cloud.terminate(alive);
    }
    if (pool != null || !alive.isEmpty()) {
      if (runtime != null) {
        runtimes.put(job.getMetadata().getUid(), runtime);
      }
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(settings.resyncInterval().toMillis());
    }
    TaskQueue queue = runtime != null ? runtime.queue
        : providers.queue(config, WorkerEnvironment.queueSettings(status.getQueueName(), spec.getWorker()));
    try {
      queue.delete();
    } finally {
      queue.close();
    }
    metrics.jobGone(job.getMetadata().getNamespace(), job.getMetadata().getName());
    LOG.info("job {}/{}: deleted; instances terminated, queues deleted", job.getMetadata().getNamespace(),
        job.getMetadata().getName());
    return DeleteControl.defaultDelete();
  }

  /** The job's provider config for cleanup; without its Secret (deleted with the namespace), ambient identity. */
  private ProviderConfig cleanupConfig(TaskJob job, TaskJobSpec spec) {
    try {
      return providerConfig(job, spec);
    } catch (ProviderAccess.MissingSecretException e) {
      LOG.warn("job {}/{}: credentials Secret gone, cleaning up with the operator's own identity",
          job.getMetadata().getNamespace(), job.getMetadata().getName());
      return providers.config(job.getMetadata().getNamespace(), spec.getProvider().id(), spec.getRegion(),
          spec.getZones(), spec.getProject(), null);
    }
  }

  @Override
  public ErrorStatusUpdateControl<TaskJob> updateErrorStatus(TaskJob job, Context<TaskJob> context, Exception e) {
    TaskJobStatus status = job.getStatus() == null ? new TaskJobStatus() : job.getStatus();
    job.setStatus(status);
    Instant now = clock.instant();
    if (e instanceof TaskSourceException tse) {
      // The task lists changed under a running job: it cannot load correctly any more.
      Conditions.set(status.getConditions(), ConditionTypes.FAILED, Condition.TRUE, tse.reason(), tse.getMessage(),
          generation(job), now);
      events.warning(job, tse.reason(), tse.getMessage());
      startDraining(job, status, tse.reason(), tse.getMessage(), now);
      return ErrorStatusUpdateControl.patchStatus(job).rescheduleAfter(settings.resyncInterval());
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    Conditions.set(status.getConditions(), DEGRADED, Condition.TRUE, "ReconcileError", message, generation(job), now);
    LOG.warn("job {}/{}: reconcile failed, will retry: {}", job.getMetadata().getNamespace(),
        job.getMetadata().getName(), e.toString());
    return ErrorStatusUpdateControl.patchStatus(job);
  }

  /** Stops every job's consumer and saves its ledger (operator shutdown). */
  public void shutdown() {
    runtimes.values().forEach(JobRuntime::close);
    runtimes.clear();
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private static String statusJson(TaskJob job) {
    return job.getStatus() == null ? "" : Json.MAPPER.valueToTree(job.getStatus()).toString();
  }

  private static Long generation(TaskJob job) {
    return job.getMetadata().getGeneration();
  }

  private static boolean zero(Integer v) {
    return v == null || v == 0;
  }

  private static int orZero(Integer v) {
    return v == null ? 0 : v;
  }
}
