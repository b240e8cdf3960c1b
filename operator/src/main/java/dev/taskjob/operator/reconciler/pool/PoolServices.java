package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.cloud.ProviderAccess;
import dev.taskjob.operator.metrics.OperatorMetrics;
import dev.taskjob.operator.progress.Heartbeats;
import dev.taskjob.operator.reconciler.KubeEvents;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the InstancePool controller's parts share, including the VMs this process asked the cloud to
 * terminate (by pool uid): the cloud may list them as running for a while after the call.
 */
record PoolServices(KubernetesClient client, ProviderAccess providers, KubeEvents events, Heartbeats heartbeats,
    OperatorSettings settings, OperatorMetrics metrics, Clock clock,
    java.util.Map<String, Set<String>> terminationRequested) {

  PoolServices(KubernetesClient client, ProviderAccess providers, KubeEvents events, Heartbeats heartbeats,
      OperatorSettings settings, OperatorMetrics metrics, Clock clock) {
    this(client, providers, events, heartbeats, settings, metrics, clock, new ConcurrentHashMap<>());
  }

  Set<String> requested(InstancePool pool) {
    return terminationRequested.getOrDefault(pool.getMetadata().getUid(), Set.of());
  }

  void markRequested(InstancePool pool, java.util.Collection<String> ids) {
    terminationRequested.computeIfAbsent(pool.getMetadata().getUid(), k -> ConcurrentHashMap.newKeySet()).addAll(ids);
  }

  static String name(InstancePool pool) {
    return pool.getMetadata().getNamespace() + "/" + pool.getMetadata().getName();
  }

  static Long generation(InstancePool pool) {
    return pool.getMetadata().getGeneration();
  }

  static String abbreviate(java.util.List<String> ids) {
    return ids.size() <= 5 ? String.join(", ", ids)
        : String.join(", ", ids.subList(0, 5)) + " and " + (ids.size() - 5) + " more";
  }
}
