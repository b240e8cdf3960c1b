package dev.taskjob.operator.reconciler.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskjob.core.Json;
import dev.taskjob.crds.v1alpha1.shared.InstanceRequirements;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * What may change in a running job. The spec a job started with is kept in its ledger ConfigMap;
 * every reconcile acts on that spec with the live values of the fields that may change (the budget,
 * the termination delay, the cleanup policy, the TTL, the credentials Secret and {@code suspend}). Other changes are
 * refused: reported, and ignored.
 */
final class JobSpecs {

  /** Top-level fields that may change while the job runs. */
  static final Set<String> MUTABLE = Set.of("terminationDelay", "cleanup", "ttlSecondsAfterFinished", "credentials",
      "suspend", "budget", "dryRun");
  /** Fields of {@code spec.instances} that may change while the job runs. */
  static final Set<String> MUTABLE_INSTANCES = Set.of("minInstances", "maxInstances", "maxTotalCpus", "maxPricePerHour");

  private JobSpecs() {}

  static String snapshot(TaskJobSpec spec) {
    try {
      return Json.MAPPER.writeValueAsString(spec);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static TaskJobSpec parse(String json) {
    try {
      return Json.MAPPER.readValue(json, TaskJobSpec.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored spec snapshot is not readable: " + e.getOriginalMessage(), e);
    }
  }

  /** The started spec with the live values of the mutable fields. */
  static TaskJobSpec effective(TaskJobSpec started, TaskJobSpec live) {
    TaskJobSpec out = parse(snapshot(started));
    out.setTerminationDelay(live.getTerminationDelay());
    out.setCleanup(live.getCleanup());
    out.setTtlSecondsAfterFinished(live.getTtlSecondsAfterFinished());
    out.setCredentials(live.getCredentials());
    out.setSuspend(live.getSuspend());
    out.setBudget(live.getBudget());
    out.setDryRun(live.getDryRun());
    InstanceRequirements liveInstances = live.getInstances() == null ? new InstanceRequirements() : live.getInstances();
    InstanceRequirements instances = out.getInstances() == null ? new InstanceRequirements() : out.getInstances();
    instances.setMinInstances(liveInstances.getMinInstances());
    instances.setMaxInstances(liveInstances.getMaxInstances());
    instances.setMaxTotalCpus(liveInstances.getMaxTotalCpus());
    instances.setMaxPricePerHour(liveInstances.getMaxPricePerHour());
    out.setInstances(instances);
    return out;
  }

  /** Paths of fields that changed although they may not, e.g. {@code spec.worker}; empty when none did. */
  static List<String> refusedChanges(TaskJobSpec started, TaskJobSpec live) {
    ObjectNode a = immutablePart(started);
    ObjectNode b = immutablePart(live);
    List<String> changed = new ArrayList<>();
    Set<String> names = new java.util.TreeSet<>();
    a.fieldNames().forEachRemaining(names::add);
    b.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      JsonNode x = a.get(name);
      JsonNode y = b.get(name);
      if (name.equals("instances") && x != null && y != null) {
        Set<String> inner = new java.util.TreeSet<>();
        x.fieldNames().forEachRemaining(inner::add);
        y.fieldNames().forEachRemaining(inner::add);
        for (String field : inner) {
          if (!java.util.Objects.equals(x.get(field), y.get(field))) {
            changed.add("spec.instances." + field);
          }
        }
      } else if (!java.util.Objects.equals(x, y)) {
        changed.add("spec." + name);
      }
    }
    return changed;
  }

  private static ObjectNode immutablePart(TaskJobSpec spec) {
    ObjectNode node = Json.MAPPER.valueToTree(spec);
    MUTABLE.forEach(node::remove);
    JsonNode instances = node.get("instances");
    if (instances instanceof ObjectNode o) {
      MUTABLE_INSTANCES.forEach(o::remove);
      for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (o.get(f).isNull()) {
          it.remove();
        }
      }
    }
    return node;
  }
}
