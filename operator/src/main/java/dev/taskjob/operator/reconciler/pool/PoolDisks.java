package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.Disk;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolPhase;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.operator.decision.PoolEmptying;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disks of a pool scaled to zero (or failed): counted into {@code status.disksLeft}, and once every VM is
 * gone the ones no VM uses are deleted ({@link PoolEmptying}). A VM stopped rather than deleted, or a disk left
 * behind, still bills, so the pool is not empty until both are gone. Looked at only then, to spare the API.
 */
final class PoolDisks {

  private static final Logger LOG = LoggerFactory.getLogger(PoolDisks.class);

  private final PoolServices services;

  PoolDisks(PoolServices services) {
    this.services = services;
  }

  /** @param vms the pool's VMs as listed at this look */
  void empty(InstancePool pool, InstancePoolStatus status, CloudProvider cloud, List<Instance> vms) {
    int target = pool.getSpec().getCount() == null ? 0 : pool.getSpec().getCount();
    boolean failed = status.getPhase() == InstancePoolPhase.FAILED;
    if (PoolEmptying.decide(target, failed, 0, 0) == PoolEmptying.Step.NOT_EMPTYING) {
      status.setDisksLeft(null);
      return;
    }
    Map<String, String> selector = VmNaming.poolSelector(pool, services.settings().clusterId());
    int vmsLeft = (int) vms.stream().filter(vm -> vm.state() != InstanceState.TERMINATED).count();
    List<String> disks = cloud.disks(selector);
    if (PoolEmptying.decide(target, failed, vmsLeft, disks.size()) == PoolEmptying.Step.DELETE_DISKS
        && deleteDetached(pool, cloud)) {
      disks = cloud.disks(selector);
    }
    status.setDisksLeft(disks.size());
    if (!disks.isEmpty()) {
      status.setMessage(status.getMessage() + ", " + disks.size() + " disks left");
      if (status.getPhase() == InstancePoolPhase.READY) {
        status.setPhase(InstancePoolPhase.SCALING);
      }
    }
  }

  /** A pool being deleted: its detached disks go too; a failure never holds the deletion (the orphan sweep retries). */
  void deleteDetachedOnDelete(InstancePool pool, CloudProvider cloud) {
    try {
      deleteDetached(pool, cloud);
    } catch (RuntimeException e) {
      LOG.warn("pool {}: could not delete the disks its instances left; the orphan sweep will: {}",
          PoolServices.name(pool), e.toString());
    }
  }

  /** Deletes the pool's disks that no VM uses; says whether there were any. */
  boolean deleteDetached(InstancePool pool, CloudProvider cloud) {
    List<String> detached = cloud.detachedDisks(VmNaming.poolSelector(pool, services.settings().clusterId())).stream()
        .map(Disk::id).toList();
    if (detached.isEmpty()) {
      return false;
    }
    cloud.deleteDisks(detached);
    LOG.info("pool {}: every instance gone, deleting {} disks left behind: {}", PoolServices.name(pool),
        detached.size(), detached);
    services.events().normal(pool, "DisksDeleted", "Deleting " + detached.size() + " disks no instance uses: "
        + PoolServices.abbreviate(detached));
    return true;
  }
}
