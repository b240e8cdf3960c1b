package dev.taskjob.operator.reconciler.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolSpec;
import dev.taskjob.crds.v1alpha1.shared.InstanceRequirements;
import dev.taskjob.crds.v1alpha1.shared.Provider;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.cloud.ProviderAccess;
import dev.taskjob.operator.metrics.OperatorMetrics;
import dev.taskjob.operator.progress.Heartbeats;
import dev.taskjob.operator.reconciler.KubeEvents;
import dev.taskjob.operator.reconciler.OperatorHarness;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A spot pool of 4-hour tasks starts on the cheapest type; its VMs are interrupted often; from what it
 * observed (no hint given) the pool moves new VMs to a 10% dearer, steadier type, says why in status and
 * in an Event, and keeps the observations in the namespace's interruption ConfigMap. One reconcile at a
 * time with a clock the test turns.
 */
class SpotChoiceReconcileTest {

  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final String ZONE = "zone-a";

  private final ManualClock clock = new ManualClock(START);
  private final FlakyCloud cloud = new FlakyCloud(clock, List.of(spotType("cheap", 0.10), spotType("steady", 0.11)));
  private final Heartbeats heartbeats = new Heartbeats();
  private OperatorHarness harness;
  private InstancePoolReconciler reconciler;

  private static InstanceType spotType(String name, double spot) {
    return new InstanceType(name, 2, 8.0, Architecture.X86_64, 0, 0, null, false, true, List.of(ZONE), 0.30,
        Map.of(ZONE, spot), PriceSource.OVERRIDE);
  }

  @BeforeEach
  void setUp() {
    OperatorSettings settings = OperatorSettings.defaults("test");
    harness = new OperatorHarness(settings, Map.of("local", cloud.module("local")));
    ProviderAccess providers = new ProviderAccess(Map.of("local", cloud.module("local")), Map.of(), harness.client,
        clock);
    reconciler = new InstancePoolReconciler(harness.client, providers, new KubeEvents(harness.client, clock),
        heartbeats, settings, OperatorMetrics.inMemory(), clock, Runnable::run);
  }

  @AfterEach
  void tearDown() {
    reconciler.shutdown();
    harness.close();
  }

  @Test
  void movesNewInstancesToASteadierTypeOnceItsOwnObservationsShowTheCheapOneCostsMorePerTask() {
    InstancePool pool = harness.client.resource(pool("long-tasks", 4, "4h")).create();
    reconciler.reconcile(pool, null);
    assertThat(pool.getStatus().getChoice()).startsWith("cheap spot in zone-a: ")
        .contains("4h tasks (spec.worker.expectedTaskDuration)", "5.0%/h default prior", "next steady spot");
    assertThat(running("cheap")).hasSize(4);

    // One cheap VM interrupted every 10 minutes for an hour: about 1.5 per VM-hour.
    for (int minute = 1; minute <= 60; minute++) {
      clock.advance(Duration.ofMinutes(1));
      cloud.inState(InstanceState.RUNNING).forEach(vm -> heartbeats.record(vm.name(), clock.instant(), 2));
      if (minute % 10 == 0) {
        running("cheap").stream().findFirst().ifPresent(vm -> cloud.preempt(List.of(vm.id())));
      }
      reconciler.reconcile(pool, null);
    }

    assertThat(pool.getStatus().getChoice()).startsWith("steady spot in zone-a: ")
        .contains("next cheap spot in zone-a").containsPattern("next cheap .*%/h observed over \\d+ VM-hours");
    assertThat(running("steady")).as("replacements take the new choice").isNotEmpty();
    assertThat(cloud.inState(InstanceState.RUNNING)).hasSize(4);
    List<Event> events = harness.client.v1().events().inNamespace(OperatorHarness.NAMESPACE).list().getItems();
    assertThat(events).filteredOn(e -> "InstanceTypeChosen".equals(e.getReason())).extracting(Event::getMessage)
        .anySatisfy(m -> assertThat(m).startsWith("New instances: cheap spot"))
        .anySatisfy(m -> assertThat(m).startsWith("New instances: steady spot"));
    ConfigMap record = harness.client.configMaps().inNamespace(OperatorHarness.NAMESPACE)
        .withName(InterruptionRecords.CONFIG_MAP).get();
    assertThat(record.getData()).containsKey("cheap__zone-a");
    // six interruptions, decayed by the minutes since each (half-life: days)
    assertThat(Double.parseDouble(record.getData().get("cheap__zone-a").split(" ")[0])).isBetween(5.9, 6.0);
  }

  private List<Instance> running(String type) {
    return cloud.inState(InstanceState.RUNNING).stream().filter(vm -> vm.instanceType().equals(type)).toList();
  }

  private static InstancePool pool(String name, int count, String taskDuration) {
    InstancePool pool = new InstancePool();
    pool.getMetadata().setName(name);
    pool.getMetadata().setNamespace(OperatorHarness.NAMESPACE);
    InstancePoolSpec spec = new InstancePoolSpec();
    spec.setProvider(Provider.LOCAL);
    spec.setRegion("test");
    InstanceRequirements instances = new InstanceRequirements();
    instances.setSpot(true);
    spec.setInstances(instances);
    spec.setSpot(true);
    spec.setCount(count);
    spec.setTaskDuration(taskDuration);
    pool.setSpec(spec);
    return pool;
  }
}
