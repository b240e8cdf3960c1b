package dev.taskjob.operator.reconciler.pool;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskjob.core.Json;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last status this process wrote for each pool, until the informer's copy shows it. JOSDK does not put a
 * status it patched into its cache, so the next look can be handed the pool as it was before that write (a
 * create's or terminate's answer wakes the pool sooner than the write comes back). Looking with that copy
 * would count a lost VM or a replacement again, or forget one ({@code status.replacements}, which the
 * never-started limit counts), or let a failed pool launch again. Only this controller writes a pool's status,
 * so a cached status that differs from the one written here is behind it, and the look takes the written one.
 */
final class WrittenStatuses {

  private final Map<String, JsonNode> written = new ConcurrentHashMap<>();

  /** The status to look with: the cached one once it shows the last write, else the last write. */
  InstancePoolStatus current(InstancePool pool, InstancePoolStatus cached) {
    String uid = pool.getMetadata().getUid();
    JsonNode last = written.get(uid);
    if (last == null) {
      return cached;
    }
    if (last.equals(tree(cached))) {
      written.remove(uid, last); // the cache caught up; from now on it is at least as new
      return cached;
    }
    return Json.MAPPER.convertValue(last, InstancePoolStatus.class);
  }

  /**
   * Keeps the status a look leaves when it is written; a look that writes nothing found the cache showing
   * what it would write, so nothing is kept.
   */
  void remember(InstancePool pool, InstancePoolStatus status, boolean writes) {
    if (writes) {
      written.put(pool.getMetadata().getUid(), tree(status));
    } else {
      written.remove(pool.getMetadata().getUid());
    }
  }

  void forget(InstancePool pool) {
    written.remove(pool.getMetadata().getUid());
  }

  private static JsonNode tree(InstancePoolStatus status) {
    return Json.MAPPER.valueToTree(status);
  }
}
