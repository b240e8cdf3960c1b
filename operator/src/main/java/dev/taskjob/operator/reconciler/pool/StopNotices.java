package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the workers of busy VMs the pool keeps for scale-in to take no new task ({@code ScaleIn}'s stop notice),
 * once per VM. A notice the cloud refuses is logged, not retried: the VM is still terminated once idle or after
 * the grace period, as it would be without one. The call runs off the reconcile thread: the look does not wait
 * for it.
 */
final class StopNotices {

  private static final Logger LOG = LoggerFactory.getLogger(StopNotices.class);

  private final PoolServices services;
  private final Executor calls;

  /** @param calls runs the stop-notice calls */
  StopNotices(PoolServices services, Executor calls) {
    this.services = services;
    this.calls = calls;
  }

  /** Submits the notice and returns. */
  void send(InstancePool pool, CloudProvider cloud, List<String> ids) {
    if (ids.isEmpty()) {
      return;
    }
    try {
      calls.execute(() -> call(pool, cloud, List.copyOf(ids)));
    } catch (RejectedExecutionException e) {
      LOG.debug("pool {}: shutting down, no stop notice sent", PoolServices.name(pool));
    }
  }

  private void call(InstancePool pool, CloudProvider cloud, List<String> ids) {
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
