package dev.taskjob.operator.reconciler.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskjob.core.cloud.ProviderConfig.Keys;
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
import dev.taskjob.operator.reconciler.pool.InstancePoolReconciler;
import dev.taskjob.operator.reconciler.pool.ManualClock;
import dev.taskjob.provider.gcp.GcpProviderModule;
import dev.taskjob.testing.FakeComputeApi;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The drain's "nothing left" on the hand-written fake Compute Engine API ({@link FakeComputeApi}) through the real gcp provider
 * and pool controller, one reconcile at a time: every VM of a pool scaled to zero is deleted first, then the disks
 * no VM uses; while a disk is left the pool is not drained, so the job does not delete its queues or finish.
 */
class DrainWaitsForDisksTest {

  private static final String PROJECT = "taskjob-test";

  private final ManualClock clock = new ManualClock(Instant.parse("2025-01-01T00:00:00Z"));
  private FakeComputeApi compute;
  private OperatorHarness harness;
  private InstancePoolReconciler reconciler;

  @BeforeEach
  void setUp() throws Exception {
    compute = new FakeComputeApi();
    OperatorSettings settings = OperatorSettings.defaults("disks");
    GcpProviderModule gcp = new GcpProviderModule();
    harness = new OperatorHarness(settings, Map.of("gcp", gcp));
    ProviderAccess providers = new ProviderAccess(Map.of("gcp", gcp), Map.of(Keys.COMPUTE_ENDPOINT,
        compute.endpoint(), Keys.BILLING_ENDPOINT, compute.endpoint(), Keys.WORKER_IMAGE,
        "registry.example/taskjob-worker:test"), harness.client, clock);
    reconciler = new InstancePoolReconciler(harness.client, providers, new KubeEvents(harness.client, clock),
        new Heartbeats(), settings, OperatorMetrics.inMemory(), clock, Runnable::run);
  }

  @AfterEach
  void tearDown() {
    reconciler.shutdown();
    harness.close();
    compute.close();
  }

  @Test
  void aDiskAPreemptedSpotVmLeftBehindIsDeletedBeforeThePoolIsDrained() {
    InstancePool pool = harness.client.resource(pool()).create();
    reconciler.reconcile(pool, null);
    assertThat(compute.instances).hasSize(1);
    String key = compute.instances.keySet().iterator().next();
    // GCE deletes the preempted VM (termination action DELETE) but keeps its boot disk
    keepDisksOf(key);
    compute.preempt(zone(key), name(key));
    assertThat(compute.instances).isEmpty();
    assertThat(compute.disks).hasSize(1);

    // the job drains: its pool goes to zero
    scaleToZero(pool);
    reconciler.reconcile(pool, null);

    assertThat(compute.instances).as("no replacement for a pool going to zero").isEmpty();
    assertThat(compute.deletedDisks).as("the disk no VM uses is deleted").containsExactly(key);
    assertThat(compute.disks).isEmpty();
    assertThat(pool.getStatus().getDisksLeft()).isZero();
    assertThat(JobPools.isDrained(pool)).isTrue();
  }

  /** GCE lists a preempted VM STOPPING, still billed, for up to 30 s: the job must not finish in those seconds. */
  @Test
  void aPreemptedSpotVmStillStoppingIsDeletedAndHoldsTheDrainUntilTheCloudNoLongerListsIt() {
    InstancePool pool = harness.client.resource(pool()).create();
    reconciler.reconcile(pool, null);
    String key = compute.instances.keySet().iterator().next();
    compute.preemptionStarts(zone(key), name(key));

    scaleToZero(pool);
    reconciler.reconcile(pool, null);

    assertThat(pool.getStatus().getTerminating()).as("listed preempted with no end: still stopping").isEqualTo(1);
    assertThat(JobPools.isDrained(pool)).as("drained while a preempted VM still bills").isFalse();
    assertThat(compute.instances).as("the pool deletes the preempted VM").isEmpty();

    reconciler.reconcile(pool, null);

    assertThat(pool.getStatus().getTerminating()).isZero();
    assertThat(JobPools.isDrained(pool)).isTrue();
  }

  @Test
  void aStoppedVmIsDeletedFirstAndItsDiskOnlyOnceTheVmIsGone() {
    InstancePool pool = harness.client.resource(pool()).create();
    reconciler.reconcile(pool, null);
    String key = compute.instances.keySet().iterator().next();
    keepDisksOf(key);
    compute.stopFromInside(zone(key), name(key));

    scaleToZero(pool);
    reconciler.reconcile(pool, null);

    assertThat(compute.instances).as("the stopped VM is deleted").isEmpty();
    assertThat(compute.deletedDisks).as("the look that deleted the VM still saw it: its disk waits").isEmpty();
    assertThat(pool.getStatus().getDisksLeft()).isEqualTo(1);
    assertThat(pool.getStatus().getMessage()).contains("1 disks left");
    assertThat(JobPools.isDrained(pool)).as("drained while a disk of the job is left").isFalse();

    reconciler.reconcile(pool, null);

    assertThat(compute.deletedDisks).containsExactly(key);
    assertThat(pool.getStatus().getDisksLeft()).isZero();
    assertThat(JobPools.isDrained(pool)).isTrue();
  }

  private void keepDisksOf(String key) {
    for (JsonNode attached : compute.instances.get(key).path("disks")) {
      ((ObjectNode) attached).put("autoDelete", false);
    }
  }

  private static void scaleToZero(InstancePool pool) {
    pool.getSpec().setCount(0);
    pool.getMetadata().setGeneration(pool.getMetadata().getGeneration() + 1);
  }

  private static String zone(String key) {
    return key.substring(0, key.indexOf('/'));
  }

  private static String name(String key) {
    return key.substring(key.indexOf('/') + 1);
  }

  private static InstancePool pool() {
    InstancePool pool = new InstancePool();
    pool.getMetadata().setName("disks");
    pool.getMetadata().setNamespace(OperatorHarness.NAMESPACE);
    pool.getMetadata().setGeneration(1L);
    InstancePoolSpec spec = new InstancePoolSpec();
    spec.setProvider(Provider.GCP);
    spec.setRegion("us-central1");
    spec.setProject(PROJECT);
    InstanceRequirements instances = new InstanceRequirements();
    instances.setMaxCpus(2);
    instances.setSpot(true);
    spec.setInstances(instances);
    spec.setCount(1);
    spec.setWorkerEnvironment(Map.of("TASKJOB_TASK_IMAGE", "python:3.12-slim"));
    pool.setSpec(spec);
    return pool;
  }
}
