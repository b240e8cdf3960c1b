package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolSpec;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.shared.UnreadableField;
import dev.taskjob.operator.decision.KstatusConditions;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * InstancePools whose stored spec holds fields this operator's classes cannot read (an unknown field, an
 * enum value from a newer CRD, a number beyond its Java type). Such a pool is held: no cloud call, no VM
 * created or removed, since the spec it would act on is not the one written; its {@code Ready} condition
 * is False with reason {@code UnreadableField} naming the field. Other pools are not affected.
 *
 * <p>The stored spec is read from the API server, because the copy JOSDK hands a reconciler is a
 * re-serialized clone that no longer carries what the lenient reader left out; once per generation.
 */
final class UnreadablePools {

  static final String REASON = "UnreadableField";
  private static final Logger LOG = LoggerFactory.getLogger(UnreadablePools.class);
  private static final ResourceDefinitionContext STORED_POOLS =
      ResourceDefinitionContext.fromResourceType(InstancePool.class);

  private record Checked(Long generation, List<UnreadableField> fields) {}

  private final PoolServices services;
  private final Map<String, Checked> byUid = new ConcurrentHashMap<>();

  UnreadablePools(PoolServices services) {
    this.services = services;
  }

  /** The fields of the pool's stored spec that could not be read; empty for a readable pool. */
  List<UnreadableField> fields(InstancePool pool) {
    if (!pool.getSpec().unreadableFields().isEmpty()) {
      return pool.getSpec().unreadableFields();
    }
    Long generation = pool.getMetadata().getGeneration();
    Checked checked = byUid.get(pool.getMetadata().getUid());
    if (checked != null && Objects.equals(checked.generation(), generation)) {
      return checked.fields();
    }
    GenericKubernetesResource stored = services.client().genericKubernetesResources(STORED_POOLS)
        .inNamespace(pool.getMetadata().getNamespace()).withName(pool.getMetadata().getName()).get();
    Object storedSpec = stored == null ? null : stored.getAdditionalProperties().get("spec");
    List<UnreadableField> fields = storedSpec == null ? List.of()
        : new InstancePoolSpec.Reader().read(Serialization.jsonMapper().valueToTree(storedSpec)).unreadableFields();
    byUid.put(pool.getMetadata().getUid(), new Checked(generation, fields));
    return fields;
  }

  /**
   * Whether the pool is held for unreadable fields; if so, reports it: Ready False naming the first field,
   * the message, and a Warning Event when the report is new.
   */
  boolean held(InstancePool pool, InstancePoolStatus status, Instant now) {
    List<UnreadableField> fields = fields(pool);
    if (fields.isEmpty()) {
      return false;
    }
    String message = UnreadableField.summary(fields)
        + "; this operator cannot read the pool's spec, so it creates and removes no instances until it is fixed";
    boolean reported = Conditions.find(status.getConditions(), ConditionTypes.READY)
        .map(c -> REASON.equals(c.getReason()) && message.equals(c.getMessage())).orElse(false);
    status.setMessage(message);
    Conditions.set(status.getConditions(), ConditionTypes.READY, Condition.FALSE, REASON, message,
        PoolServices.generation(pool), now);
    if (!reported) {
      services.events().warning(pool, REASON, message);
      LOG.warn("pool {}: held, {}", PoolServices.name(pool), message);
    }
    return true;
  }

  /** kstatus for a held pool: not reconciling, stalled until a person fixes the field (as a Failed phase). */
  void stalled(InstancePool pool, InstancePoolStatus status, Instant now) {
    Long generation = PoolServices.generation(pool);
    Conditions.set(status.getConditions(), KstatusConditions.RECONCILING, Condition.FALSE, REASON, "", generation,
        now);
    Conditions.set(status.getConditions(), KstatusConditions.STALLED, Condition.TRUE, REASON, status.getMessage(),
        generation, now);
  }

  void forget(InstancePool pool) {
    byUid.remove(pool.getMetadata().getUid());
  }
}
