package dev.taskjob.provider.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.CapacityException;
import dev.taskjob.core.cloud.CloudException;
import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.Disk;
import dev.taskjob.core.cloud.StopNotice;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.OwnerTags;
import dev.taskjob.core.cloud.PriceSource;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderConfig.Keys;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.testing.FakeComputeApi;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against {@link FakeComputeApi}: no emulator exists for Compute Engine or the Cloud Billing Catalog, so a
 * small fake HTTP endpoint in test code serves the REST calls with recorded-style responses. The provider
 * talks to it through the real google-cloud-compute and google-cloud-billing clients over HTTP/JSON.
 */
class GceCloudProviderTest {

  private static FakeComputeApi fake;
  private static CloudProvider provider;

  @BeforeAll
  static void start() throws Exception {
    fake = new FakeComputeApi();
    provider = Providers.get("gcp").cloud(config(Map.of()));
  }

  @AfterAll
  static void stop() {
    provider.close();
    fake.close();
  }

  private static ProviderConfig config(Map<String, String> extra) {
    Map<String, String> properties = new HashMap<>(Map.of(Keys.PROJECT, "taskjob-test",
        Keys.COMPUTE_ENDPOINT, fake.endpoint(), Keys.BILLING_ENDPOINT, fake.endpoint(),
        Keys.WORKER_IMAGE, "ghcr.io/acme/taskjob-worker:1"));
    properties.putAll(extra);
    return new ProviderConfig("gcp", "us-central1", List.of(), properties);
  }

  private static Map<String, String> owner(String pool) {
    return Map.of(OwnerTags.MANAGED_BY, OwnerTags.MANAGED_BY_VALUE, OwnerTags.POOL_UID, pool,
        OwnerTags.CLUSTER, "test-cluster");
  }

  private static CreateInstanceRequest request(String pool, String name, String type, String zone, boolean spot) {
    return new CreateInstanceRequest(name, pool + "/" + name, type, zone, spot, owner(pool), null, 20,
        "worker@taskjob-test.iam.gserviceaccount.com",
        Map.of("TASKJOB_PROVIDER", "gcp", "TASKJOB_QUEUE_NAME", "job-a", "TASKJOB_TASK_IMAGE", "python:3.12-slim"),
        null);
  }

  @Test
  void catalogPricesRegionMachineTypesFromBillingSkus() {
    InstanceCatalog catalog = provider.catalog();

    InstanceType e2 = catalog.find("e2-standard-8").orElseThrow();
    assertThat(e2.vcpus()).isEqualTo(8);
    assertThat(e2.memoryGiB()).isEqualTo(32.0);
    assertThat(e2.onDemandPrice()).isCloseTo(8 * 0.02181159 + 32 * 0.00292353, within(1e-9));
    assertThat(e2.priceSource()).isEqualTo(PriceSource.API);
    assertThat(e2.zones()).containsExactly("us-central1-a", "us-central1-b");
    assertThat(e2.spotPrices()).containsOnlyKeys("us-central1-a", "us-central1-b");
    assertThat(e2.spotPrices().get("us-central1-a")).isCloseTo(8 * 0.00654 + 32 * 0.000877, within(1e-9));
    InstanceType micro = catalog.find("e2-micro").orElseThrow();
    assertThat(micro.burstable()).isTrue();
    assertThat(micro.onDemandPrice()).isCloseTo(0.25 * 0.02181159 + 0.00292353, within(1e-9));
    assertThat(catalog.find("n2-standard-2").orElseThrow().onDemandPrice())
        .as("custom and commitment SKUs are not the N2 rate").isCloseTo(2 * 0.031611 + 8 * 0.004237, within(1e-9));
    assertThat(catalog.find("t2a-standard-4").orElseThrow().architecture()).isEqualTo(Architecture.ARM64);
    InstanceType lssd = catalog.find("c3-standard-4-lssd").orElseThrow();
    assertThat(lssd.localSsdGiB()).isEqualTo(375.0);
    assertThat(lssd.onDemandPrice()).isCloseTo(4 * 0.03465 + 16 * 0.003938 + 375 * 0.08 / 730, within(1e-9));
    assertThat(catalog.find("g2-standard-4").orElseThrow().onDemandPrice()).as("GPU prices are not modelled").isNull();
    assertThat(catalog.find("m3-ultramem-32")).as("another region's zone").isEmpty();
    assertThat(catalog.find("n1-standard-1")).as("obsolete").isEmpty();
    assertThat(catalog.bootDisk().usdPerGiBMonth()).as("the zonal pd-balanced SKU, not the regional one")
        .isCloseTo(0.10, within(1e-9));
    assertThat(catalog.bootDisk().source()).isEqualTo(PriceSource.API);
    assertThat(catalog.bootDisk().minimumGiB()).isEqualTo(10);
  }

  @Test
  void insertsLabelledVmWithRequestIdStartupScriptAndSpotScheduling() {
    String pool = UUID.randomUUID().toString();
    CreateInstanceRequest request = request(pool, "tj-" + pool.substring(0, 8), "n2-standard-2", "us-central1-a", true);

    Instance created = provider.create(request);

    assertThat(created.state()).isEqualTo(InstanceState.RUNNING);
    assertThat(created.spot()).isTrue();
    assertThat(created.zone()).isEqualTo("us-central1-a");
    assertThat(created.instanceType()).isEqualTo("n2-standard-2");
    JsonNode body = fake.inserts.stream().filter(b -> b.path("name").asText().equals(request.name())).findFirst().orElseThrow();
    assertThat(body.path("labels").path(OwnerTags.POOL_UID).asText()).isEqualTo(pool);
    assertThat(body.path("labels").path(OwnerTags.MANAGED_BY).asText()).isEqualTo(OwnerTags.MANAGED_BY_VALUE);
    assertThat(body.path("machineType").asText()).isEqualTo("zones/us-central1-a/machineTypes/n2-standard-2");
    assertThat(body.path("scheduling").path("provisioningModel").asText()).isEqualTo("SPOT");
    assertThat(body.path("scheduling").path("instanceTerminationAction").asText()).isEqualTo("DELETE");
    assertThat(body.path("serviceAccounts").get(0).path("email").asText())
        .isEqualTo("worker@taskjob-test.iam.gserviceaccount.com");
    assertThat(body.path("disks").get(0).path("initializeParams").path("sourceImage").asText())
        .isEqualTo("projects/cos-cloud/global/images/family/cos-stable");
    assertThat(body.path("disks").get(0).path("autoDelete").asBoolean()).isTrue();
    assertThat(body.path("disks").get(0).path("initializeParams").path("diskSizeGb").asText()).isEqualTo("20");
    JsonNode metadata = body.path("metadata").path("items").get(0);
    assertThat(metadata.path("key").asText()).isEqualTo("startup-script");
    assertThat(metadata.path("value").asText()).startsWith("#!/bin/bash")
        .contains("TASKJOB_PROVIDER=gcp\n", "TASKJOB_QUEUE_NAME=job-a\n", "worker_image='ghcr.io/acme/taskjob-worker:1'", "task_image='python:3.12-slim'",
            "cloud='gcp'", "TASKJOB_INSTANCE_TYPE=n2-standard-2\n", "TASKJOB_VCPUS=2\n", "TASKJOB_MEMORY_GIB=8\n",
            "TASKJOB_SPOT=true\n")
        .doesNotContain("apt-get", "dnf ", "yum ");
    assertThat(fake.insertQueries).anyMatch(q -> q.contains("requestId=" + GceCloudProvider.requestId(request.idempotencyKey())));
  }

  @Test
  void findsVmsByLabelsAfterARestartAndDeletesThemIdempotently() {
    String pool = UUID.randomUUID().toString();
    Instance a = provider.create(request(pool, "a-" + pool.substring(0, 8), "e2-standard-2", "us-central1-a", false));
    Instance b = provider.create(request(pool, "b-" + pool.substring(0, 8), "e2-standard-2", "us-central1-b", false));
    provider.create(request(UUID.randomUUID().toString(), "c-" + pool.substring(0, 8), "e2-standard-2", null, false));

    try (CloudProvider restarted = Providers.get("gcp").cloud(config(Map.of(Keys.CATALOG_SOURCE, "snapshot")))) {
      assertThat(restarted.list(Map.of(OwnerTags.POOL_UID, pool))).extracting(Instance::id)
          .containsExactlyInAnyOrder(a.id(), b.id());

      restarted.terminate(List.of(a.id()));
      restarted.terminate(List.of(a.id(), "never-existed"));

      assertThat(restarted.list(Map.of(OwnerTags.POOL_UID, pool))).extracting(Instance::id).containsExactly(b.id());
    }
  }

  @Test
  void retriedCreateWithTheSameIdempotencyKeyInsertsNoSecondVm() {
    String pool = UUID.randomUUID().toString();
    CreateInstanceRequest request = request(pool, "r-" + pool.substring(0, 8), "e2-standard-4", null, false);

    Instance first = provider.create(request);
    Instance retried = Providers.get("gcp").cloud(config(Map.of(Keys.CATALOG_SOURCE, "snapshot"))).create(request);

    assertThat(retried.id()).isEqualTo(first.id());
    assertThat(fake.inserts.stream().filter(b -> b.path("name").asText().equals(request.name()))).hasSize(1);
    assertThat(GceCloudProvider.requestId(request.idempotencyKey()))
        .isEqualTo(GceCloudProvider.requestId(request.idempotencyKey()))
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  }

  @Test
  void preemptedSpotVmIsGoneWithItsDiskAndAStoppedOneIsListedThenDeletedWithItsDisk() {
    String pool = UUID.randomUUID().toString();
    Instance reclaimed = provider.create(request(pool, "p-" + pool.substring(0, 8), "e2-standard-2", "us-central1-a", true));
    Instance stopped = provider.create(request(pool, "s-" + pool.substring(0, 8), "e2-standard-2", "us-central1-a", true));
    assertThat(provider.disks(Map.of(OwnerTags.POOL_UID, pool))).as("boot disks of the running VMs")
        .containsExactlyInAnyOrder("us-central1-a/" + reclaimed.id(), "us-central1-a/" + stopped.id());

    fake.preempt("us-central1-a", reclaimed.id());
    fake.stopFromInside("us-central1-a", stopped.id());

    assertThat(provider.list(Map.of(OwnerTags.POOL_UID, pool))).as("the stopped VM still bills for its disk")
        .extracting(Instance::id, Instance::state)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(stopped.id(), InstanceState.STOPPED));
    assertThat(provider.disks(Map.of(OwnerTags.POOL_UID, pool))).containsExactly("us-central1-a/" + stopped.id());

    provider.terminate(List.of(stopped.id()));

    assertThat(provider.list(Map.of(OwnerTags.POOL_UID, pool))).isEmpty();
    assertThat(provider.disks(Map.of(OwnerTags.POOL_UID, pool))).as("nothing of the pool left").isEmpty();
  }

  @Test
  void deletesTheDiskAPreemptedVmLeftBehindButNotTheBootDiskOfARunningVm() {
    String pool = UUID.randomUUID().toString();
    Instance reclaimed = provider.create(request(pool, "d-" + pool.substring(0, 8), "e2-standard-2", "us-central1-a", true));
    Instance running = provider.create(request(pool, "e-" + pool.substring(0, 8), "e2-standard-2", "us-central1-a", true));
    // a boot disk kept when its VM was deleted (autoDelete off, as for a VM made by hand or an older version)
    for (JsonNode attached : fake.instances.get("us-central1-a/" + reclaimed.id()).path("disks")) {
      ((com.fasterxml.jackson.databind.node.ObjectNode) attached).put("autoDelete", false);
    }
    fake.preempt("us-central1-a", reclaimed.id());

    List<Disk> detached = provider.detachedDisks(Map.of(OwnerTags.POOL_UID, pool));
    assertThat(detached).extracting(Disk::id).containsExactly("us-central1-a/" + reclaimed.id());
    assertThat(detached.get(0).tags()).containsEntry(OwnerTags.POOL_UID, pool);
    assertThat(detached.get(0).createdAt()).isNotNull();
    provider.deleteDisks(List.of("us-central1-a/" + reclaimed.id(), "us-central1-a/no-such-disk",
        "us-central1-a/" + running.id()));

    assertThat(fake.deletedDisks).as("the running VM's boot disk is refused by the cloud and skipped")
        .containsExactly("us-central1-a/" + reclaimed.id());
    assertThat(provider.disks(Map.of(OwnerTags.POOL_UID, pool))).containsExactly("us-central1-a/" + running.id());
  }

  @Test
  void aStopNoticeAddsTheMetadataAttributeTheWorkerPollsAndKeepsTheStartupScript() {
    String pool = UUID.randomUUID().toString();
    Instance vm = provider.create(request(pool, "n-" + pool.substring(0, 8), "e2-standard-2", "us-central1-a", false));
    String key = "us-central1-a/" + vm.id();

    provider.sendStopNotice(List.of(vm.id(), "no-such-vm"));
    provider.sendStopNotice(List.of(vm.id()));

    assertThat(fake.metadataUpdates).as("set once; the second notice sees it there").containsExactly(key);
    Map<String, String> items = new java.util.HashMap<>();
    fake.instances.get(key).path("metadata").path("items")
        .forEach(i -> items.put(i.path("key").asText(), i.path("value").asText()));
    assertThat(items).containsEntry(StopNotice.KEY, StopNotice.SCALE_IN).containsKey("startup-script");
  }

  @Test
  void reportsReclaimedSpotVmsMadeToStopAsPreempted() {
    String pool = UUID.randomUUID().toString();
    Instance reclaimed = provider.create(request(pool, "q-" + pool.substring(0, 8), "e2-standard-2", "us-central1-a", true));
    // as a VM inserted with instanceTerminationAction STOP (by hand, or by an earlier operator version) is kept
    ((com.fasterxml.jackson.databind.node.ObjectNode) fake.instances.get("us-central1-a/" + reclaimed.id())
        .path("scheduling")).put("instanceTerminationAction", "STOP");

    fake.preempt("us-central1-a", reclaimed.id());

    assertThat(provider.list(Map.of(OwnerTags.POOL_UID, pool))).extracting(Instance::state)
        .containsExactly(InstanceState.PREEMPTED);
    provider.terminate(List.of(reclaimed.id()));
    assertThat(provider.disks(Map.of(OwnerTags.POOL_UID, pool))).isEmpty();
  }

  @Test
  void defaultImageIsContainerOptimizedOsOfTheTypesArchitecture() {
    String pool = UUID.randomUUID().toString();
    CreateInstanceRequest arm = request(pool, "arm-" + pool.substring(0, 8), "t2a-standard-4", "us-central1-a", false);

    provider.create(arm);

    JsonNode body = fake.inserts.stream().filter(b -> b.path("name").asText().equals(arm.name())).findFirst().orElseThrow();
    assertThat(body.path("disks").get(0).path("initializeParams").path("sourceImage").asText())
        .isEqualTo("projects/cos-cloud/global/images/family/cos-arm64-stable");
  }

  @Test
  void quotaAndMissingImagesAreNotRetryableAndNameTheCause() {
    fake.quotaExceeded.add("n2-standard-8");
    String pool = UUID.randomUUID().toString();
    fake.missingImages.add("projects/acme/global/images/no-such-image");
    CreateInstanceRequest base = request(pool, "m-" + pool.substring(0, 8), "e2-standard-2", "us-central1-a", false);
    int before = fake.inserts.size();

    assertThatThrownBy(() -> provider.create(request(pool, "quota-" + pool.substring(0, 8), "n2-standard-8",
        "us-central1-a", false)))
        .isInstanceOfSatisfying(CloudException.class, e -> {
          assertThat(e).isNotInstanceOf(CapacityException.class);
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.getMessage()).contains("QUOTA_EXCEEDED", "N2_CPUS");
        });
    assertThatThrownBy(() -> provider.create(new CreateInstanceRequest(base.name(), base.idempotencyKey(),
        base.instanceType(), base.zone(), false, base.tags(), "projects/acme/global/images/no-such-image", 10, null,
        base.workerEnvironment(), null)))
        .isInstanceOfSatisfying(CloudException.class, e -> {
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.getMessage()).contains("NOT_FOUND", "no-such-image");
        });
    assertThat(fake.inserts).as("one insert each: neither was retried").hasSize(before + 2);
    assertThat(provider.list(Map.of(OwnerTags.POOL_UID, pool))).isEmpty();
    assertThat(provider.disks(Map.of(OwnerTags.POOL_UID, pool))).isEmpty();
  }

  @Test
  void exhaustedZoneIsACapacityErrorNamingTheOffering() {
    fake.exhausted.add("n2-highmem-2");
    String pool = UUID.randomUUID().toString();

    assertThatThrownBy(() -> provider.create(request(pool, "x-" + pool.substring(0, 8), "n2-highmem-2", "us-central1-b", true)))
        .isInstanceOfSatisfying(CapacityException.class, e -> {
          assertThat(e.instanceType()).isEqualTo("n2-highmem-2");
          assertThat(e.zone()).isEqualTo("us-central1-b");
          assertThat(e.spot()).isTrue();
          assertThat(e.getMessage()).contains("ZONE_RESOURCE_POOL_EXHAUSTED");
        });
    assertThat(provider.list(Map.of(OwnerTags.POOL_UID, pool))).isEmpty();
  }

  @Test
  void refusesLabelsGceCannotStoreBeforeCallingIt() {
    int before = fake.inserts.size();
    CreateInstanceRequest base = request("pool", "bad-labels", "e2-standard-2", "us-central1-a", false);

    assertThatThrownBy(() -> provider.create(new CreateInstanceRequest(base.name(), base.idempotencyKey(),
        base.instanceType(), base.zone(), false, Map.of("Team", "Astro Physics"), null, 10, null,
        base.workerEnvironment(), null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tag Team=Astro Physics is not a valid GCE label");
    assertThat(fake.inserts).hasSize(before);
  }

  @Test
  void fallsBackToTheBundledSnapshotWhenTheApisCannotBeReached() {
    try (GceCloudProvider offline = (GceCloudProvider) Providers.get("gcp").cloud(new ProviderConfig("gcp",
        "us-central1", List.of(), Map.of(Keys.PROJECT, "taskjob-test", Keys.COMPUTE_ENDPOINT, "http://127.0.0.1:9",
            Keys.BILLING_ENDPOINT, "http://127.0.0.1:9")))) {
      InstanceCatalog catalog = offline.catalog();

      assertThat(offline.catalogFromSnapshot()).isTrue();
      assertThat(catalog.pricesAsOf()).isEqualTo(GcpPriceSnapshot.load().takenAt());
      assertThat(catalog.find("e2-standard-8").orElseThrow().onDemandPrice())
          .isCloseTo(8 * 0.021811 + 32 * 0.002923, within(1e-9));
    }
  }
}
