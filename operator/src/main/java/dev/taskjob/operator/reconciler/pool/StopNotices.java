package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the workers of busy VMs the pool keeps for scale-in to take no new task ({@code ScaleIn}'s stop notice),
 * once per VM. A notice the cloud refuses is logged, not retried: the VM is still terminated once idle or after
 * the grace period, as it would be without one.
 */
final class StopNotices {

  private static final Logger LOG = LoggerFactory.getLogger(StopNotices.class);

  private final PoolServices services;

  StopNotices(PoolServices services) {
    this.services = services;
  }

  void send(InstancePool pool, CloudProvider cloud, List<String> ids) {
    if (ids.isEmpty()) {
      return;
    }
    try {
      cloud.sendStopNotice(ids);
    } catch (RuntimeException e) {
      LOG.warn("pool {}: could not send the stop notice to {}; they are terminated once idle or after the grace "
          + "period: {}", PoolServices.name(pool), ids, e.toString());
      return;
    }
    LOG.info("pool {}: told {} busy instances chosen for removal to take no new task: {}", PoolServices.name(pool),
        ids.size(), ids);
    services.events().normal(pool, "StopNoticeSent", "Told " + ids.size() + " busy instances chosen for removal to "
        + "take no new task; each is terminated once idle or after shutdownGracePeriod: "
        + PoolServices.abbreviate(ids));
  }
}
