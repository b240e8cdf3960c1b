package dev.taskjob.provider.aws;

import dev.taskjob.core.cloud.CapacityException;
import dev.taskjob.core.cloud.CloudException;
import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.Disk;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PlacementScores;
import dev.taskjob.core.cloud.PriceOverrides;
import dev.taskjob.core.cloud.VmPrice;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderConfig.Keys;
import dev.taskjob.core.cloud.RefreshingCatalog;
import dev.taskjob.core.cloud.StartupScript;
import dev.taskjob.core.cloud.StopNotice;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.InstanceInterruptionBehavior;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataEndpointState;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataTagsState;
import software.amazon.awssdk.services.ec2.model.MarketType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.ShutdownBehavior;
import software.amazon.awssdk.services.ec2.model.SpotInstanceType;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.VolumeType;
import software.amazon.awssdk.services.pricing.PricingClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;

/**
 * EC2 VMs in one region. Every VM is created with its owner tags, a {@code Name} tag and the
 * {@value #IDEMPOTENCY_TAG} tag in {@code RunInstances}' TagSpecifications, IMDSv2 required, the startup
 * script as user data, shutdown behaviour {@code terminate}, and a ClientToken derived from the request's
 * idempotency key. Before creating, it looks the key up by tag, so a create retried after the operator
 * restarted (when EC2's token memory may not help) still finds the VM the first attempt made. Without an
 * image, a VM boots the ECS-optimized Amazon Linux 2023 image that AWS publishes in SSM public parameters
 * ({@link DefaultImage}), which has Docker: nothing is installed at boot.
 */
public final class Ec2CloudProvider implements CloudProvider {

  /** Tag holding the create request's idempotency key. */
  public static final String IDEMPOTENCY_TAG = "taskjob-idempotency-key";

  private static final Logger log = LoggerFactory.getLogger(Ec2CloudProvider.class);
  /** Error codes meaning "no capacity for this (type, zone, market) now": try another zone or type. */
  static final Set<String> CAPACITY_ERRORS = Set.of("InsufficientInstanceCapacity", "InsufficientCapacity",
      "SpotMaxPriceTooLow", "InsufficientHostCapacity", "Unsupported", "InsufficientFreeAddressesInSubnet");
  /**
   * Quota errors: another zone or type of the same region does not help, and retrying cannot succeed until
   * someone raises the quota. Like every 4xx that is not throttling, they are not retryable.
   */
  static final Set<String> QUOTA_ERRORS = Set.of("VcpuLimitExceeded", "InstanceLimitExceeded",
      "MaxSpotInstanceCountExceeded");
  private static final Set<String> THROTTLING_ERRORS = Set.of("RequestLimitExceeded", "Throttling",
      "ThrottlingException", "TooManyRequestsException");
  private static final Set<String> SPOT_REASONS = Set.of("Server.SpotInstanceTermination",
      "Server.SpotInstanceShutdown");
  private static final Duration DEFAULT_REFRESH = Duration.ofHours(1);

  private final Ec2Client ec2;
  private final PricingClient pricing;
  private final String region;
  private final List<String> zones;
  private final List<String> subnetIds;
  private final List<String> securityGroupIds;
  private final SsmClient ssm;
  /** The taskjob worker image the VMs copy the worker from (provider property worker.image), or null. */
  private final String workerImage;
  private final RefreshingCatalog catalog;
  private final SpotPlacementScores placementScores;
  private final Map<String, String> defaultImageIds = new ConcurrentHashMap<>();
  private final Map<String, String> rootDevices = new ConcurrentHashMap<>();
  private volatile Map<String, String> subnetByZone;

  /** The provider for a config (see the module README for the properties it reads). */
  public Ec2CloudProvider(ProviderConfig config) {
    this(config, List.of());
  }

  /** The provider whose EC2 client also runs {@code ec2Interceptors} (see {@link AwsProviderModule}). */
  Ec2CloudProvider(ProviderConfig config, List<ExecutionInterceptor> ec2Interceptors) {
    this(config, AwsClients.ec2(config, ec2Interceptors), AwsClients.pricing(config), AwsClients.ssm(config),
        Clock.systemUTC());
  }

  Ec2CloudProvider(ProviderConfig config, Ec2Client ec2, PricingClient pricing, SsmClient ssm, Clock clock) {
    this.ec2 = ec2;
    this.pricing = pricing;
    this.ssm = ssm;
    this.region = AwsClients.region(config);
    this.zones = config.zones();
    this.workerImage = config.property(Keys.WORKER_IMAGE);
    this.subnetIds = csv(config.property(AwsKeys.SUBNET_IDS));
    this.securityGroupIds = csv(config.property(AwsKeys.SECURITY_GROUP_IDS));
    AwsPriceSnapshot snapshot = AwsPriceSnapshot.load();
    boolean snapshotOnly = "snapshot".equals(config.property(Keys.CATALOG_SOURCE, "auto"));
    Ec2CatalogFetcher fetcher = new Ec2CatalogFetcher(ec2, pricing, region, snapshot, clock);
    this.catalog = new RefreshingCatalog("aws " + region, snapshotOnly ? null : fetcher::fetch,
        () -> snapshot.catalog(region), PriceOverrides.fromConfig(config), refreshInterval(config), clock);
    this.placementScores = new SpotPlacementScores(ec2, region, placementScoresRefresh(config), clock);
  }

  static Duration placementScoresRefresh(ProviderConfig config) {
    String minutes = config.property(AwsKeys.PLACEMENT_SCORES_REFRESH_MINUTES);
    if (minutes == null) {
      return SpotPlacementScores.DEFAULT_REFRESH;
    }
    try {
      long value = Long.parseLong(minutes.trim());
      if (value < 0) {
        throw new NumberFormatException();
      }
      return Duration.ofMinutes(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(AwsKeys.PLACEMENT_SCORES_REFRESH_MINUTES + " must be whole minutes >= 0, got '"
          + minutes + "'");
    }
  }

  static Duration refreshInterval(ProviderConfig config) {
    String seconds = config.property(Keys.CATALOG_REFRESH_SECONDS);
    if (seconds == null) {
      return DEFAULT_REFRESH;
    }
    try {
      return Duration.ofSeconds(Long.parseLong(seconds.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(Keys.CATALOG_REFRESH_SECONDS + " must be whole seconds, got '" + seconds + "'");
    }
  }

  @Override
  public String name() {
    return "aws";
  }

  @Override
  public InstanceCatalog catalog() {
    return catalog.get();
  }

  /** EC2's spot placement scores by zone for the candidate types, cached ({@link SpotPlacementScores}). */
  @Override
  public PlacementScores placementScores(List<String> spotTypes, int targetInstances) {
    return placementScores.scores(spotTypes, targetInstances);
  }

  /** True while the catalog is the bundled snapshot because the APIs have not answered. */
  public boolean catalogFromSnapshot() {
    return catalog.isFromSnapshot();
  }

  /**
   * The EC2 ClientToken for an idempotency key: deterministic, at most 64 ASCII characters, whatever the
   * key's length or alphabet.
   */
  public static String clientToken(String idempotencyKey) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(idempotencyKey.getBytes(StandardCharsets.UTF_8));
      return "taskjob-" + HexFormat.of().formatHex(digest, 0, 24);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Instance create(CreateInstanceRequest request) {
    InstanceType type = catalog().find(request.instanceType()).orElse(null);
    if (type == null && request.image() == null) {
      throw new IllegalArgumentException("instanceType '" + request.instanceType() + "' is not in the aws " + region
          + " catalog; give an image to launch it anyway");
    }
    String zone = zoneFor(request);
    String userData = StartupScript.forRequest(request, workerImage, machine(request, type, zone));
    if (userData.getBytes(StandardCharsets.UTF_8).length > 16 * 1024) {
      throw new IllegalArgumentException("startupScript is larger than EC2's 16 KiB user data limit");
    }
    List<Instance> existing = findByIdempotencyKey(request.idempotencyKey());
    if (!existing.isEmpty()) {
      Instance found = existing.stream().filter(i -> i.state().isAlive()).findFirst().orElse(existing.get(0));
      log.info("create {}: found {} from an earlier attempt", request.name(), found.id());
      return found;
    }
    String imageId = request.image() != null ? request.image() : defaultImageId(type);
    Map<String, String> tags = new LinkedHashMap<>(request.tags());
    tags.put("Name", request.name());
    tags.put(IDEMPOTENCY_TAG, request.idempotencyKey());
    List<Tag> ec2Tags = tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
        .toList();

    RunInstancesRequest.Builder run = RunInstancesRequest.builder()
        .imageId(imageId)
        .instanceType(request.instanceType())
        .minCount(1)
        .maxCount(1)
        .clientToken(clientToken(request.idempotencyKey()))
        .userData(Base64.getEncoder().encodeToString(userData.getBytes(StandardCharsets.UTF_8)))
        .instanceInitiatedShutdownBehavior(ShutdownBehavior.TERMINATE)
        .metadataOptions(m -> m.httpTokens(HttpTokensState.REQUIRED)
            .httpEndpoint(InstanceMetadataEndpointState.ENABLED)
            .instanceMetadataTags(InstanceMetadataTagsState.ENABLED)
            .httpPutResponseHopLimit(1))
        .tagSpecifications(tagSpecifications(ec2Tags, request.spot()))
        .blockDeviceMappings(BlockDeviceMapping.builder()
            .deviceName(rootDevice(imageId))
            .ebs(e -> e.volumeSize(Math.max(request.bootDiskGiB(), 8)).volumeType(VolumeType.GP3)
                .deleteOnTermination(true).encrypted(true))
            .build());
    if (request.spot()) {
      run.instanceMarketOptions(m -> m.marketType(MarketType.SPOT)
          .spotOptions(s -> s.spotInstanceType(SpotInstanceType.ONE_TIME)
              .instanceInterruptionBehavior(InstanceInterruptionBehavior.TERMINATE)));
    }
    if (request.serviceAccount() != null && !request.serviceAccount().isBlank()) {
      run.iamInstanceProfile(p -> p.name(request.serviceAccount()));
    }
    String subnet = subnetFor(zone, request.idempotencyKey());
    if (subnet != null) {
      run.subnetId(subnet);
    } else if (zone != null) {
      run.placement(p -> p.availabilityZone(zone));
    }
    if (!securityGroupIds.isEmpty()) {
      run.securityGroupIds(securityGroupIds);
    }
    try {
      software.amazon.awssdk.services.ec2.model.Instance created = ec2.runInstances(run.build()).instances().get(0);
      log.info("created {} {} ({}{}) in {}", request.name(), created.instanceId(), request.instanceType(),
          request.spot() ? ", spot" : "", created.placement() == null ? zone : created.placement().availabilityZone());
      return toInstance(created);
    } catch (AwsServiceException e) {
      throw translate(e, "RunInstances " + request.instanceType() + (request.spot() ? " (spot)" : ""), request, zone);
    } catch (SdkClientException e) {
      throw new CloudException("RunInstances " + request.instanceType() + ": " + e.getMessage(), true, e);
    }
  }

  /**
   * Tags on every resource RunInstances creates, so a tag-scoped IAM policy (aws:RequestTag conditions) can
   * allow the call and nothing untagged is ever made.
   */
  private static List<TagSpecification> tagSpecifications(List<Tag> tags, boolean spot) {
    List<ResourceType> types = new ArrayList<>(List.of(ResourceType.INSTANCE, ResourceType.VOLUME,
        ResourceType.NETWORK_INTERFACE));
    if (spot) {
      types.add(ResourceType.SPOT_INSTANCES_REQUEST);
    }
    return types.stream().map(t -> TagSpecification.builder().resourceType(t).tags(tags).build()).toList();
  }

  /** VMs created for an idempotency key, in any state. */
  List<Instance> findByIdempotencyKey(String idempotencyKey) {
    return list(Map.of(IDEMPOTENCY_TAG, idempotencyKey));
  }

  @Override
  public List<Instance> list(Map<String, String> tags) {
    List<Filter> filters = tags.entrySet().stream()
        .map(e -> Filter.builder().name("tag:" + e.getKey()).values(e.getValue()).build())
        .toList();
    List<Instance> instances = new ArrayList<>();
    try {
      ec2.describeInstancesPaginator(r -> r.filters(filters).maxResults(filters.isEmpty() ? null : 1000))
          .reservations()
          .forEach(res -> res.instances().forEach(i -> instances.add(toInstance(i))));
    } catch (AwsServiceException e) {
      throw translate(e, "DescribeInstances", null, null);
    } catch (SdkClientException e) {
      throw new CloudException("DescribeInstances: " + e.getMessage(), true, e);
    }
    return instances;
  }

  /** EBS volumes carrying all of {@code tags} (every volume RunInstances made is tagged), in any state but deleted. */
  @Override
  public List<String> disks(Map<String, String> tags) {
    List<Filter> filters = new ArrayList<>(tags.entrySet().stream()
        .map(e -> Filter.builder().name("tag:" + e.getKey()).values(e.getValue()).build())
        .toList());
    filters.add(Filter.builder().name("status").values("creating", "available", "in-use", "deleting", "error").build());
    List<String> volumes = new ArrayList<>();
    try {
      ec2.describeVolumesPaginator(r -> r.filters(filters)).volumes().forEach(v -> volumes.add(v.volumeId()));
    } catch (AwsServiceException e) {
      throw translate(e, "DescribeVolumes", null, null);
    } catch (SdkClientException e) {
      throw new CloudException("DescribeVolumes: " + e.getMessage(), true, e);
    }
    return volumes;
  }

  /** EBS volumes carrying all of {@code tags} that are attached to no instance ({@code available}). */
  @Override
  public List<Disk> detachedDisks(Map<String, String> tags) {
    List<Filter> filters = new ArrayList<>(tags.entrySet().stream()
        .map(e -> Filter.builder().name("tag:" + e.getKey()).values(e.getValue()).build())
        .toList());
    filters.add(Filter.builder().name("status").values("available").build());
    List<Disk> volumes = new ArrayList<>();
    try {
      ec2.describeVolumesPaginator(r -> r.filters(filters)).volumes().forEach(v -> {
        Map<String, String> volumeTags = new HashMap<>();
        v.tags().forEach(t -> volumeTags.put(t.key(), t.value()));
        volumes.add(new Disk(v.volumeId(), volumeTags, v.createTime()));
      });
    } catch (AwsServiceException e) {
      throw translate(e, "DescribeVolumes", null, null);
    } catch (SdkClientException e) {
      throw new CloudException("DescribeVolumes: " + e.getMessage(), true, e);
    }
    return volumes;
  }

  /** DeleteVolume for each id; a volume already gone or attached again ({@code VolumeInUse}) is skipped. */
  @Override
  public void deleteDisks(Collection<String> diskIds) {
    for (String id : diskIds.stream().distinct().toList()) {
      try {
        ec2.deleteVolume(r -> r.volumeId(id));
        log.info("deleting volume {}", id);
      } catch (AwsServiceException e) {
        String code = errorCode(e);
        if (code.equals("VolumeInUse")) {
          log.warn("volume {} is in use again; not deleted", id);
        } else if (!code.equals("InvalidVolume.NotFound")) {
          throw translate(e, "DeleteVolume " + id, null, null);
        }
      } catch (SdkClientException e) {
        throw new CloudException("DeleteVolume " + id + ": " + e.getMessage(), true, e);
      }
    }
  }

  /**
   * Tags each VM {@code taskjob-stop=scale-in}; its worker reads the tag through the instance metadata service
   * (instance metadata tags are enabled at launch). An unknown or terminated id is skipped.
   */
  @Override
  public void sendStopNotice(Collection<String> instanceIds) {
    Tag stop = Tag.builder().key(StopNotice.KEY).value(StopNotice.SCALE_IN).build();
    for (String id : instanceIds.stream().distinct().toList()) {
      try {
        ec2.createTags(r -> r.resources(id).tags(stop));
        log.info("stop notice to {}: tagged {}={}", id, StopNotice.KEY, StopNotice.SCALE_IN);
      } catch (AwsServiceException e) {
        if (!isNotFound(e)) {
          throw translate(e, "CreateTags " + id, null, null);
        }
      } catch (SdkClientException e) {
        throw new CloudException("CreateTags " + id + ": " + e.getMessage(), true, e);
      }
    }
  }

  @Override
  public void terminate(Collection<String> instanceIds) {
    List<String> ids = instanceIds.stream().distinct().toList();
    for (int from = 0; from < ids.size(); from += 1000) {
      List<String> batch = ids.subList(from, Math.min(ids.size(), from + 1000));
      try {
        ec2.terminateInstances(r -> r.instanceIds(batch));
      } catch (AwsServiceException e) {
        if (!isNotFound(e)) {
          throw translate(e, "TerminateInstances", null, null);
        }
        // One unknown id fails the whole call: retry one by one, skipping the unknown ones.
        for (String id : batch) {
          try {
            ec2.terminateInstances(r -> r.instanceIds(id));
          } catch (AwsServiceException single) {
            if (!isNotFound(single)) {
              throw translate(single, "TerminateInstances " + id, null, null);
            }
          }
        }
      } catch (SdkClientException e) {
        throw new CloudException("TerminateInstances: " + e.getMessage(), true, e);
      }
    }
  }

  @Override
  public void close() {
    catalog.close();
    ec2.close();
    pricing.close();
    ssm.close();
  }

  private static boolean isNotFound(AwsServiceException e) {
    String code = errorCode(e);
    return code.equals("InvalidInstanceID.NotFound") || code.equals("InvalidInstanceID.Malformed");
  }

  private static String errorCode(AwsServiceException e) {
    return e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? "" : e.awsErrorDetails().errorCode();
  }

  /** True for EC2's answers that mean "no capacity here now", which the SDK must not retry. */
  static boolean isCapacityError(Throwable failure) {
    return failure instanceof AwsServiceException e && CAPACITY_ERRORS.contains(errorCode(e));
  }

  static CloudException translate(AwsServiceException e, String call, CreateInstanceRequest request, String zone) {
    String code = errorCode(e);
    String message = call + " failed: " + code + ": "
        + (e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage());
    if (request != null && CAPACITY_ERRORS.contains(code)) {
      return new CapacityException(message, request.instanceType(), zone, request.spot(), e);
    }
    boolean retryable = THROTTLING_ERRORS.contains(code) || e.statusCode() >= 500 || e.isThrottlingException();
    return new CloudException(message, retryable, e);
  }

  static InstanceState state(software.amazon.awssdk.services.ec2.model.Instance i) {
    String name = i.state() == null ? "" : i.state().nameAsString();
    String reason = i.stateReason() == null ? null : i.stateReason().code();
    boolean reclaimed = reason != null && SPOT_REASONS.contains(reason);
    return switch (name) {
      case "pending" -> InstanceState.PENDING;
      case "running" -> InstanceState.RUNNING;
      case "stopping" -> reclaimed ? InstanceState.PREEMPTED : InstanceState.STOPPING;
      case "stopped" -> reclaimed ? InstanceState.PREEMPTED : InstanceState.STOPPED;
      case "shutting-down" -> reclaimed ? InstanceState.PREEMPTED : InstanceState.TERMINATING;
      default -> reclaimed ? InstanceState.PREEMPTED : InstanceState.TERMINATED;
    };
  }

  static Instance toInstance(software.amazon.awssdk.services.ec2.model.Instance i) {
    Map<String, String> tags = new HashMap<>();
    i.tags().forEach(t -> tags.put(t.key(), t.value()));
    return new Instance(i.instanceId(), tags.getOrDefault("Name", i.instanceId()), i.instanceTypeAsString(),
        i.placement() == null ? null : i.placement().availabilityZone(),
        "spot".equals(i.instanceLifecycleAsString()), state(i), i.launchTime(), tags, endTime(i));
  }

  /** EC2 names the time of a stop or termination in the transition reason, "User initiated (2026-01-02 03:04:05 GMT)". */
  private static final Pattern TRANSITION_TIME =
      Pattern.compile("\\((\\d{4}-\\d{2}-\\d{2}) (\\d{2}:\\d{2}:\\d{2}) (GMT|UTC)\\)");

  /** When a VM that is no longer pending or running stopped billing, where EC2 says; null otherwise. */
  static Instant endTime(software.amazon.awssdk.services.ec2.model.Instance i) {
    if (state(i).isAlive() || i.stateTransitionReason() == null) {
      return null;
    }
    Matcher m = TRANSITION_TIME.matcher(i.stateTransitionReason());
    return m.find() ? Instant.parse(m.group(1) + "T" + m.group(2) + "Z") : null;
  }

  /** The machine facts the startup script hands the worker, at the price of the zone the VM goes to, disk included. */
  private StartupScript.Machine machine(CreateInstanceRequest request, InstanceType type, String zone) {
    if (type == null) {
      return new StartupScript.Machine("aws", region, request.instanceType(), 0, 0, 0, request.spot(), null);
    }
    String priceZone = zone != null && type.spotPrices().containsKey(zone) ? zone : null;
    Double price = VmPrice.of(catalog(), type, request.bootDiskGiB(), priceZone, request.spot())
        .map(VmPrice::perHour).orElse(null);
    return new StartupScript.Machine("aws", region, type.name(), type.vcpus(), type.memoryGiB(), type.gpus(),
        request.spot(), price);
  }

  /** The current ECS-optimized Amazon Linux 2023 image for a type, read from AWS's public SSM parameter. */
  private String defaultImageId(InstanceType type) {
    String parameter = DefaultImage.parameterFor(type);
    String cached = defaultImageIds.get(parameter);
    if (cached != null) {
      return cached;
    }
    String imageId;
    try {
      imageId = ssm.getParameter(r -> r.name(parameter)).parameter().value();
    } catch (ParameterNotFoundException e) {
      throw new CloudException("SSM public parameter " + parameter + " does not exist in " + region
          + "; set spec.instances.image", false, e);
    } catch (AwsServiceException e) {
      throw translate(e, "GetParameter " + parameter, null, null);
    } catch (SdkClientException e) {
      throw new CloudException("GetParameter " + parameter + ": " + e.getMessage(), true, e);
    }
    defaultImageIds.put(parameter, imageId);
    rootDevices.put(imageId, DefaultImage.ROOT_DEVICE);
    return imageId;
  }

  private String rootDevice(String imageId) {
    return rootDevices.computeIfAbsent(imageId, id -> {
      try {
        List<Image> images = ec2.describeImages(r -> r.imageIds(id)).images();
        if (images.isEmpty() || images.get(0).rootDeviceName() == null) {
          throw new IllegalArgumentException("image '" + id + "' does not exist in " + region
              + " or is not shared with this account");
        }
        return images.get(0).rootDeviceName();
      } catch (AwsServiceException e) {
        if (errorCode(e).startsWith("InvalidAMIID")) {
          throw new IllegalArgumentException("image '" + id + "' does not exist in " + region + ": "
              + errorCode(e), e);
        }
        throw translate(e, "DescribeImages " + id, null, null);
      }
    });
  }

  /** The request's zone, else one of the configured zones chosen by the key (the same on every retry). */
  private String zoneFor(CreateInstanceRequest request) {
    if (request.zone() != null) {
      return request.zone();
    }
    if (!zones.isEmpty()) {
      return zones.get(Math.floorMod(request.idempotencyKey().hashCode(), zones.size()));
    }
    return null;
  }

  private String subnetFor(String zone, String idempotencyKey) {
    if (subnetIds.isEmpty()) {
      return null;
    }
    Map<String, String> byZone = subnetByZone;
    if (byZone == null) {
      byZone = new LinkedHashMap<>();
      try {
        for (Subnet s : ec2.describeSubnets(r -> r.subnetIds(subnetIds)).subnets()) {
          byZone.putIfAbsent(s.availabilityZone(), s.subnetId());
        }
      } catch (AwsServiceException e) {
        throw translate(e, "DescribeSubnets " + subnetIds, null, null);
      }
      subnetByZone = byZone;
    }
    if (zone == null) {
      return subnetIds.get(Math.floorMod(idempotencyKey.hashCode(), subnetIds.size()));
    }
    String subnet = byZone.get(zone);
    if (subnet == null) {
      throw new IllegalArgumentException(AwsKeys.SUBNET_IDS + " has no subnet in zone " + zone + " (have "
          + byZone.keySet() + ")");
    }
    return subnet;
  }

  private static List<String> csv(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return List.of(value.trim().split("\\s*,\\s*"));
  }
}
