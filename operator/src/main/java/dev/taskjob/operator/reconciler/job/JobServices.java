package dev.taskjob.operator.reconciler.job;

import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.cloud.ProviderAccess;
import dev.taskjob.operator.decision.JobTransitions;
import dev.taskjob.operator.metrics.OperatorMetrics;
import dev.taskjob.operator.progress.Heartbeats;
import dev.taskjob.operator.reconciler.KubeEvents;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.time.Clock;

/**
 * What the TaskJob controller's parts share: the cluster, the providers, the job's ledger store, the
 * Event recorder, and the event source that wakes a job when its loader or consumer has news.
 */
record JobServices(KubernetesClient client, ProviderAccess providers, LedgerStore ledgers, KubeEvents events,
    Heartbeats heartbeats, OperatorSettings settings, OperatorMetrics metrics, Clock clock,
    SimpleInboundEventSource<TaskJob> progressEvents) {

  /** Records what a transition asked for. */
  void record(TaskJob job, JobTransitions.Notice notice) {
    if (notice.warning()) {
      events.warning(job, notice.reason(), notice.message());
    } else {
      events.normal(job, notice.reason(), notice.message());
    }
  }

  /** Wakes the job's reconcile (its loader checkpointed, its consumer heard something). */
  void wake(TaskJob job) {
    progressEvents.propagateEvent(ResourceID.fromResource(job));
  }

  static String name(TaskJob job) {
    return job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();
  }

  static Long generation(TaskJob job) {
    return job.getMetadata().getGeneration();
  }
}
