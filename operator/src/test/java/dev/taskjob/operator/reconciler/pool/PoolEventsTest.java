package dev.taskjob.operator.reconciler.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.InstanceState;
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
import io.fabric8.kubernetes.api.model.Event;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One reconcile at a time with the cloud's list and create calls held in a queue the test runs: a
 * reconcile never waits for the cloud, and what the calls answer reaches the next reconcile.
 */
class PoolEventsTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final FlakyCloud cloud = new FlakyCloud(clock);
  private final QueuedExecutor cloudCalls = new QueuedExecutor();
  private OperatorHarness harness;
  private InstancePoolReconciler reconciler;

  @BeforeEach
  void setUp() {
    OperatorSettings settings = OperatorSettings.defaults("test");
    harness = new OperatorHarness(settings, Map.of("local", cloud.module("local")));
    ProviderAccess providers = new ProviderAccess(Map.of("local", cloud.module("local")), Map.of(), harness.client,
        clock);
    reconciler = new InstancePoolReconciler(harness.client, providers, new KubeEvents(harness.client, clock),
        new Heartbeats(), settings, OperatorMetrics.inMemory(), clock, cloudCalls);
  }

  @AfterEach
  void tearDown() {
    reconciler.shutdown();
    harness.close();
  }

  @Test
  void createsRunOffTheReconcileAndTheirVmsCountOnceTheyAnswer() {
    InstancePool pool = harness.client.resource(pool("workers", 3)).create();

    reconciler.reconcile(pool, null);
    assertThat(cloud.listCalls()).as("the first list is queued, not made by the reconcile").isZero();
    cloudCalls.runAll();
    assertThat(cloud.listCalls()).isOne();

    reconciler.reconcile(pool, null);
    assertThat(cloud.createCalls()).as("the reconcile returned before any create").isZero();
    assertThat(cloudCalls.size()).isEqualTo(3);

    reconciler.reconcile(pool, null);
    assertThat(cloudCalls.size()).as("a look while the round is in flight starts no second round").isEqualTo(3);

    cloudCalls.runAll();
    assertThat(cloud.inState(InstanceState.RUNNING)).hasSize(3);
    reconciler.reconcile(pool, null);
    assertThat(pool.getStatus().getRunning()).isEqualTo(3);
    assertThat(cloud.createCalls()).isEqualTo(3);
    List<Event> events = harness.client.v1().events().inNamespace(OperatorHarness.NAMESPACE).list().getItems();
    assertThat(events).extracting(Event::getReason).contains("InstancesCreated");

    cloudCalls.runAll(); // the list the created VMs asked for
    reconciler.reconcile(pool, null);
    assertThat(cloud.createCalls()).as("no create once the listing holds the round's VMs").isEqualTo(3);
    assertThat(cloudCalls.size()).isZero();
  }

  @Test
  void aPoolDeletedWhileItsCreatesAreInFlightKeepsItsFinalizerUntilTheirVmsAreTerminated() {
    InstancePool pool = harness.client.resource(pool("deleted", 2)).create();
    reconciler.reconcile(pool, null);
    cloudCalls.runAll();
    reconciler.reconcile(pool, null);
    assertThat(cloudCalls.size()).isEqualTo(2);

    DeleteControl whileCreating = reconciler.cleanup(pool, null);
    assertThat(whileCreating.isRemoveFinalizer()).isFalse();

    cloudCalls.runAll();
    DeleteControl afterCreates = reconciler.cleanup(pool, null);
    assertThat(afterCreates.isRemoveFinalizer()).as("the round made VMs").isFalse();
    assertThat(cloud.inState(InstanceState.TERMINATED)).as("the terminate is submitted, not made by the look")
        .isEmpty();

    cloudCalls.runAll();
    assertThat(cloud.inState(InstanceState.TERMINATED)).hasSize(2);
    assertThat(reconciler.cleanup(pool, null).isRemoveFinalizer()).as("the listing still shows them running")
        .isFalse();
    cloudCalls.runAll();
    assertThat(reconciler.cleanup(pool, null).isRemoveFinalizer()).as("no disk list answered yet").isFalse();
    cloudCalls.runAll();
    assertThat(reconciler.cleanup(pool, null).isRemoveFinalizer()).isTrue();
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
