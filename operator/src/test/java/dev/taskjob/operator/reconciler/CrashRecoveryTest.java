package dev.taskjob.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.provider.local.LocalCloudProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator dies right after a VM create call returned and before the pool's status recorded it.
 * The cloud is the source of truth: the restarted operator finds the VM by its owner tags instead of
 * creating a second one, and a VM whose pool vanished meanwhile is terminated by the orphan sweep.
 */
class CrashRecoveryTest {

  @TempDir
  Path root;

  private OperatorSettings settings(String cluster) {
    return OperatorSettings.defaults(cluster).fast()
        .withProviderProperties(Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString(),
            ProviderConfig.Keys.LOCAL_WORKER_COMMAND, "[\"sleep\", \"300\"]"))
        .withWorkerTimeouts(Duration.ofMinutes(5), Duration.ofMinutes(5))
        .withSweep(Duration.ofSeconds(1), Duration.ofSeconds(2));
  }

  private TaskJob crashAfterFirstCreate(OperatorHarness harness, String name) throws InterruptedException {
    harness.start();
    CountDownLatch created = new CountDownLatch(1);
    AtomicBoolean once = new AtomicBoolean();
    harness.operator().pools().afterCreate(() -> {
      if (once.compareAndSet(false, true)) {
        created.countDown();
        // Stands for the process dying: nothing after the create call runs.
        throw new IllegalStateException("injected crash after create");
      }
    });
    TaskJob job = TaskJobs.generated(name, 10, List.of("true"));
    job.getSpec().getInstances().setMaxInstances(1);
    harness.apply(job);
    assertThat(created.await(OperatorHarness.PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    harness.stop();
    return harness.job(name);
  }

  @Test
  void restartedOperatorAdoptsTheVmInsteadOfCreatingAnother() throws Exception {
    try (OperatorHarness harness = new OperatorHarness(settings("crash-adopt"))) {
      crashAfterFirstCreate(harness, "adopt");
      assertThat(vms("crash-adopt")).hasSize(1);

      harness.start();
      InstancePool pool = OperatorHarness.await(OperatorHarness.PATIENCE, () -> harness.pool("adopt"),
          p -> p.getStatus() != null && p.getStatus().getInstances() != null && !p.getStatus().getInstances().isEmpty(),
          "pool status listing its VM");
      assertThat(pool.getStatus().getInstances()).hasSize(1);
      assertThat(vms("crash-adopt")).hasSize(1);
      harness.client.resource(harness.job("adopt")).delete();
      OperatorHarness.await(OperatorHarness.PATIENCE, () -> live("crash-adopt"), List::isEmpty, "every VM terminated");
    }
  }

  @Test
  void orphanOfAPoolDeletedDuringTheOutageIsSwept() throws Exception {
    try (OperatorHarness harness = new OperatorHarness(settings("crash-orphan"))) {
      crashAfterFirstCreate(harness, "orphaned");
      assertThat(live("crash-orphan")).hasSize(1);
      // While the operator is down someone removes the finalizers and deletes the job and its pool.
      for (var resource : List.of(harness.pool("orphaned"), harness.job("orphaned"))) {
        resource.getMetadata().setFinalizers(List.of());
        harness.client.resource(resource).update();
        harness.client.resource(resource).delete();
      }
      OperatorHarness.await(OperatorHarness.PATIENCE, () -> harness.pools().isEmpty(), b -> b, "pool gone");

      harness.start();
      OperatorHarness.await(OperatorHarness.PATIENCE, () -> live("crash-orphan"), List::isEmpty, "orphan terminated");
      assertThat(vms("crash-orphan")).hasSize(1);
    }
  }

  private List<Instance> vms(String cluster) {
    LocalCloudProvider cloud = new LocalCloudProvider(new ProviderConfig("local", null, List.of(),
        Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString())));
    return cloud.list(Map.of("taskjob-cluster", cluster));
  }

  private List<Instance> live(String cluster) {
    return vms(cluster).stream().filter(i -> i.state() != InstanceState.TERMINATED).toList();
  }
}
