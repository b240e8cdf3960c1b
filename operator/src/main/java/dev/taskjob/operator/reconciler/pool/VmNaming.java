package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.core.cloud.OwnerTags;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Names, idempotency keys and owner tags of a pool's VMs. A VM's name ends in its launch sequence
 * number; the idempotency key is derived from the pool's uid and that number, so a create retried
 * after a timeout or a crash returns the VM the first call made.
 */
final class VmNaming {

  private VmNaming() {}

  /** {@code tj-<pool name>-<uid prefix>}: lower case, valid as a GCE instance name prefix. */
  static String prefix(InstancePool pool) {
    String name = labelValue(pool.getMetadata().getName());
    if (name.length() > 40) {
      name = name.substring(0, 40).replaceAll("[-_]+$", "");
    }
    String uid = pool.getMetadata().getUid().replace("-", "").toLowerCase(Locale.ROOT);
    return ("tj-" + name + "-" + uid.substring(0, Math.min(8, uid.length()))).replace('_', '-');
  }

  static String name(InstancePool pool, long seq) {
    return prefix(pool) + "-" + seq;
  }

  /** The launch sequence number in a VM name of this pool, if it is one. */
  static OptionalLong seqOf(InstancePool pool, String vmName) {
    String prefix = prefix(pool) + "-";
    if (vmName == null || !vmName.startsWith(prefix)) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(vmName.substring(prefix.length())));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  static String idempotencyKey(InstancePool pool, long seq) {
    return UUID.nameUUIDFromBytes((pool.getMetadata().getUid() + "/" + seq).getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** Tags that identify every VM of this pool (the list filter). */
  static Map<String, String> poolSelector(InstancePool pool, String clusterId) {
    Map<String, String> tags = new TreeMap<>();
    tags.put(OwnerTags.MANAGED_BY, OwnerTags.MANAGED_BY_VALUE);
    tags.put(OwnerTags.CLUSTER, clusterId);
    tags.put(OwnerTags.POOL_UID, pool.getMetadata().getUid());
    return tags;
  }

  /** All owner tags set at creation. */
  static Map<String, String> tags(InstancePool pool, String clusterId) {
    Map<String, String> tags = poolSelector(pool, clusterId);
    tags.put(OwnerTags.NAMESPACE, labelValue(pool.getMetadata().getNamespace()));
    OwnerReference owner = jobOwner(pool);
    if (owner != null) {
      tags.put(OwnerTags.JOB_UID, owner.getUid());
      tags.put(OwnerTags.JOB_NAME, labelValue(owner.getName()));
    }
    return tags;
  }

  static OwnerReference jobOwner(InstancePool pool) {
    if (pool.getMetadata().getOwnerReferences() == null) {
      return null;
    }
    return pool.getMetadata().getOwnerReferences().stream().filter(o -> "TaskJob".equals(o.getKind())).findFirst()
        .orElse(null);
  }

  /** Lower case letters, digits, '-' and '_', at most 63 characters: valid as an AWS tag and a GCE label value. */
  static String labelValue(String s) {
    String v = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
    return v.length() <= 63 ? v : v.substring(0, 63);
  }
}
