package dev.taskjob.operator.cli;

import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.store.ObjectStore;
import dev.taskjob.core.task.Task;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import dev.taskjob.operator.archive.ArchiveReader;
import dev.taskjob.operator.archive.OutputLocations;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.ledger.TaskResult;
import dev.taskjob.operator.load.LoadOptions;
import dev.taskjob.operator.load.TaskListing;
import dev.taskjob.operator.reconciler.job.LedgerStore;
import dev.taskjob.operator.tasks.JobTasks;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A TaskJob as the CLI reads it from the cluster: the object, its ledger (the exact record of which
 * tasks are final), the spec it started with, its task list and, when it names an output location,
 * its archive of results.
 */
final class ClusterJob {

  /** What a task is, by the ledger. */
  enum TaskState {
    SUCCEEDED, FAILED, UNFINISHED;

    String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  final TaskJob job;
  final Ledger ledger;
  final TaskJobSpec startedSpec;
  private final KubernetesClient client;

  private ClusterJob(KubernetesClient client, TaskJob job, Ledger ledger, TaskJobSpec startedSpec) {
    this.client = client;
    this.job = job;
    this.ledger = ledger;
    this.startedSpec = startedSpec;
  }

  /**
   * Reads the job and its ledger.
   *
   * @throws IllegalArgumentException naming what is missing (the job, or its ledger before the job started)
   */
  static ClusterJob read(KubernetesClient client, String namespace, String name) {
    TaskJob job = client.resources(TaskJob.class).inNamespace(namespace).withName(name).get();
    if (job == null) {
      throw new IllegalArgumentException("taskjob " + name + " not found in namespace " + namespace);
    }
    LedgerStore.Stored stored = new LedgerStore(client).load(job).orElseThrow(() -> new IllegalArgumentException(
        "taskjob " + namespace + "/" + name + " has no ledger yet (ConfigMap " + LedgerStore.nameFor(job)
            + "): it has not started"));
    TaskJobSpec started = job.getSpec();
    if (stored.specJson() != null) {
      try {
        started = Json.MAPPER.readValue(stored.specJson(), TaskJobSpec.class);
      } catch (IOException e) {
        throw new IllegalStateException("the spec stored in " + LedgerStore.nameFor(job) + " is not readable: "
            + e.getMessage(), e);
      }
    }
    return new ClusterJob(client, job, stored.ledger(), started);
  }

  String displayName() {
    return job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();
  }

  TaskState state(long index) {
    return ledger.isFailed(index) ? TaskState.FAILED : ledger.isFinished(index) ? TaskState.SUCCEEDED
        : TaskState.UNFINISHED;
  }

  /** Every task of the job in index order, as its task list (ConfigMaps or sweep) defines it. */
  void forEachTask(Consumer<Task> each) {
    String provider = startedSpec.getProvider().id();
    JobTasks tasks = JobTasks.open(client, job.getMetadata().getNamespace(), startedSpec.getTasks(),
        LoadOptions.forProvider(provider).maxMessageBytes());
    TaskListing.forEach(tasks.input(), JobTasks.MAX_LIST_BYTES, each);
  }

  /** The archived results by task index; empty when the job names no output location. */
  Map<Long, TaskResult> archivedResults() {
    if (!hasArchive()) {
      return Map.of();
    }
    try (ObjectStore store = OutputLocations.open(startedSpec.getOutput().getUri(), callerConfig(),
        name -> java.util.Optional.ofNullable(Providers.available().get(name)))) {
      return new ArchiveReader(store, OutputLocations.jobPrefix(job)).results();
    }
  }

  /** Every archived event, in the order the operator consumed them; nothing when the job names no output location. */
  void forEachArchivedEvent(Consumer<TaskEvent> each) {
    if (!hasArchive()) {
      return;
    }
    try (ObjectStore store = OutputLocations.open(startedSpec.getOutput().getUri(), callerConfig(),
        name -> java.util.Optional.ofNullable(Providers.available().get(name)))) {
      new ArchiveReader(store, OutputLocations.jobPrefix(job)).forEachEvent(each);
    }
  }

  boolean hasArchive() {
    return startedSpec.getOutput() != null && startedSpec.getOutput().getUri() != null;
  }

  /** The caller's own cloud identity (environment, profile), in the job's region: not the operator's Secret. */
  private ProviderConfig callerConfig() {
    return new ProviderConfig(startedSpec.getProvider().id(), startedSpec.getRegion(), startedSpec.getZones(),
        startedSpec.getProject() == null ? Map.of() : Map.of(ProviderConfig.Keys.PROJECT, startedSpec.getProject()));
  }
}
