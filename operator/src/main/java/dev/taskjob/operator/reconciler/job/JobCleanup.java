package dev.taskjob.operator.reconciler.job;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.OwnerTags;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.core.store.ObjectStore;
import dev.taskjob.crds.v1alpha1.taskjob.CleanupPolicy;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.operator.archive.OutputLocations;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import dev.taskjob.operator.cloud.ProviderAccess;
import dev.taskjob.operator.validation.SecretEnv;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deleted job: terminates its VMs (through its pool, and directly by the job's tags in case the pool
 * is gone) and deletes its queues and its secret env values; the finalizer stays until the cloud confirms every VM terminated.
 */
final class JobCleanup {

  private static final Logger LOG = LoggerFactory.getLogger(JobCleanup.class);

  private final JobServices services;
  private final JobRuntimes runtimes;
  private final JobPools pools;

  JobCleanup(JobServices services, JobRuntimes runtimes, JobPools pools) {
    this.services = services;
    this.runtimes = runtimes;
    this.pools = pools;
  }

  DeleteControl cleanup(TaskJob job) {
    JobRuntime runtime = runtimes.forget(job);
    if (runtime != null) {
      runtime.stopLoading();
      runtime.stopConsumer();
    }
    TaskJobStatus status = job.getStatus();
    if (status == null || status.getQueueName() == null) {
      services.metrics().jobGone(job.getMetadata().getNamespace(), job.getMetadata().getName());
      return DeleteControl.defaultDelete();
    }
    InstancePool pool = pools.read(job);
    if (pool != null && pool.getMetadata().getDeletionTimestamp() == null) {
      services.client().resource(pool).delete();
      services.events().normal(job, "Deleting", "Terminating the job's instances and deleting its queues");
    }
    TaskJobSpec spec = job.getSpec();
    ProviderConfig config = runtime != null ? runtime.provider : cleanupConfig(job, spec);
    CloudProvider cloud = services.providers().cloud(config);
    List<Instance> left = cloud.list(Map.of(OwnerTags.MANAGED_BY, OwnerTags.MANAGED_BY_VALUE, OwnerTags.CLUSTER,
        services.settings().clusterId(), OwnerTags.JOB_UID, job.getMetadata().getUid()));
    List<String> alive = left.stream().filter(i -> i.state() != InstanceState.TERMINATED).map(Instance::id).toList();
    if (!alive.isEmpty()) {
      cloud.terminate(alive);
    }
    if (pool != null || !alive.isEmpty()) {
      if (runtime != null) {
        runtimes.keep(job, runtime);
      }
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(services.settings().resyncInterval().toMillis());
    }
    TaskQueue queue = runtime != null ? runtime.queue : services.providers().queue(config,
        WorkerEnvironment.queueSettings(status.getQueueName(), spec.getWorker()));
    try {
      queue.delete();
    } finally {
      queue.close();
    }
    if (SecretEnv.any(spec.getWorker() == null ? null : spec.getWorker().getEnv())) {
      services.providers().secrets(config).ifPresent(store ->
          store.delete(WorkerEnvironment.secretScope(status.getQueueName())));
    }
    settleResults(job, spec, config);
    services.metrics().jobGone(job.getMetadata().getNamespace(), job.getMetadata().getName());
    LOG.info("job {}: deleted; instances terminated, queues deleted", JobServices.name(job));
    return DeleteControl.defaultDelete();
  }

  /**
   * What a deleted job leaves: a copy of its ledger (the original is owned by the job and goes with it)
   * and its archive; with {@code cleanup: deleteAll} neither.
   */
  private void settleResults(TaskJob job, TaskJobSpec spec, ProviderConfig config) {
    if (spec.getCleanup() != CleanupPolicy.DELETE_ALL) {
      services.ledgers().keepCopy(job);
      return;
    }
    if (spec.getOutput() == null || spec.getOutput().getUri() == null) {
      return;
    }
    try (ObjectStore store = OutputLocations.open(spec.getOutput().getUri(), config, services.providers()::module)) {
      store.deleteAll(OutputLocations.jobPrefix(job));
      LOG.info("job {}: archive {}{} deleted (cleanup: deleteAll)", JobServices.name(job), store.location(),
          OutputLocations.jobPrefix(job));
    }
  }

  /** The job's provider config for cleanup; without its Secret (deleted with the namespace), ambient identity. */
  private ProviderConfig cleanupConfig(TaskJob job, TaskJobSpec spec) {
    try {
      return runtimes.providerConfig(job, spec);
    } catch (ProviderAccess.MissingSecretException e) {
      LOG.warn("job {}: credentials Secret gone, cleaning up with the operator's own identity", JobServices.name(job));
      return services.providers().config(job.getMetadata().getNamespace(), spec.getProvider().id(), spec.getRegion(),
          spec.getZones(), spec.getProject(), null);
    }
  }
}
