package dev.taskjob.operator.reconciler.pool;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Scale-in through the real pool controller, one reconcile at a time on a clock the test turns, on a fake cloud
 * that records stop notices: a busy VM chosen for removal is told once to take no new task, and terminated only
 * once its worker reports it idle, or when the workers' shutdownGracePeriod has passed.
 */
class ScaleInHoldTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final FlakyCloud cloud = new FlakyCloud(clock);
  private final Heartbeats heartbeats = new Heartbeats();
  private OperatorHarness harness;
  private InstancePoolReconciler reconciler;

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
  void aBusyVmChosenForRemovalIsTerminatedWhenItsWorkerReportsIdle() {
    InstancePool pool = twoBusyVmsScaledToOne("idle-later");
    String chosen = held(pool);

    clock.advance(Duration.ofSeconds(20));
    report(chosen, 0);
    reconciler.reconcile(pool, null);

    assertThat(cloud.inState(InstanceState.TERMINATED)).extracting(Instance::id).containsExactly(chosen);
    assertThat(cloud.inState(InstanceState.RUNNING)).hasSize(1);
  }

  @Test
  void aBusyVmChosenForRemovalIsToldToStopOnceAndTerminatedOnlyWhenIdle() {
    InstancePool pool = twoBusyVmsScaledToOne("told-once");
    held(pool);
    assertThat(cloud.stopNotices).as("the held VM's worker is told to take no new task").hasSize(1);
    String chosen = cloud.stopNotices.get(0);

    for (int look = 1; look <= 3; look++) {
      clock.advance(Duration.ofSeconds(10));
      reportBoth(1);
      reconciler.reconcile(pool, null);
    }
    assertThat(cloud.stopNotices).as("told once, not at every look").containsExactly(chosen);
    assertThat(cloud.inState(InstanceState.TERMINATED)).as("busy and within its grace period").isEmpty();

    report(chosen, 0);
    reconciler.reconcile(pool, null);

    assertThat(cloud.inState(InstanceState.TERMINATED)).extracting(Instance::id).containsExactly(chosen);
    assertThat(cloud.stopNotices).containsExactly(chosen);
  }

  @Test
  void aBusyVmChosenForRemovalIsTerminatedWhenTheGracePeriodHasPassed() {
    InstancePool pool = twoBusyVmsScaledToOne("busy-on");
    held(pool);

    clock.advance(Duration.ofSeconds(59));
    reportBoth(1);
    reconciler.reconcile(pool, null);
    assertThat(cloud.inState(InstanceState.TERMINATED)).as("within the 60 s grace period").isEmpty();

    clock.advance(Duration.ofSeconds(1));
    reportBoth(1);
    reconciler.reconcile(pool, null);
    assertThat(cloud.inState(InstanceState.TERMINATED)).hasSize(1);
    assertThat(cloud.inState(InstanceState.RUNNING)).hasSize(1);
  }

  /** Two running VMs whose workers each run a task; the pool then scales to one. */
  private InstancePool twoBusyVmsScaledToOne(String name) {
    InstancePool pool = harness.client.resource(pool(name)).create();
    reconciler.reconcile(pool, null);
    assertThat(cloud.inState(InstanceState.RUNNING)).hasSize(2);
    reportBoth(1);
    pool.getSpec().setCount(1);
    pool.getMetadata().setGeneration(pool.getMetadata().getGeneration() + 1);
    clock.advance(Duration.ofSeconds(2));
    reportBoth(1);
    reconciler.reconcile(pool, null);
    return pool;
  }

  /** Asserts nothing was terminated yet; returns a VM whose worker will report idle (the removal order prefers it). */
  private String held(InstancePool pool) {
    assertThat(cloud.inState(InstanceState.TERMINATED)).as("a busy VM is not terminated at once").isEmpty();
    assertThat(cloud.inState(InstanceState.RUNNING)).hasSize(2);
    return cloud.inState(InstanceState.RUNNING).get(1).id();
  }

  private void reportBoth(int running) {
    cloud.inState(InstanceState.RUNNING).forEach(vm -> report(vm.id(), running));
  }

  private void report(String id, int running) {
    heartbeats.record(id, clock.instant(), running);
  }

  private static InstancePool pool(String name) {
    InstancePool pool = new InstancePool();
    pool.getMetadata().setName(name);
    pool.getMetadata().setNamespace(OperatorHarness.NAMESPACE);
    pool.getMetadata().setGeneration(1L);
    InstancePoolSpec spec = new InstancePoolSpec();
    spec.setProvider(Provider.LOCAL);
    spec.setRegion("test");
    spec.setInstances(new InstanceRequirements());
    spec.setCount(2);
    spec.setWorkerEnvironment(Map.of("TASKJOB_SHUTDOWN_GRACE_PERIOD", "60"));
    pool.setSpec(spec);
    return pool;
  }
}
