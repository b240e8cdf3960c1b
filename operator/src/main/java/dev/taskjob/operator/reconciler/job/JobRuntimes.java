package dev.taskjob.operator.reconciler.job;

import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.operator.archive.JobArchive;
import dev.taskjob.operator.archive.OutputLocations;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.load.LoadOptions;
import dev.taskjob.operator.progress.JobProgress;
import dev.taskjob.operator.selection.InstanceSelector;
import dev.taskjob.operator.selection.Selection;
import dev.taskjob.operator.tasks.JobTasks;
import dev.taskjob.operator.tasks.TaskSourceException;
import dev.taskjob.operator.validation.Constraints;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory side of every job this process runs: one {@link JobRuntime} per job uid, rebuilt from
 * the ledger ConfigMap after a restart, and the finished status of each job finished here (so a
 * stale cache or a lost status write is repaired rather than run again).
 */
final class JobRuntimes {

  /** Condition type set while changes to fields that cannot change are being ignored. */
  static final String SPEC_CHANGE_REFUSED = "SpecChangeRefused";

  private static final Logger LOG = LoggerFactory.getLogger(JobRuntimes.class);

  private final JobServices services;
  private final Map<String, JobRuntime> runtimes = new ConcurrentHashMap<>();
  private final Map<String, TaskJobStatus> finishedHere = new ConcurrentHashMap<>();

  JobRuntimes(JobServices services) {
    this.services = services;
  }

  /** The status this process wrote when it finished the job, if it did. */
  TaskJobStatus finishedHere(TaskJob job) {
    return finishedHere.get(job.getMetadata().getUid());
  }

  void markFinished(TaskJob job, TaskJobStatus status) {
    finishedHere.put(job.getMetadata().getUid(), Json.MAPPER.convertValue(status, TaskJobStatus.class));
    JobRuntime runtime = runtimes.remove(job.getMetadata().getUid());
    if (runtime != null) {
      runtime.close();
    }
  }

  /** Forgets the job: its runtime (returned, not closed) and its finished record. */
  JobRuntime forget(TaskJob job) {
    finishedHere.remove(job.getMetadata().getUid());
    return runtimes.remove(job.getMetadata().getUid());
  }

  /** Closes and drops a runtime left over from before the job finished. */
  void closeLeftover(TaskJob job) {
    JobRuntime leftover = runtimes.remove(job.getMetadata().getUid());
    if (leftover != null) {
      leftover.close();
    }
  }

  /** Keeps a runtime that cleanup still needs (its queue) for the next look. */
  void keep(TaskJob job, JobRuntime runtime) {
    runtimes.put(job.getMetadata().getUid(), runtime);
  }

  /** Registers a new job's runtime and starts reading its events. */
  void started(TaskJob job, JobRuntime runtime) {
    replace(job, runtime);
    startConsumer(job, job.getSpec(), runtime, false);
  }

  /**
   * The job's runtime; after a restart rebuilt from its ledger ConfigMap.
   *
   * @param poolGone whether the job's pool is already drained (a draining job then needs no consumer)
   */
  JobRuntime get(TaskJob job, TaskJobStatus status, Instant now, java.util.function.BooleanSupplier poolGone) {
    JobRuntime existing = runtimes.get(job.getMetadata().getUid());
    if (existing != null) {
      return existing;
    }
    LedgerStore.Stored stored = services.ledgers().load(job).orElse(null);
    if (stored == null) {
      // The ledger ConfigMap was deleted by hand: counts restart from zero, duplicates follow.
      services.events().warning(job, "LedgerMissing", "ledger ConfigMap " + LedgerStore.nameFor(job)
          + " not found; task counts restart from zero");
      stored = services.ledgers().create(job, new Ledger(status.getTotal(),
          WorkerEnvironment.maxAttempts(job.getSpec().getWorker())), JobSpecs.snapshot(job.getSpec()), "");
    }
    TaskJobSpec started = stored.specJson() == null ? job.getSpec() : JobSpecs.parse(stored.specJson());
    TaskJobSpec spec = JobSpecs.effective(started, job.getSpec());
    ProviderConfig config = providerConfig(job, spec);
    QueueSettings queueSettings = WorkerEnvironment.queueSettings(status.getQueueName(), started.getWorker());
    Selection selection = select(config, spec);
    JobRuntime runtime = new JobRuntime(job.getMetadata().getUid(), config,
        services.providers().queue(config, queueSettings), new JobProgress(stored.ledger(), services.heartbeats(),
            services.settings().workerHeartbeatTimeout()), selection);
    runtime.progress.restoreSlotUsage(stored.slotUsage());
    runtime.startedSpec = stored.specJson();
    replace(job, runtime);
    if (status.getPhase() != TaskJobPhase.DRAINING || !poolGone.getAsBoolean()) {
      startConsumer(job, spec, runtime, true);
    }
    LOG.info("job {}: resumed in phase {} ({} of {} tasks final)", JobServices.name(job),
        status.getPhase().displayName(), stored.ledger().finished(), stored.ledger().total());
    return runtime;
  }

  /** The spec the job started with plus the live budget; changes to other fields are refused with a condition. */
  TaskJobSpec effectiveSpec(TaskJob job, TaskJobStatus status, JobRuntime runtime, Instant now) {
    String snapshot = runtime.startedSpec;
    if (snapshot == null) {
      snapshot = services.ledgers().load(job).map(LedgerStore.Stored::specJson).orElse(null);
      runtime.startedSpec = snapshot;
    }
    if (snapshot == null) {
      return job.getSpec();
    }
    TaskJobSpec started = JobSpecs.parse(snapshot);
    List<String> refused = JobSpecs.refusedChanges(started, job.getSpec());
    if (refused.isEmpty()) {
      Conditions.set(status.getConditions(), SPEC_CHANGE_REFUSED, Condition.FALSE, "NoRefusedChanges", "",
          JobServices.generation(job), now);
    } else {
      String message = String.join(", ", refused) + " cannot change after the job started; the change is ignored "
          + "(create a new TaskJob to run different work)";
      Conditions.set(status.getConditions(), SPEC_CHANGE_REFUSED, Condition.TRUE, "ImmutableFieldChanged", message,
          JobServices.generation(job), now);
      services.events().warning(job, "SpecChangeRefused", message);
    }
    return JobSpecs.effective(started, job.getSpec());
  }

  /** Reopens the task lists after a restart, refusing lists that changed since the job started. */
  JobTasks openTasks(TaskJob job, TaskJobStatus status, String provider) {
    LedgerStore.Stored stored = services.ledgers().load(job).orElseThrow();
    TaskJobSpec started = stored.specJson() == null ? job.getSpec() : JobSpecs.parse(stored.specJson());
    JobTasks tasks = JobTasks.open(services.client(), job.getMetadata().getNamespace(), started.getTasks(),
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

  /** The load checkpoint: a merge patch of status.loaded alone, written before the loader sends further. */
  void saveLoaded(TaskJob job, long offset) {
    services.client().resources(TaskJob.class).inNamespace(job.getMetadata().getNamespace())
        .withName(job.getMetadata().getName()).subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"loaded\":" + offset + "}}");
    services.metrics().loadCheckpoint(job.getMetadata().getNamespace(), job.getMetadata().getName(), offset);
  }

  ProviderConfig providerConfig(TaskJob job, TaskJobSpec spec) {
    String secret = spec.getCredentials() == null || spec.getCredentials().getSecretRef() == null ? null
        : spec.getCredentials().getSecretRef().getName();
    return services.providers().config(job.getMetadata().getNamespace(), spec.getProvider().id(), spec.getRegion(),
        spec.getZones(), spec.getProject(), secret);
  }

  /** Stops every job's consumer and saves its ledger (operator shutdown). */
  void closeAll() {
    runtimes.values().forEach(JobRuntime::close);
    runtimes.clear();
  }

  private Selection select(ProviderConfig config, TaskJobSpec spec) {
    return InstanceSelector.select(services.providers().catalog(config), Constraints.of(spec.getInstances(),
        spec.getZones(), spec.getWorker().getCpusPerTask(), spec.getWorker().getMemoryPerTaskGiB(),
        spec.getWorker().getSimultaneousTasks(), null));
  }

  private void replace(TaskJob job, JobRuntime runtime) {
    JobRuntime old = runtimes.put(job.getMetadata().getUid(), runtime);
    if (old != null && old != runtime) {
      old.close();
    }
  }

  /** @param resumed whether an earlier process read this job's events (see {@link EventConsumer}) */
  private void startConsumer(TaskJob job, TaskJobSpec spec, JobRuntime runtime, boolean resumed) {
    if (runtime.archive == null && spec.getOutput() != null && spec.getOutput().getUri() != null) {
      runtime.archive = new JobArchive(OutputLocations.open(spec.getOutput().getUri(), runtime.provider,
          services.providers()::module), OutputLocations.jobPrefix(job), services.clock().instant(),
          JobArchive.DEFAULT_PART_BYTES);
    }
    runtime.consumer = new EventConsumer(JobServices.name(job), runtime.queue, runtime.progress,
        image -> services.ledgers().save(job, image), runtime.archive, () -> services.wake(job), services.settings().eventWait(),
        services.settings().ledgerSaveInterval(), services.clock(), resumed);
    runtime.consumer.start();
  }
}
