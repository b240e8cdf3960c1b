package dev.taskjob.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.CapacityException;
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
import dev.taskjob.testing.MotoServerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.InstanceAttributeName;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * Against a real moto_server (EC2, IAM) and {@link FakePricingApi} for the Pricing API, which moto lacks.
 * moto answers DescribeInstanceTypes with all its ~1,260 types in one slow response, so only the shared
 * provider fetches the live catalog; the others use the snapshot ({@code catalog.source=snapshot}).
 */
class Ec2CloudProviderTest {

  @RegisterExtension static final MotoServerExtension MOTO = new MotoServerExtension();

  private static FakePricingApi pricing;
  private static Ec2Client ec2;
  private static String image;
  private static CloudProvider provider;
  private static CloudProvider snapshotCatalog;
  private static SsmClient ssm;

  @BeforeAll
  static void start() throws Exception {
    pricing = new FakePricingApi();
    ec2 = Ec2Client.builder().endpointOverride(MOTO.endpoint()).region(Region.of(MotoServerExtension.REGION))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    image = ec2.describeImages(r -> r.filters(f -> f.name("architecture").values("x86_64"))).images().stream()
        .filter(i -> "/dev/sda1".equals(i.rootDeviceName())).findFirst().orElseThrow().imageId();
    createInstanceProfile("taskjob-worker");
    provider = Providers.get("aws").cloud(config(Map.of()));
    snapshotCatalog = Providers.get("aws").cloud(config(Map.of(Keys.CATALOG_SOURCE, "snapshot")));
    ssm = SsmClient.builder().endpointOverride(MOTO.endpoint()).region(Region.of(MotoServerExtension.REGION))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
  }

  @AfterAll
  static void stop() {
    if (provider != null) {
      provider.close();
      snapshotCatalog.close();
      ssm.close();
    }
    if (pricing != null) {
      pricing.close();
    }
  }

  private static ProviderConfig config(Map<String, String> extra) {
    Map<String, String> properties = new HashMap<>(Map.of(
        Keys.AWS_ENDPOINT, MOTO.endpoint().toString(), Keys.WORKER_IMAGE, "ghcr.io/acme/taskjob-worker:1",
        AwsKeys.PRICING_ENDPOINT, pricing.endpoint().toString(),
        "credentials.aws_access_key_id", "test",
        "credentials.aws_secret_access_key", "test"));
    properties.putAll(extra);
    return new ProviderConfig("aws", MotoServerExtension.REGION, List.of(), properties);
  }

  private static Map<String, String> owner(String poolUid) {
    return Map.of(OwnerTags.MANAGED_BY, OwnerTags.MANAGED_BY_VALUE, OwnerTags.CLUSTER, "test-cluster",
        OwnerTags.POOL_UID, poolUid, OwnerTags.JOB_UID, "job-" + poolUid);
  }

  private static CreateInstanceRequest request(String poolUid, String key, boolean spot) {
    return new CreateInstanceRequest("taskjob-" + key, key, "m6i.large", null, spot, owner(poolUid), image, 20,
        "taskjob-worker",
        Map.of("TASKJOB_PROVIDER", "aws", "TASKJOB_QUEUE_NAME", "job-a", "TASKJOB_TASK_IMAGE", "python:3.12-slim"),
        null);
  }

  @Test
  void createdVmCarriesTypeTagsImdsV2ProfileAndTheWorkerStartupScript() {
    String pool = UUID.randomUUID().toString();
    Instance created = provider.create(request(pool, "k-" + pool, false));

    var vm = ec2.describeInstances(r -> r.instanceIds(created.id())).reservations().get(0).instances().get(0);
    assertThat(vm.instanceTypeAsString()).isEqualTo("m6i.large");
    assertThat(vm.imageId()).isEqualTo(image);
    Map<String, String> tags = new HashMap<>();
    vm.tags().forEach(t -> tags.put(t.key(), t.value()));
    assertThat(tags).containsAllEntriesOf(owner(pool))
        .containsEntry("Name", "taskjob-k-" + pool)
        .containsEntry(Ec2CloudProvider.IDEMPOTENCY_TAG, "k-" + pool);
    assertThat(vm.metadataOptions().httpTokensAsString()).isEqualTo("required");
    assertThat(vm.iamInstanceProfile().arn()).endsWith("instance-profile/taskjob-worker");
    assertThat(vm.instanceLifecycleAsString()).isNull();
    String userData = userData(created.id());
    assertThat(userData).startsWith("#!/bin/bash")
        .contains("TASKJOB_PROVIDER=aws\n", "TASKJOB_QUEUE_NAME=job-a\n", "TASKJOB_INSTANCE_TYPE=m6i.large\n",
            "TASKJOB_VCPUS=2\n", "TASKJOB_MEMORY_GIB=8\n", "TASKJOB_SPOT=false\n",
            "TASKJOB_PRICE_PER_HOUR=0.0981918\n") // $0.096 plus 20 GiB of gp3 at $0.08/GiB-month
        .contains("worker_image='ghcr.io/acme/taskjob-worker:1'", "task_image='python:3.12-slim'", "stop_timeout='35'")
        .doesNotContain("aws_secret_access_key");
    assertThat(created.state()).isIn(InstanceState.PENDING, InstanceState.RUNNING);
    assertThat(created.tags()).containsAllEntriesOf(owner(pool));
  }

  @Test
  void findsVmsAgainByTagsInAnyStateAndTerminatesThemIdempotently() {
    String pool = UUID.randomUUID().toString();
    Instance first = provider.create(request(pool, "a-" + pool, false));
    Instance second = provider.create(request(pool, "b-" + pool, false));
    provider.create(request(UUID.randomUUID().toString(), "other-" + pool, false));

    CloudProvider afterRestart = Providers.get("aws").cloud(config(Map.of()));
    assertThat(afterRestart.list(Map.of(OwnerTags.POOL_UID, pool))).extracting(Instance::id)
        .containsExactlyInAnyOrder(first.id(), second.id());

    assertThat(afterRestart.disks(Map.of(OwnerTags.POOL_UID, pool))).as("root volumes of the pool's VMs").hasSize(2);
    afterRestart.terminate(List.of(first.id()));
    afterRestart.terminate(List.of(first.id(), "i-0123456789abcdef0"));

    assertThat(afterRestart.list(Map.of(OwnerTags.POOL_UID, pool)))
        .extracting(Instance::id, Instance::state)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(first.id(), InstanceState.TERMINATED),
            org.assertj.core.groups.Tuple.tuple(second.id(), InstanceState.RUNNING));
    assertThat(afterRestart.disks(Map.of(OwnerTags.POOL_UID, pool))).as("the terminated VM's root volume went with it")
        .hasSize(1);
    afterRestart.close();
  }

  @Test
  void deletesTheLeftoverVolumeOfAPoolButNotTheRootVolumeOfARunningVm() {
    String pool = UUID.randomUUID().toString();
    Instance running = provider.create(request(pool, "left-" + pool, false));
    // a volume the pool's tags were put on that no instance uses (as one made with DeleteOnTermination false)
    String leftover = ec2.createVolume(r -> r.availabilityZone(MotoServerExtension.REGION + "a").size(8)
        .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.VOLUME)
            .tags(owner(pool).entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
                .toList()).build())).volumeId();
    assertThat(provider.disks(Map.of(OwnerTags.POOL_UID, pool))).hasSize(2).contains(leftover);

    List<Disk> detached = provider.detachedDisks(Map.of(OwnerTags.POOL_UID, pool));
    assertThat(detached).extracting(Disk::id).containsExactly(leftover);
    assertThat(detached.get(0).tags()).containsAllEntriesOf(owner(pool));
    provider.deleteDisks(List.of(leftover, "vol-0123456789abcdef0"));

    assertThat(provider.disks(Map.of(OwnerTags.POOL_UID, pool))).as("the running VM's root volume stays")
        .hasSize(1).doesNotContain(leftover);
    provider.terminate(List.of(running.id()));
    assertThat(provider.disks(Map.of(OwnerTags.POOL_UID, pool))).isEmpty();
  }

  @Test
  void aStopNoticeTagsTheVmWhoseMetadataServiceShowsItsTags() {
    String pool = UUID.randomUUID().toString();
    Instance vm = provider.create(request(pool, "stop-" + pool, false));

    provider.sendStopNotice(List.of(vm.id(), "i-0123456789abcdef0"));

    var described = ec2.describeInstances(r -> r.instanceIds(vm.id())).reservations().get(0).instances().get(0);
    Map<String, String> tags = new HashMap<>();
    described.tags().forEach(t -> tags.put(t.key(), t.value()));
    assertThat(tags).containsEntry(StopNotice.KEY, StopNotice.SCALE_IN).containsAllEntriesOf(owner(pool));
    assertThat(described.metadataOptions().instanceMetadataTagsAsString()).as("tags readable through IMDS")
        .isEqualTo("enabled");
  }

  @Test
  void retriedCreateWithTheSameIdempotencyKeyAddsNoVm() {
    String pool = UUID.randomUUID().toString();
    CreateInstanceRequest request = request(pool, "retry-" + pool, false);

    Instance first = provider.create(request);
    Instance retried = Providers.get("aws").cloud(config(Map.of())).create(request);

    assertThat(retried.id()).isEqualTo(first.id());
    assertThat(provider.list(Map.of(OwnerTags.POOL_UID, pool))).hasSize(1);
    var vm = ec2.describeInstances(r -> r.instanceIds(first.id())).reservations().get(0).instances().get(0);
    assertThat(vm.clientToken()).isEqualTo(Ec2CloudProvider.clientToken("retry-" + pool));
  }

  @Test
  void clientTokenIsDeterministicAndWithinEc2Limits() {
    String longKey = "pool-uid/" + "x".repeat(300) + "/instance-7";

    assertThat(Ec2CloudProvider.clientToken(longKey)).isEqualTo(Ec2CloudProvider.clientToken(longKey))
        .hasSizeLessThanOrEqualTo(64)
        .matches("[a-z0-9-]+");
    assertThat(Ec2CloudProvider.clientToken("pool-1/0")).isNotEqualTo(Ec2CloudProvider.clientToken("pool-1/1"));
  }

  @Test
  void spotRequestIsLaunchedAsSpotNeverOnDemand() {
    String pool = UUID.randomUUID().toString();
    Instance created = provider.create(request(pool, "spot-" + pool, true));

    var vm = ec2.describeInstances(r -> r.instanceIds(created.id())).reservations().get(0).instances().get(0);
    assertThat(vm.instanceLifecycleAsString()).isEqualTo("spot");
    assertThat(created.spot()).isTrue();
  }

  @ParameterizedTest(name = "{0} boots {1}")
  @CsvSource({
      "m6i.large, /aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
      "m7g.large, /aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
      "g4dn.xlarge, /aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id",
  })
  void jobWithoutAnImageBootsTheEcsOptimizedImageForItsTypeAndItsUserDataInstallsNothing(String type,
      String parameter) {
    String published = ssm.getParameter(r -> r.name(parameter)).parameter().value();
    String pool = UUID.randomUUID().toString();
    CreateInstanceRequest base = request(pool, "img-" + pool, true);
    CreateInstanceRequest noImage = new CreateInstanceRequest(base.name(), base.idempotencyKey(), type, null,
        true, base.tags(), null, 30, null, base.workerEnvironment(), null);

    Instance created = snapshotCatalog.create(noImage);

    var vm = ec2.describeInstances(r -> r.instanceIds(created.id())).reservations().get(0).instances().get(0);
    assertThat(vm.imageId()).isEqualTo(published).startsWith("ami-");
    assertThat(vm.rootDeviceName()).isEqualTo("/dev/xvda");
    String userData = userData(created.id());
    assertThat(userData).contains("cloud='aws'", "TASKJOB_INSTANCE_TYPE=" + type + "\n", "TASKJOB_SPOT=true\n")
        .doesNotContain("apt-get", "dnf ", "yum ", "install -y", "pip ");
    assertThat(userData).contains("gpus='" + (type.startsWith("g4dn") ? 1 : 0) + "'");
  }

  /** Answers the next {@code failures} RunInstances attempts with an EC2 error, before they reach moto. */
  private static final class FailingRunInstances implements ExecutionInterceptor {
    final AtomicInteger attempts = new AtomicInteger();
    volatile String code;
    volatile int status;
    volatile int failures;

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
      if (context.request() instanceof RunInstancesRequest) {
        attempts.incrementAndGet();
        if (failures > 0) {
          failures--;
          throw Ec2Exception.builder().statusCode(status).message(code)
              .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("injected " + code)
                  .sdkHttpResponse(SdkHttpResponse.builder().statusCode(status).build()).build())
              .build();
        }
      }
    }
  }

  @Test
  void noCapacityReachesThePoolAtOnceNamingTypeAndZoneWhileServerErrorsAreRetriedInsideTheSdk() {
    FailingRunInstances faults = new FailingRunInstances();
    String pool = UUID.randomUUID().toString();
    try (CloudProvider faulty = new AwsProviderModule(List.of(faults))
        .cloud(config(Map.of(Keys.CATALOG_SOURCE, "snapshot")))) {
      faults.code = "InsufficientInstanceCapacity";
      faults.status = 500;
      faults.failures = Integer.MAX_VALUE;
      CreateInstanceRequest base = request(pool, "cap-" + pool, true);
      CreateInstanceRequest inZone = new CreateInstanceRequest(base.name(), base.idempotencyKey(), "m6i.large",
          "us-east-1a", true, base.tags(), image, 20, null, base.workerEnvironment(), null);

      assertThatThrownBy(() -> faulty.create(inZone)).isInstanceOfSatisfying(CapacityException.class, e -> {
        assertThat(e.instanceType()).isEqualTo("m6i.large");
        assertThat(e.zone()).isEqualTo("us-east-1a");
        assertThat(e.spot()).isTrue();
        assertThat(e.getMessage()).contains("InsufficientInstanceCapacity");
      });
      assertThat(faults.attempts).as("RunInstances attempts for no capacity").hasValue(1);

      faults.attempts.set(0);
      faults.code = "InternalError";
      faults.failures = 1;
      Instance created = faulty.create(inZone);

      assertThat(faults.attempts).as("RunInstances attempts: the 500 and the SDK's retry").hasValue(2);
      assertThat(created.zone()).isEqualTo("us-east-1a");
    }
  }

  @Test
  void catalogCombinesEc2TypesPricingApiPricesAndSpotHistory() {
    InstanceCatalog catalog = provider.catalog();

    InstanceType m6i = catalog.find("m6i.large").orElseThrow();
    assertThat(m6i.vcpus()).isEqualTo(2);
    assertThat(m6i.memoryGiB()).isEqualTo(8.0);
    assertThat(m6i.architecture()).isEqualTo(Architecture.X86_64);
    assertThat(m6i.onDemandPrice()).isEqualTo(0.096);
    assertThat(m6i.priceSource()).isEqualTo(PriceSource.API);
    assertThat(m6i.spotPrices()).isNotEmpty();
    assertThat(m6i.zones()).contains("us-east-1a");
    assertThat(catalog.find("m7g.large").orElseThrow().architecture()).isEqualTo(Architecture.ARM64);
    assertThat(catalog.find("r7g.large").orElseThrow().onDemandPrice()).isEqualTo(0.1071);
    assertThat(catalog.find("m5.large").orElseThrow().priceSource()).isEqualTo(PriceSource.SNAPSHOT);
    assertThat(catalog.find("m5.metal").orElseThrow().bareMetal()).isTrue();
    assertThat(catalog.find("p5.48xlarge").orElseThrow().onDemandPrice())
        .as("a capacity-block SKU is not an on-demand price").isNull();
    assertThat(pricing.requests).anySatisfy(body -> assertThat(body)
        .contains("\"ServiceCode\":\"AmazonEC2\"", "\"Field\":\"operatingSystem\",\"Value\":\"Linux\"",
            "\"Field\":\"tenancy\",\"Value\":\"Shared\"", "\"Field\":\"preInstalledSw\",\"Value\":\"NA\"",
            "\"Field\":\"capacitystatus\",\"Value\":\"Used\"", "\"Field\":\"regionCode\",\"Value\":\"us-east-1\""));
    assertThat(catalog.bootDisk().source()).as("the gp3 price from the Pricing API").isEqualTo(PriceSource.API);
    assertThat(catalog.bootDisk().usdPerGiBMonth()).isCloseTo(0.08, within(1e-12));
    assertThat(catalog.bootDisk().minimumGiB()).as("EC2's root volume minimum").isEqualTo(8);
  }

  @Test
  void overridesReplaceFetchedPrices() {
    CloudProvider overridden = Providers.get("aws").cloud(config(Map.of("price.m6i.large", "0.05",
        Keys.CATALOG_SOURCE, "snapshot")));

    InstanceType m6i = overridden.catalog().find("m6i.large").orElseThrow();

    assertThat(m6i.onDemandPrice()).isEqualTo(0.05);
    assertThat(m6i.priceSource()).isEqualTo(PriceSource.OVERRIDE);
    overridden.close();
  }

  @Test
  void fallsBackToTheBundledSnapshotWhenEc2CannotBeReached() {
    ProviderConfig unreachable = new ProviderConfig("aws", "us-east-1", List.of(), Map.of(
        Keys.AWS_ENDPOINT, "http://127.0.0.1:9", AwsKeys.MAX_ATTEMPTS, "1",
        "credentials.aws_access_key_id", "test", "credentials.aws_secret_access_key", "test"));
    try (Ec2CloudProvider offline = (Ec2CloudProvider) Providers.get("aws").cloud(unreachable)) {
      InstanceCatalog catalog = offline.catalog();

      assertThat(offline.catalogFromSnapshot()).isTrue();
      assertThat(catalog.pricesAsOf()).isEqualTo(AwsPriceSnapshot.load().takenAt());
      assertThat(catalog.find("m6i.large").orElseThrow().priceSource()).isEqualTo(PriceSource.SNAPSHOT);
    }
  }

  @Test
  void refusesUnknownTypesWithoutAnImageAndEnvironmentsCarryingCredentials() {
    String pool = UUID.randomUUID().toString();
    CreateInstanceRequest base = request(pool, "bad-" + pool, false);

    assertThatThrownBy(() -> provider.create(new CreateInstanceRequest(base.name(), base.idempotencyKey(),
        "m99.huge", null, false, base.tags(), null, 10, null, base.workerEnvironment(), null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("instanceType 'm99.huge' is not in the aws us-east-1 catalog");
    Map<String, String> leaky = new HashMap<>(base.workerEnvironment());
    leaky.put("AWS_SECRET_ACCESS_KEY", "x");
    assertThatThrownBy(() -> provider.create(new CreateInstanceRequest(base.name(), base.idempotencyKey(),
        "m6i.large", null, false, base.tags(), image, 10, null, leaky, null)))
        .hasMessageContaining("AWS_SECRET_ACCESS_KEY carries credentials");
    assertThat(provider.list(Map.of(OwnerTags.POOL_UID, pool))).isEmpty();
  }

  private static String userData(String instanceId) {
    return new String(Base64.getDecoder().decode(ec2.describeInstanceAttribute(
        r -> r.instanceId(instanceId).attribute(InstanceAttributeName.USER_DATA)).userData().value()),
        StandardCharsets.UTF_8);
  }

  /** moto checks that a named instance profile exists; the IAM call is made by hand to avoid an IAM SDK dependency. */
  private static void createInstanceProfile(String name) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(MOTO.endpoint() + "/"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20250601/us-east-1/iam/aws4_request, "
            + "SignedHeaders=host, Signature=0")
        .POST(HttpRequest.BodyPublishers.ofString(
            "Action=CreateInstanceProfile&Version=2010-05-08&InstanceProfileName=" + name))
        .build();
    HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }
}
