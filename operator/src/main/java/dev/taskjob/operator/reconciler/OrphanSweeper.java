package dev.taskjob.operator.reconciler;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.Disk;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.OwnerTags;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.cloud.ProviderAccess;
import dev.taskjob.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Terminates VMs, and deletes disks no VM uses, that carry this cluster's owner tags but belong to no
 * InstancePool: left behind by a crash between a create call and the pool noticing, or by a pool whose
 * finalizer was removed by hand. The cloud is listed before the cluster, so a pool created in between is seen, and a VM younger
 * than the grace period is never touched (its pool may not be in the list yet). Only VMs of namespaces
 * this operator watches are judged; another operator of the same cluster owns the rest.
 */
public final class OrphanSweeper implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(OrphanSweeper.class);

  private final KubernetesClient client;
  private final ProviderAccess providers;
  private final OperatorSettings settings;
  private final OperatorMetrics metrics;
  private final Clock clock;

  public OrphanSweeper(KubernetesClient client, ProviderAccess providers, OperatorSettings settings,
      OperatorMetrics metrics, Clock clock) {
    this.client = client;
    this.providers = providers;
    this.settings = settings;
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * Sweeps every cloud location a pool of this process has used, the configured sweep locations, and
   * the local provider. Never throws (it runs on a timer).
   */
  @Override
  public void run() {
    for (ProviderConfig config : locations()) {
      try {
        sweep(config);
      } catch (RuntimeException e) {
        LOG.warn("orphan sweep of {} {} failed: {}", config.provider(), config.region(), e.toString());
      }
    }
  }

  /**
   * Where to look: after a restart with no pool left, only the configured locations (and local) are
   * known, which is why a cloud's regions in use belong in {@code --sweep-location}.
   */
  Set<ProviderConfig> locations() {
    Set<ProviderConfig> configs = new java.util.LinkedHashSet<>(providers.knownConfigs());
    for (String location : settings.sweepLocations()) {
      String[] parts = location.split(":");
      if (parts.length < 2 || providers.module(parts[0]).isEmpty()) {
        LOG.warn("sweep location '{}' is not provider:region[:project] with an installed provider; skipped", location);
        continue;
      }
      configs.add(providers.config("", parts[0], parts[1], List.of(), parts.length > 2 ? parts[2] : null, null));
    }
    if (providers.module("local").isPresent()) {
      configs.add(providers.config("", "local", "", List.of(), null, null));
    }
    return configs;
  }

  /**
   * Terminates the orphan VMs in one cloud location, and deletes the orphan disks no VM uses (a disk of a pool
   * that is gone); returns the VMs' ids. Disks attached to a VM go with it, so they are left to a later sweep.
   */
  public List<String> sweep(ProviderConfig config) {
    CloudProvider cloud = providers.cloud(config);
    Map<String, String> ours = Map.of(OwnerTags.MANAGED_BY, OwnerTags.MANAGED_BY_VALUE,
        OwnerTags.CLUSTER, settings.clusterId());
    List<Instance> tagged = cloud.list(ours);
    List<Disk> detached = cloud.detachedDisks(ours);
    Set<String> poolUids = poolUids();
    Instant cutoff = clock.instant().minus(settings.sweepGracePeriod());
    List<String> orphans = tagged.stream()
        .filter(vm -> vm.state().isAlive() || vm.state() == dev.taskjob.core.cloud.InstanceState.STOPPED)
        .filter(vm -> orphan(vm.tags(), poolUids))
        .filter(vm -> vm.launchTime() != null && vm.launchTime().isBefore(cutoff))
        .map(Instance::id)
        .toList();
    if (!orphans.isEmpty()) {
      cloud.terminate(orphans);
      metrics.orphansTerminated(config.provider(), orphans.size());
      LOG.warn("orphan sweep: terminated {} {} instances that belong to no InstancePool: {}", orphans.size(),
          config.provider(), orphans);
    }
    List<String> orphanDisks = detached.stream()
        .filter(disk -> orphan(disk.tags(), poolUids))
        .filter(disk -> disk.createdAt() != null && disk.createdAt().isBefore(cutoff))
        .map(Disk::id)
        .toList();
    if (!orphanDisks.isEmpty()) {
      cloud.deleteDisks(orphanDisks);
      LOG.warn("orphan sweep: deleted {} {} disks that no instance uses and no InstancePool owns: {}",
          orphanDisks.size(), config.provider(), orphanDisks);
    }
    return orphans;
  }

  /** Of a namespace this operator watches, and of no pool it knows. */
  private boolean orphan(Map<String, String> tags, Set<String> poolUids) {
    return watched(tags.get(OwnerTags.NAMESPACE)) && !poolUids.contains(tags.get(OwnerTags.POOL_UID));
  }

  private boolean watched(String namespace) {
    return settings.namespaces().isEmpty() || (namespace != null && settings.namespaces().contains(namespace));
  }

  private Set<String> poolUids() {
    Set<String> uids = new HashSet<>();
    if (settings.namespaces().isEmpty()) {
      client.resources(InstancePool.class).inAnyNamespace().list().getItems()
          .forEach(p -> uids.add(p.getMetadata().getUid()));
    } else {
      for (String ns : settings.namespaces()) {
        client.resources(InstancePool.class).inNamespace(ns).list().getItems()
            .forEach(p -> uids.add(p.getMetadata().getUid()));
      }
    }
    return uids;
  }
}
