package dev.taskjob.bench.operator;

import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each TaskJob was applied and when it was first seen in each phase, from a watch on the
 * embedded API (each status patch arrives as an event, so a phase is seen within milliseconds of
 * being written).
 */
final class JobTimeline implements AutoCloseable {

  private final Map<String, Instant> applied = new ConcurrentHashMap<>();
  private final Map<String, Map<TaskJobPhase, Instant>> phases = new ConcurrentHashMap<>();
  private final Map<String, TaskJob> latest = new ConcurrentHashMap<>();
  private final Watch watch;

  JobTimeline(KubernetesClient client, String namespace) {
    watch = client.resources(TaskJob.class).inNamespace(namespace).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, TaskJob job) {
        Instant now = Instant.now();
        String name = job.getMetadata().getName();
        latest.put(name, job);
        if (job.getStatus() != null && job.getStatus().getPhase() != null) {
          phases.computeIfAbsent(name, n -> new EnumMap<>(TaskJobPhase.class))
              .putIfAbsent(job.getStatus().getPhase(), now);
        }
      }

      @Override
      public void onClose(WatcherException cause) {
        // The run reads what was seen; a closed watch only stops further updates.
      }
    });
  }

  void applied(String job, Instant at) {
    applied.put(job, at);
  }

  Instant appliedAt(String job) {
    return applied.get(job);
  }

  /** When the job was first seen in {@code phase}, or null. */
  Instant reached(String job, TaskJobPhase phase) {
    Map<TaskJobPhase, Instant> seen = phases.get(job);
    return seen == null ? null : seen.get(phase);
  }

  boolean finished(String job) {
    return reached(job, TaskJobPhase.SUCCEEDED) != null || reached(job, TaskJobPhase.FAILED) != null;
  }

  Instant finishedAt(String job) {
    Instant succeeded = reached(job, TaskJobPhase.SUCCEEDED);
    return succeeded != null ? succeeded : reached(job, TaskJobPhase.FAILED);
  }

  TaskJob latest(String job) {
    return latest.get(job);
  }

  @Override
  public void close() {
    watch.close();
  }
}
