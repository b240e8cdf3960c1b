package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.core.Json;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolPhase;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last status of each pool this process failed. A pool never leaves Failed, but the informer can hand the
 * next look the pool as it was before the write that failed it (the termination of its last VM wakes the pool
 * before the write comes back), and that look would launch a replacement. A look whose cached pool is not
 * Failed while this process failed it takes the status written here instead.
 */
final class FailedPools {

  private final Map<String, InstancePoolStatus> failed = new ConcurrentHashMap<>();

  /** The status to look with: the cached one, or the failed one written here when the cache is behind it. */
  InstancePoolStatus current(InstancePool pool, InstancePoolStatus cached) {
    InstancePoolStatus written = failed.get(pool.getMetadata().getUid());
    return written != null && cached.getPhase() != InstancePoolPhase.FAILED ? copy(written) : cached;
  }

  /** Keeps the status a look leaves, if the pool is failed. */
  void remember(InstancePool pool, InstancePoolStatus status) {
    if (status.getPhase() == InstancePoolPhase.FAILED) {
      failed.put(pool.getMetadata().getUid(), copy(status));
    }
  }

  void forget(InstancePool pool) {
    failed.remove(pool.getMetadata().getUid());
  }

  private static InstancePoolStatus copy(InstancePoolStatus status) {
    return Json.MAPPER.convertValue(status, InstancePoolStatus.class);
  }
}
