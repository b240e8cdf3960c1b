package dev.taskjob.operator.reconciler.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.taskjob.core.cloud.Instance;
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
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pool's reported cost against what the cloud bills, one reconcile at a time on a clock the test
 * turns, each reconcile when the controller asked to be looked at again.
 */
class PoolCostTest {

  private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

  private final ManualClock clock = new ManualClock(START);
  private final FlakyCloud cloud = new FlakyCloud(clock);
  private final OperatorSettings settings = OperatorSettings.defaults("test");
  private OperatorHarness harness;
  private InstancePoolReconciler reconciler;

  @BeforeEach
  void setUp() {
    harness = new OperatorHarness(settings, Map.of("local", cloud.module("local")));
    reconciler = newReconciler();
  }

  @AfterEach
  void tearDown() {
    reconciler.shutdown();
    harness.close();
  }

  /**
   * Three VMs at $0.10/hour for an hour: one is preempted (the cloud does not say when) and replaced, one
   * removed when the pool shrinks and then no longer listed by the cloud, the operator restarts half way;
   * then the pool scales to zero. The cost the pool reports is the cloud's bill within 1%, during the hour
   * and at its end.
   */
  @Test
  void aOneHourPoolAtAKnownPriceReportsTheBillWithinOnePercent() {
    InstancePool pool = harness.client.resource(pool("hour", 3)).create();
    lookUntil(pool, START.plus(Duration.ofMinutes(20)));
    assertThat(cloud.inState(InstanceState.RUNNING)).hasSize(3);
    assertReportsTheBill(pool);

    cloud.preempt(List.of(cloud.inState(InstanceState.RUNNING).get(0).id()));
    lookUntil(pool, START.plus(Duration.ofMinutes(30)));
    assertThat(cloud.inState(InstanceState.RUNNING)).as("the preempted VM was replaced").hasSize(3);

    // an operator restart: only the pool's status carries the bill over
    reconciler.shutdown();
    reconciler = newReconciler();
    lookUntil(pool, START.plus(Duration.ofMinutes(40)));
    assertReportsTheBill(pool);

    pool.getSpec().setCount(2);
    pool.getMetadata().setGeneration(pool.getMetadata().getGeneration() + 1);
    lookUntil(pool, START.plus(Duration.ofMinutes(45)));
    List<String> removed = cloud.inState(InstanceState.TERMINATED).stream().map(Instance::id).toList();
    assertThat(removed).isNotEmpty();
    cloud.forget(removed);
    lookUntil(pool, START.plus(Duration.ofMinutes(60)));
    assertReportsTheBill(pool);

    pool.getSpec().setCount(0);
    pool.getMetadata().setGeneration(pool.getMetadata().getGeneration() + 1);
    lookUntil(pool, START.plus(Duration.ofMinutes(62)));
    assertThat(cloud.inState(InstanceState.RUNNING)).isEmpty();
    double bill = cloud.bill();
    // three VMs for 40 minutes and two for 20, at $0.10/hour (the replacement of the preempted one takes a look)
    assertThat(bill).isCloseTo(0.10 * (3 * 40 + 2 * 20) / 60.0, within(0.002));
    assertReportsTheBill(pool);
    clock.advance(Duration.ofHours(5));
    reconciler.reconcile(pool, null);
    assertThat(PoolCost.billed(pool, clock.instant())).isCloseTo(bill, within(bill * 0.01));
    assertThat(pool.getStatus().getDisksLeft()).as("a local cloud has no disks").isZero();
  }

  private void assertReportsTheBill(InstancePool pool) {
    double bill = cloud.bill();
    assertThat(pool.getStatus().getCostSoFar()).as("costSoFar at %s", clock.instant())
        .isCloseTo(bill, within(bill * 0.01));
    assertThat(PoolCost.billed(pool, clock.instant())).as("full precision").isCloseTo(bill, within(bill * 0.01));
  }

  /** Reconciles whenever the controller asked to be looked at again, until {@code until}. */
  private void lookUntil(InstancePool pool, Instant until) {
    while (clock.instant().isBefore(until)) {
      UpdateControl<InstancePool> control = reconciler.reconcile(pool, null);
      Duration next = Duration.ofMillis(control.getScheduleDelay().orElseThrow());
      clock.advance(next.compareTo(Duration.between(clock.instant(), until)) < 0 ? next
          : Duration.between(clock.instant(), until));
    }
    reconciler.reconcile(pool, null);
  }

  private InstancePoolReconciler newReconciler() {
    ProviderAccess providers = new ProviderAccess(Map.of("local", cloud.module("local")), Map.of(), harness.client,
        clock);
    return new InstancePoolReconciler(harness.client, providers, new KubeEvents(harness.client, clock),
        new Heartbeats(), settings, OperatorMetrics.inMemory(), clock, Runnable::run);
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
