package dev.taskjob.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.OwnerTags;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderConfig.Keys;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolSpec;
import dev.taskjob.crds.v1alpha1.shared.Provider;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.cloud.ProviderAccess;
import dev.taskjob.operator.reconciler.pool.ManualClock;
import dev.taskjob.provider.gcp.GcpProviderModule;
import dev.taskjob.testing.FakeComputeApi;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The orphan sweep deletes disks that no VM uses and no InstancePool owns, on the hand-written fake Compute Engine
 * API ({@link FakeComputeApi}) through the real gcp provider; a disk of a live pool, a disk still attached, a young
 * disk and a disk of another operator's cluster stay.
 */
class OrphanDiskSweepTest {

  private static final String ZONE = "us-central1-a";

  private final ManualClock clock = new ManualClock(Instant.parse("2025-01-01T01:00:00Z"));
  private FakeComputeApi compute;
  private OperatorHarness harness;
  private ProviderAccess providers;
  private OrphanSweeper sweeper;

  @BeforeEach
  void setUp() throws Exception {
    compute = new FakeComputeApi();
    OperatorSettings settings = OperatorSettings.defaults("sweep").withSweep(Duration.ofMinutes(5),
        Duration.ofMinutes(10));
    GcpProviderModule gcp = new GcpProviderModule();
    harness = new OperatorHarness(settings, Map.of("gcp", gcp));
    providers = new ProviderAccess(Map.of("gcp", gcp), Map.of(Keys.COMPUTE_ENDPOINT, compute.endpoint(),
        Keys.BILLING_ENDPOINT, compute.endpoint()), harness.client, clock);
    sweeper = new OrphanSweeper(harness.client, providers, settings, harness.metrics, clock);
  }

  @AfterEach
  void tearDown() {
    harness.close();
    compute.close();
  }

  @Test
  void deletesDetachedDisksOfPoolsThatAreGoneAndNothingElse() {
    String livePool = harness.client.resource(pool("live")).create().getMetadata().getUid();
    disk("orphan", "sweep", "gone-pool", "2025-01-01T00:00:00Z", false);
    disk("of-a-live-pool", "sweep", livePool, "2025-01-01T00:00:00Z", false);
    disk("attached", "sweep", "gone-pool", "2025-01-01T00:00:00Z", true);
    disk("young", "sweep", "gone-pool", "2025-01-01T00:55:00Z", false);
    disk("other-cluster", "elsewhere", "gone-pool", "2025-01-01T00:00:00Z", false);

    ProviderConfig config = providers.config(OperatorHarness.NAMESPACE, "gcp", "us-central1", List.of(), "p", null);
    sweeper.sweep(config);

    assertThat(compute.deletedDisks).containsExactly(ZONE + "/orphan");
    assertThat(compute.disks).containsOnlyKeys(ZONE + "/of-a-live-pool", ZONE + "/attached", ZONE + "/young",
        ZONE + "/other-cluster");
  }

  private void disk(String name, String cluster, String poolUid, String created, boolean attached) {
    ObjectNode disk = Json.MAPPER.createObjectNode().put("kind", "compute#disk").put("name", name).put("id", "1")
        .put("creationTimestamp", created);
    disk.putObject("labels").put(OwnerTags.MANAGED_BY, OwnerTags.MANAGED_BY_VALUE).put(OwnerTags.CLUSTER, cluster)
        .put(OwnerTags.POOL_UID, poolUid).put(OwnerTags.NAMESPACE, OperatorHarness.NAMESPACE);
    var users = disk.putArray("users");
    if (attached) {
      users.add("https://www.googleapis.com/compute/v1/projects/p/zones/" + ZONE + "/instances/" + name);
    }
    compute.disks.put(ZONE + "/" + name, disk);
  }

  private static InstancePool pool(String name) {
    InstancePool pool = new InstancePool();
    pool.getMetadata().setName(name);
    pool.getMetadata().setNamespace(OperatorHarness.NAMESPACE);
    InstancePoolSpec spec = new InstancePoolSpec();
    spec.setProvider(Provider.GCP);
    spec.setRegion("us-central1");
    spec.setProject("p");
    spec.setCount(0);
    pool.setSpec(spec);
    return pool;
  }
}
