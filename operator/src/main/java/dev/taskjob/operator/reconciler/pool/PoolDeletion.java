package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolSpec;
import dev.taskjob.operator.cloud.ProviderAccess;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deleted pool: every VM terminated, and the finalizer kept until the cloud lists each one terminated, no
 * create round of the pool is in flight (one could still make a VM), and a disk list started after that lists
 * none of its disks (the detached ones deleted first). The terminates and disk calls run off the reconcile
 * thread; each look submits what is due and reads what answered.
 */
final class PoolDeletion {

  private static final Logger LOG = LoggerFactory.getLogger(PoolDeletion.class);
  private static final Duration DELETING_LOOK = Duration.ofSeconds(2);

  private final PoolServices services;
  private final PoolObserver observer;
  private final PoolSelections selections;
  private final VmLauncher launcher;
  private final Terminations terminations;
  private final VmStates vmStates;
  private final PoolDisks disks;

  PoolDeletion(PoolServices services, PoolObserver observer, PoolSelections selections, VmLauncher launcher,
      Terminations terminations, VmStates vmStates, PoolDisks disks) {
    this.services = services;
    this.observer = observer;
    this.selections = selections;
    this.launcher = launcher;
    this.terminations = terminations;
    this.vmStates = vmStates;
    this.disks = disks;
  }

  /**
   * Terminates every VM and keeps the finalizer until the cloud reports each one terminated; then deletes the disks
   * no VM uses and keeps it until the cloud lists none (a disk call refused for good is left to the orphan sweep).
   */
  DeleteControl cleanup(InstancePool pool) {
    ProviderConfig config;
    try {
      config = observer.providerConfig(pool);
    } catch (ProviderAccess.MissingSecretException e) {
      InstancePoolSpec spec = pool.getSpec();
      config = services.providers().config(pool.getMetadata().getNamespace(), spec.getProvider().id(),
          spec.getRegion(), spec.getZones(), spec.getProject(), null);
    }
    CloudProvider cloud = services.providers().cloud(config);
    // a create round in flight may still make a VM: wait for it, then terminate what it made
    boolean creating = launcher.creating(pool);
    Optional<VmStates.Listing> listing = observer.listing(pool, cloud);
    List<Instance> vms = listing.map(VmStates.Listing::vms).orElse(List.of());
    List<Instance> left = vms.stream().filter(vm -> vm.state() != InstanceState.TERMINATED).toList();
    if (!creating) {
      launcher.countForAdminCaps(pool, left, config);
    }
    if (!left.isEmpty() || creating || listing.isEmpty()) {
      terminations.terminateAll(pool, cloud, left, "the pool is being deleted");
      LOG.info("pool {}: deleting, waiting for {} instances to terminate", PoolServices.name(pool), left.size());
      return lookAgain();
    }
    if (!disks.goneOnDelete(pool, cloud)) {
      LOG.info("pool {}: deleting, every instance gone, waiting for its disks to be deleted", PoolServices.name(pool));
      return lookAgain();
    }
    services.terminationRequested().remove(pool.getMetadata().getUid());
    terminations.forget(pool);
    disks.forget(pool);
    launcher.forget(pool);
    selections.forget(pool);
    vmStates.forget(pool);
    vms.forEach(vm -> {
      services.heartbeats().forget(vm.id());
      if (vm.name() != null) {
        services.heartbeats().forget(vm.name());
      }
    });
    services.metrics().poolGone(pool.getMetadata().getNamespace(), pool.getMetadata().getName());
    LOG.info("pool {}: deleted, every instance terminated", PoolServices.name(pool));
    return DeleteControl.defaultDelete();
  }

  private DeleteControl lookAgain() {
    return DeleteControl.noFinalizerRemoval()
        .rescheduleAfter(min(services.settings().resyncInterval(), DELETING_LOOK).toMillis());
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
