package dev.taskjob.operator.reconciler.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.OwnerTags;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolPhase;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolSpec;
import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.shared.InstanceRequirements;
import dev.taskjob.crds.v1alpha1.shared.Provider;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.reconciler.OperatorHarness;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * InstancePools written past the schema (an older CRD, or none) that the classes cannot hold: each is held
 * with a Ready condition naming its field, creates no VM and can be deleted, while a healthy pool next to
 * them, reconciled by the same running operator, gets its VMs.
 */
class UnreadablePoolTest {

  private final FlakyCloud cloud = new FlakyCloud(Clock.systemUTC());
  private OperatorHarness harness;

  @BeforeEach
  void start() {
    harness = new OperatorHarness(OperatorSettings.defaults("test").fast(), Map.of("local", cloud.module("local")));
    harness.start();
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void unreadablePoolsAreHeldWithTheirFieldNamedWhileAHealthyPoolGetsItsVms() {
    Map<String, Consumer<ObjectNode>> unreadable = new LinkedHashMap<>();
    unreadable.put("int-overflow", spec -> spec.put("count", 3_000_000_000L));
    unreadable.put("newer-enum", spec -> spec.put("provider", "azure"));
    unreadable.put("unknown-field", spec -> ((ObjectNode) spec.get("instances")).put("maxCpuz", 2));
    Map<String, String> fields = Map.of(
        "int-overflow", "spec.count: Invalid value: 3000000000: out of range",
        "newer-enum", "spec.provider: Unsupported value: \"azure\"",
        "unknown-field", "spec.instances.maxCpuz: unknown field");
    unreadable.forEach((name, breakIt) -> {
      ObjectNode raw = Serialization.jsonMapper().valueToTree(pool(name, 2));
      breakIt.accept((ObjectNode) raw.get("spec"));
      harness.client.genericKubernetesResources("taskjob.dev/v1alpha1", "InstancePool")
          .inNamespace(OperatorHarness.NAMESPACE)
          .resource(Serialization.jsonMapper().convertValue(raw, GenericKubernetesResource.class)).create();
    });
    InstancePool healthy = harness.client.resource(pool("healthy-neighbour", 2)).create();

    OperatorHarness.await(OperatorHarness.PATIENCE, () -> harness.pool("healthy-neighbour"),
        p -> p.getStatus() != null && p.getStatus().getPhase() == InstancePoolPhase.READY, "healthy pool Ready");
    assertThat(cloud.inState(InstanceState.RUNNING)).hasSize(2)
        .allMatch(vm -> healthy.getMetadata().getUid().equals(vm.tags().get(OwnerTags.POOL_UID)));
    fields.forEach((name, field) -> {
      InstancePool held = OperatorHarness.await(OperatorHarness.PATIENCE, () -> harness.pool(name),
          p -> p.getStatus() != null && Conditions.find(p.getStatus().getConditions(), ConditionTypes.READY)
              .filter(c -> UnreadablePools.REASON.equals(c.getReason())).isPresent(), name + " held");
      Condition ready = Conditions.find(held.getStatus().getConditions(), ConditionTypes.READY).orElseThrow();
      assertThat(ready.getStatus()).isEqualTo(Condition.FALSE);
      assertThat(ready.getMessage()).as(name).startsWith(field);
      assertThat(Conditions.find(held.getStatus().getConditions(), "Stalled").map(Condition::getStatus))
          .contains(Condition.TRUE);
      assertThat(held.getStatus().getInstances()).isNullOrEmpty();
    });
    assertThat(harness.client.v1().events().inNamespace(OperatorHarness.NAMESPACE).list().getItems())
        .extracting(Event::getReason).contains(UnreadablePools.REASON);
    assertThat(cloud.createCalls()).isEqualTo(2);

    unreadable.keySet().forEach(name -> harness.client.resources(InstancePool.class)
        .inNamespace(OperatorHarness.NAMESPACE).withName(name).delete());
    unreadable.keySet().forEach(name -> OperatorHarness.await(OperatorHarness.PATIENCE,
        () -> harness.pool(name) == null, gone -> gone, name + " deleted"));
  }

  private static InstancePool pool(String name, int count) {
    InstancePool pool = new InstancePool();
    pool.getMetadata().setName(name);
    pool.getMetadata().setNamespace(OperatorHarness.NAMESPACE);
    InstancePoolSpec spec = new InstancePoolSpec();
    spec.setProvider(Provider.LOCAL);
    spec.setRegion("test");
    spec.setInstances(new InstanceRequirements());
    spec.setCount(count);
    pool.setSpec(spec);
    return pool;
  }
}
