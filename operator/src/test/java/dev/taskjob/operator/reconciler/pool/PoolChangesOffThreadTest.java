package dev.taskjob.operator.reconciler.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.CloudException;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolPhase;
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
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Terminates and disk calls run off the reconcile thread, held in a queue the test runs: a look submits them
 * and returns, a later look reads what they answered, and the drain and the deletion wait for the cloud to list
 * the VMs and disks gone, not for a call to be submitted.
 */
class PoolChangesOffThreadTest {

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
  void aHeldTerminateDoesNotBlockTheLookAndIsNotSentTwice() {
    InstancePool pool = running("held", 2);
    pool.getSpec().setCount(0);

    reconciler.reconcile(pool, null);
    assertThat(cloud.terminateRequests()).as("the look returned before the terminate").isEmpty();
    assertThat(cloud.inState(InstanceState.RUNNING)).hasSize(2);

    reconciler.reconcile(pool, null);
    cloudCalls.runAll();
    assertThat(cloud.terminateRequests()).as("the look while it was in flight sent none").hasSize(2)
        .doesNotHaveDuplicates();
    assertThat(cloud.inState(InstanceState.TERMINATED)).hasSize(2);
  }

  @Test
  void aRefusedTerminateIsReportedAndSentAgainOnceItsBackoffPassed() {
    InstancePool pool = running("refused", 2);
    pool.getSpec().setCount(0);
    cloud.refuseTerminates(1, new CloudException("Throttling: rate exceeded", true));

    reconciler.reconcile(pool, null);
    cloudCalls.runAll();
    assertThat(cloud.terminateRequests()).hasSize(2);
    assertThat(cloud.inState(InstanceState.RUNNING)).hasSize(2);

    reconciler.reconcile(pool, null);
    assertThat(reasons()).contains("TerminateFailed");
    cloudCalls.runAll();
    assertThat(cloud.terminateRequests()).as("not sent again within its back-off").hasSize(2);

    clock.advance(Terminations.FIRST_RETRY);
    reconciler.reconcile(pool, null);
    cloudCalls.runAll();
    assertThat(cloud.terminateRequests()).hasSize(4);
    assertThat(cloud.inState(InstanceState.TERMINATED)).hasSize(2);
  }

  @Test
  void theDrainIsNotEmptyWhileADiskDeletionIsInFlightOrRefused() {
    InstancePool pool = running("disks", 2);
    cloud.inState(InstanceState.RUNNING).forEach(vm -> cloud.leaveDiskOf(vm.id()));
    pool.getSpec().setCount(0);
    // terminate, list, and disk lists made while the VMs were still listed, until a look sees the VMs gone
    reconciler.reconcile(pool, null);
    for (int i = 0; i < 5 && orZero(pool.getStatus().getTerminating()) + orZero(pool.getStatus().getRunning()) > 0;
        i++) {
      cloudCalls.runAll();
      reconciler.reconcile(pool, null);
    }
    assertThat(pool.getStatus().getTerminating()).isZero();
    assertThat(cloud.diskIds()).as("the deletion is submitted, not made by the look").hasSize(2);
    assertThat(pool.getStatus().getDisksLeft()).as("a disk count from before the VMs were gone").isEqualTo(2);
    assertThat(pool.getStatus().getPhase()).isNotEqualTo(InstancePoolPhase.READY);

    cloud.refuseDiskDeletes(1, new CloudException("Throttling: rate exceeded", true));
    cloudCalls.runAll();
    reconciler.reconcile(pool, null);
    assertThat(pool.getStatus().getDisksLeft()).as("a refused deletion").isEqualTo(2);
    assertThat(pool.getStatus().getMessage()).contains("disks not listed");
    assertThat(reasons()).contains("DiskCallFailed");

    cloudCalls.runAll();
    reconciler.reconcile(pool, null);
    assertThat(cloud.diskIds()).isEmpty();
    assertThat(pool.getStatus().getDisksLeft()).isZero();
  }

  @Test
  void aDeletedPoolKeepsItsFinalizerUntilItsVmsAndDisksAreListedGone() {
    InstancePool pool = running("deleted", 1);
    cloud.inState(InstanceState.RUNNING).forEach(vm -> cloud.leaveDiskOf(vm.id()));

    int looks = 0;
    while (!reconciler.cleanup(pool, null).isRemoveFinalizer()) {
      looks++;
      assertThat(looks).as("the deletion ends").isLessThan(10);
      boolean vmsGone = cloud.inState(InstanceState.TERMINATED).size() == 1;
      int disks = cloud.diskIds().size();
      cloudCalls.runAll();
      if (!vmsGone) {
        assertThat(cloud.diskIds()).as("no disk deleted before its VM is listed gone").hasSize(disks);
      }
    }
    assertThat(cloud.inState(InstanceState.TERMINATED)).hasSize(1);
    assertThat(cloud.diskIds()).isEmpty();
    assertThat(reasons()).contains("DisksDeleted");
  }

  /** A pool with {@code count} VMs running and listed, every call answered. */
  private InstancePool running(String name, int count) {
    InstancePool pool = harness.client.resource(pool(name, count)).create();
    for (int i = 0; i < 4; i++) {
      reconciler.reconcile(pool, null);
      cloudCalls.runAll();
    }
    reconciler.reconcile(pool, null);
    assertThat(pool.getStatus().getRunning()).isEqualTo(count);
    assertThat(cloudCalls.size()).isZero();
    return pool;
  }

  private static int orZero(Integer n) {
    return n == null ? 0 : n;
  }

  private List<String> reasons() {
    List<Event> events = harness.client.v1().events().inNamespace(OperatorHarness.NAMESPACE).list().getItems();
    return events.isEmpty() ? Collections.emptyList() : events.stream().map(Event::getReason).toList();
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
