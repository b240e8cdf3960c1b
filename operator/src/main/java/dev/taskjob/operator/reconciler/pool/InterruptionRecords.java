package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.operator.selection.InterruptionHistory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spot interruptions this operator has seen, per (type, zone), kept in a small ConfigMap
 * ({@value #CONFIG_MAP}) in each namespace its pools run in (the operator may write ConfigMaps only there).
 * Each pool look adds the VM-hours its running spot VMs were exposed since the last look and the VMs lost
 * since; the ConfigMap is written at most once per {@link #SAVE_INTERVAL}.
 */
final class InterruptionRecords {

  static final String CONFIG_MAP = "taskjob-interruptions";
  static final Duration SAVE_INTERVAL = Duration.ofMinutes(1);
  /** A longer gap between looks (a restart, a stalled controller) is not counted as exposure. */
  private static final Duration MAX_EXPOSURE_PER_LOOK = Duration.ofMinutes(5);
  private static final Logger LOG = LoggerFactory.getLogger(InterruptionRecords.class);

  private final KubernetesClient client;
  private final Map<String, InterruptionHistory> byNamespace = new ConcurrentHashMap<>();
  private final Map<String, Instant> savedAt = new ConcurrentHashMap<>();
  private final Set<String> unsaved = ConcurrentHashMap.newKeySet();
  private final Map<String, Instant> lastLook = new ConcurrentHashMap<>();

  InterruptionRecords(KubernetesClient client) {
    this.client = client;
  }

  /** The namespace's record, read from its ConfigMap the first time. */
  InterruptionHistory history(String namespace) {
    return byNamespace.computeIfAbsent(namespace, ns -> {
      try {
        ConfigMap cm = client.configMaps().inNamespace(ns).withName(CONFIG_MAP).get();
        return InterruptionHistory.fromData(cm == null ? null : cm.getData());
      } catch (KubernetesClientException e) {
        LOG.warn("interruption record in {} unreadable ({}); starting from the prior", ns, e.getMessage());
        return new InterruptionHistory();
      }
    });
  }

  /** Adds one look: exposure of the pool's running spot VMs since its last look, and the spot VMs lost since. */
  void observe(InstancePool pool, List<Instance> vms, Collection<String> lostIds, Instant now) {
    String ns = pool.getMetadata().getNamespace();
    Instant previous = lastLook.put(pool.getMetadata().getUid(), now);
    InterruptionHistory history = history(ns);
    Duration since = previous == null ? Duration.ZERO : Duration.between(previous, now);
    double hours = Math.max(0, Math.min(since.toMillis(), MAX_EXPOSURE_PER_LOOK.toMillis())) / 3_600_000.0;
    Map<String, int[]> byOffering = new HashMap<>();
    for (Instance vm : vms) {
      if (!vm.spot() || vm.instanceType() == null) {
        continue;
      }
      boolean lost = lostIds.contains(vm.id());
      if (vm.state() == InstanceState.RUNNING || lost) {
        int[] counts = byOffering.computeIfAbsent(vm.instanceType() + "\n" + (vm.zone() == null ? "" : vm.zone()),
            k -> new int[2]);
        counts[0]++;
        counts[1] += lost ? 1 : 0;
      }
    }
    byOffering.forEach((key, counts) -> {
      String[] parts = key.split("\n", -1);
      history.record(parts[0], parts[1].isEmpty() ? null : parts[1], counts[0] * hours, counts[1], now);
    });
    if (!byOffering.isEmpty()) {
      unsaved.add(ns);
    }
    Instant saved = savedAt.get(ns);
    if (unsaved.contains(ns) && (saved == null || !now.isBefore(saved.plus(SAVE_INTERVAL)))) {
      save(ns, history, now);
    }
  }

  void forget(InstancePool pool) {
    lastLook.remove(pool.getMetadata().getUid());
  }

  private void save(String ns, InterruptionHistory history, Instant now) {
    Map<String, String> data = history.toData();
    try {
      var resource = client.configMaps().inNamespace(ns).withName(CONFIG_MAP);
      if (resource.get() == null) {
        resource.create(new ConfigMapBuilder().withNewMetadata().withName(CONFIG_MAP).withNamespace(ns)
            .addToLabels("app.kubernetes.io/managed-by", "taskjob-operator").endMetadata().withData(data).build());
      } else {
        resource.patch(PatchContext.of(PatchType.JSON_MERGE),
            Json.MAPPER.createObjectNode().set("data", Json.MAPPER.valueToTree(data)).toString());
      }
      savedAt.put(ns, now);
      unsaved.remove(ns);
    } catch (KubernetesClientException e) {
      // Advisory data: the next look tries again; selection goes on from memory.
      LOG.warn("interruption record in {} not saved: {}", ns, e.getMessage());
    }
  }
}
