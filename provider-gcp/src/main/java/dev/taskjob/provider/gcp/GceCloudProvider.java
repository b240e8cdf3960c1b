package dev.taskjob.provider.gcp;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.billing.v1.CloudCatalogClient;
import com.google.cloud.compute.v1.AccessConfig;
import com.google.cloud.compute.v1.AggregatedListDisksRequest;
import com.google.cloud.compute.v1.AggregatedListInstancesRequest;
import com.google.cloud.compute.v1.AttachedDisk;
import com.google.cloud.compute.v1.AttachedDiskInitializeParams;
import com.google.cloud.compute.v1.DeleteDiskRequest;
import com.google.cloud.compute.v1.SetMetadataInstanceRequest;
import com.google.cloud.compute.v1.DisksClient;
import com.google.cloud.compute.v1.DisksScopedList;
import com.google.cloud.compute.v1.Errors;
import com.google.cloud.compute.v1.InsertInstanceRequest;
import com.google.cloud.compute.v1.InstancesClient;
import com.google.cloud.compute.v1.InstancesScopedList;
import com.google.cloud.compute.v1.Items;
import com.google.cloud.compute.v1.ListZoneOperationsRequest;
import com.google.cloud.compute.v1.MachineTypesClient;
import com.google.cloud.compute.v1.Metadata;
import com.google.cloud.compute.v1.NetworkInterface;
import com.google.cloud.compute.v1.Operation;
import com.google.cloud.compute.v1.Scheduling;
import com.google.cloud.compute.v1.ServiceAccount;
import com.google.cloud.compute.v1.ZoneOperationsClient;
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
import dev.taskjob.core.cloud.PriceOverrides;
import dev.taskjob.core.cloud.VmPrice;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderConfig.Keys;
import dev.taskjob.core.cloud.RefreshingCatalog;
import dev.taskjob.core.cloud.StartupScript;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compute Engine VMs in one region of one project, over the REST API. Every VM is inserted with its owner
 * labels and the {@value #REQUEST_LABEL} label (a hash of the idempotency key) in the insert call itself, a
 * requestId derived from the idempotency key (a UUID, so GCE drops a repeated insert), the startup script as
 * {@code startup-script} metadata, the service account by email, a boot disk that is deleted with the VM,
 * and for spot {@code provisioningModel: SPOT} with {@code instanceTerminationAction: DELETE}, so GCE deletes
 * a reclaimed VM and its boot disk itself. A VM that stopped (its worker exited and shut it down) is listed
 * as stopped, and {@link #terminate} deletes it. Without an image, a VM boots Container-Optimized OS, which
 * has Docker: nothing is installed at boot. Before inserting it looks the key up by label.
 */
public final class GceCloudProvider implements CloudProvider {

  /** Label holding a hash of the create request's idempotency key (label values allow 63 characters). */
  public static final String REQUEST_LABEL = "taskjob-request";

  private static final Logger log = LoggerFactory.getLogger(GceCloudProvider.class);
  private static final Pattern LABEL = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
  private static final Pattern LABEL_VALUE = Pattern.compile("[a-z0-9_-]{0,63}");
  /** Operation error codes meaning "no capacity for this (type, zone, market) now": try another zone or type. */
  static final Set<String> CAPACITY_ERRORS = Set.of("ZONE_RESOURCE_POOL_EXHAUSTED",
      "ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS", "RESOURCE_POOL_EXHAUSTED", "UNSUPPORTED_OPERATION",
      "RESOURCE_NOT_FOUND_IN_ZONE");
  /** Error codes that are worth retrying as they are: rate limits and GCE's own trouble. */
  private static final Set<String> TRANSIENT_ERRORS = Set.of("RATE_LIMIT_EXCEEDED", "INTERNAL_ERROR", "UNAVAILABLE",
      "SERVICE_UNAVAILABLE", "BACKEND_ERROR");
  /** Container-Optimized OS image families: Docker included, nothing to install. */
  static final String COS_X86_64 = "projects/cos-cloud/global/images/family/cos-stable";
  static final String COS_ARM64 = "projects/cos-cloud/global/images/family/cos-arm64-stable";
  private static final Duration INSERT_WAIT = Duration.ofMinutes(2);

  private final InstancesClient instances;
  private final MachineTypesClient machineTypes;
  private final ZoneOperationsClient operations;
  private final DisksClient disks;
  private final CloudCatalogClient billing;
  private final String project;
  private final String region;
  private final List<String> zones;
  /** The taskjob worker image the VMs copy the worker from (provider property worker.image), or null. */
  private final String workerImage;
  private final String network;
  private final String subnetwork;
  private final boolean externalIp;
  private final RefreshingCatalog catalog;
  private final Map<String, String> zoneByName = new ConcurrentHashMap<>();

  /** The provider for a config (see the module README for the properties it reads). */
  public GceCloudProvider(ProviderConfig config) {
    this(config, Clock.systemUTC());
  }

  GceCloudProvider(ProviderConfig config, Clock clock) {
    this.region = GcpClients.region(config);
    this.zones = config.zones();
    this.workerImage = config.property(Keys.WORKER_IMAGE);
    this.network = config.property(GcpKeys.NETWORK, "global/networks/default");
    this.subnetwork = config.property(GcpKeys.SUBNETWORK);
    this.externalIp = !"false".equalsIgnoreCase(config.property(GcpKeys.EXTERNAL_IP, "true"));
    GcpPriceSnapshot snapshot = GcpPriceSnapshot.load();
    boolean snapshotOnly = "snapshot".equals(config.property(Keys.CATALOG_SOURCE, "auto"));
    String configuredProject = config.property(Keys.PROJECT);
    if (snapshotOnly && (configuredProject == null || configuredProject.isBlank())
        && System.getenv("GOOGLE_CLOUD_PROJECT") == null) {
      // Catalog only (the CLI without a project): no clients, no VMs.
      this.project = null;
      this.instances = null;
      this.machineTypes = null;
      this.operations = null;
      this.disks = null;
      this.billing = null;
    } else {
      this.project = GcpClients.project(config);
      try {
        this.instances = GcpClients.instances(config);
        this.machineTypes = GcpClients.machineTypes(config);
        this.operations = GcpClients.zoneOperations(config);
        this.disks = GcpClients.disks(config);
        // Prices from the bundled snapshot need no Billing client, nor its credentials (taskjob vms with a fake
        // Compute endpoint, or with credentials that may use Compute Engine only).
        this.billing = snapshotOnly ? null : GcpClients.billing(config);
      } catch (IOException e) {
        throw new CloudException("cannot create the Compute Engine clients: " + e.getMessage(), false, e);
      }
    }
    GceCatalogFetcher fetcher = billing == null ? null
        : new GceCatalogFetcher(machineTypes, billing, project, region, snapshot, clock);
    this.catalog = new RefreshingCatalog("gcp " + region, snapshotOnly || fetcher == null ? null : fetcher::fetch,
        () -> snapshot.catalog(region), PriceOverrides.fromConfig(config), refreshInterval(config), clock);
  }

  private static Duration refreshInterval(ProviderConfig config) {
    String seconds = config.property(Keys.CATALOG_REFRESH_SECONDS);
    try {
      return seconds == null ? Duration.ofHours(1) : Duration.ofSeconds(Long.parseLong(seconds.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(Keys.CATALOG_REFRESH_SECONDS + " must be whole seconds, got '" + seconds + "'");
    }
  }

  @Override
  public String name() {
    return "gcp";
  }

  @Override
  public InstanceCatalog catalog() {
    return catalog.get();
  }

  /** True while the catalog is the bundled snapshot because the APIs have not answered. */
  public boolean catalogFromSnapshot() {
    return catalog.isFromSnapshot();
  }

  /** The GCE requestId for an idempotency key: a name-based UUID, the same on every retry. */
  public static String requestId(String idempotencyKey) {
    return UUID.nameUUIDFromBytes(("taskjob:" + idempotencyKey).getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** The {@value #REQUEST_LABEL} value for an idempotency key. */
  static String requestLabel(String idempotencyKey) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(idempotencyKey.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 20);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Instance create(CreateInstanceRequest request) {
    requireProject();
    validateLabels(request.tags());
    if (!request.name().matches("[a-z]([-a-z0-9]{0,61}[a-z0-9])?")) {
      throw new IllegalArgumentException("instance name '" + request.name() + "' is not a valid GCE name "
          + "(lower-case letters, digits and '-', starting with a letter, at most 63 characters)");
    }
    InstanceType type = catalog().find(request.instanceType()).orElse(null);
    String zone = zoneFor(request, type);
    String script = StartupScript.forRequest(request, workerImage, machine(request, type, zone));
    List<Instance> existing = list(Map.of(REQUEST_LABEL, requestLabel(request.idempotencyKey())));
    if (!existing.isEmpty()) {
      log.info("create {}: found it from an earlier attempt", request.name());
      return existing.get(0);
    }
    Map<String, String> labels = new LinkedHashMap<>(request.tags());
    labels.put(REQUEST_LABEL, requestLabel(request.idempotencyKey()));
    Architecture arch = type == null ? MachineShape.architectureOf(request.instanceType(), null) : type.architecture();
    String image = request.image() != null ? request.image() : arch == Architecture.ARM64 ? COS_ARM64 : COS_X86_64;

    NetworkInterface.Builder nic = NetworkInterface.newBuilder().setNetwork(network);
    if (subnetwork != null) {
      nic.setSubnetwork(subnetwork);
    }
    if (externalIp) {
      nic.addAccessConfigs(AccessConfig.newBuilder().setName("External NAT").setType("ONE_TO_ONE_NAT"));
    }
    Scheduling.Builder scheduling = Scheduling.newBuilder().setAutomaticRestart(!request.spot())
        .setOnHostMaintenance(request.spot() ? "TERMINATE" : "MIGRATE");
    if (request.spot()) {
      // DELETE: a reclaimed VM and its boot disk go at once; STOP would keep the disk billing until deleted.
      scheduling.setProvisioningModel("SPOT").setInstanceTerminationAction("DELETE");
    } else {
      scheduling.setProvisioningModel("STANDARD");
    }
    com.google.cloud.compute.v1.Instance.Builder vm = com.google.cloud.compute.v1.Instance.newBuilder()
        .setName(request.name())
        .setMachineType("zones/" + zone + "/machineTypes/" + request.instanceType())
        .putAllLabels(labels)
        .setMetadata(Metadata.newBuilder().addItems(Items.newBuilder().setKey("startup-script").setValue(script)))
        .addDisks(AttachedDisk.newBuilder().setBoot(true).setAutoDelete(true).setType("PERSISTENT")
            .setInitializeParams(AttachedDiskInitializeParams.newBuilder().setSourceImage(image)
                .setDiskSizeGb(Math.max(request.bootDiskGiB(), 10))
                .setDiskType("zones/" + zone + "/diskTypes/" + diskType(request.instanceType()))
                .putAllLabels(labels)))
        .addNetworkInterfaces(nic)
        .setScheduling(scheduling);
    if (request.serviceAccount() != null && !request.serviceAccount().isBlank()) {
      vm.addServiceAccounts(ServiceAccount.newBuilder().setEmail(request.serviceAccount())
          .addScopes("https://www.googleapis.com/auth/cloud-platform"));
    }
    InsertInstanceRequest insert = InsertInstanceRequest.newBuilder().setProject(project).setZone(zone)
        .setRequestId(requestId(request.idempotencyKey())).setInstanceResource(vm).build();
    String what = "insert " + request.instanceType() + (request.spot() ? " (spot)" : "") + " in " + zone;
    Operation done;
    try {
      // Wait on the operation ourselves (zoneOperations.wait): a failed operation then still carries its error
      // codes (ZONE_RESOURCE_POOL_EXHAUSTED...), which the client's own polling folds into a bare UNAVAILABLE.
      done = instances.insertCallable().call(insert);
      long deadline = System.nanoTime() + INSERT_WAIT.toNanos();
      while (!"DONE".equals(done.getStatus().toString()) && System.nanoTime() < deadline) {
        done = operations.wait(project, zone, done.getName());
      }
    } catch (ApiException e) {
      throw translate(e, what, request, zone);
    }
    if (!"DONE".equals(done.getStatus().toString())) {
      throw new CloudException(what + ": still " + done.getStatus() + " after " + INSERT_WAIT.toSeconds()
          + "s; a retry with the same key finds the VM", true);
    }
    if (done.hasError() && done.getError().getErrorsCount() > 0) {
      throw operationError(done.getError().getErrorsList(), what, request, zone);
    }
    zoneByName.put(request.name(), zone);
    log.info("created {} ({}{}) in {}", request.name(), request.instanceType(), request.spot() ? ", spot" : "", zone);
    try {
      return toInstance(instances.get(project, zone, request.name()), zone);
    } catch (ApiException e) {
      throw translate(e, "get " + request.name(), null, zone);
    }
  }

  @Override
  public List<Instance> list(Map<String, String> tags) {
    requireProject();
    String filter = labelFilter(tags);
    AggregatedListInstancesRequest.Builder request = AggregatedListInstancesRequest.newBuilder().setProject(project)
        .setMaxResults(500).setReturnPartialSuccess(true);
    if (!filter.isEmpty()) {
      request.setFilter(filter);
    }
    List<Instance> found = new ArrayList<>();
    try {
      for (Map.Entry<String, InstancesScopedList> scope : instances.aggregatedList(request.build()).iterateAll()) {
        String zone = scope.getKey().replaceFirst("^zones/", "");
        if (!zone.startsWith(region + "-")) {
          continue;
        }
        for (com.google.cloud.compute.v1.Instance vm : scope.getValue().getInstancesList()) {
          zoneByName.put(vm.getName(), zone);
          found.add(toInstance(vm, zone));
        }
      }
    } catch (ApiException e) {
      throw translate(e, "list instances", null, null);
    }
    return found;
  }

  /** Disks in the region carrying all of {@code tags} as labels (boot disks get the VM's labels). */
  @Override
  public List<String> disks(Map<String, String> tags) {
    List<String> found = new ArrayList<>();
    forEachRegionDisk(tags, (zone, d) -> found.add(zone + "/" + d.getName()));
    return found;
  }

  /** The disks of {@link #disks} that no VM uses (no {@code users}); their ids are {@code zone/name}. */
  @Override
  public List<Disk> detachedDisks(Map<String, String> tags) {
    List<Disk> found = new ArrayList<>();
    forEachRegionDisk(tags, (zone, d) -> {
      if (d.getUsersCount() == 0) {
        Instant created = d.getCreationTimestamp().isEmpty() ? null
            : java.time.OffsetDateTime.parse(d.getCreationTimestamp()).toInstant();
        found.add(new Disk(zone + "/" + d.getName(), d.getLabelsMap(), created));
      }
    });
    return found;
  }

  /** Each disk in this region carrying all of {@code tags} as labels, with its zone: one aggregated list. */
  private void forEachRegionDisk(Map<String, String> tags,
      java.util.function.BiConsumer<String, com.google.cloud.compute.v1.Disk> each) {
    requireProject();
    String filter = labelFilter(tags);
    AggregatedListDisksRequest.Builder request = AggregatedListDisksRequest.newBuilder().setProject(project)
        .setMaxResults(500).setReturnPartialSuccess(true);
    if (!filter.isEmpty()) {
      request.setFilter(filter);
    }
    try {
      for (Map.Entry<String, DisksScopedList> scope : disks.aggregatedList(request.build()).iterateAll()) {
        String zone = scope.getKey().replaceFirst("^zones/", "");
        if (zone.startsWith(region + "-")) {
          scope.getValue().getDisksList().forEach(d -> each.accept(zone, d));
        }
      }
    } catch (ApiException e) {
      throw translate(e, "list disks", null, null);
    }
  }

  /** A Compute Engine list filter matching all of {@code tags} as labels (empty for none). */
  private static String labelFilter(Map<String, String> tags) {
    return tags.entrySet().stream()
        .map(e -> "(labels." + e.getKey() + " = \"" + e.getValue().replace("\"", "") + "\")")
        .collect(Collectors.joining(" AND "));
  }

  /**
   * Starts deleting each disk ({@code zone/name}) and returns; a disk already gone is skipped, and so is one a VM
   * uses again (GCE refuses with {@code resourceInUseByAnotherResource}).
   */
  @Override
  public void deleteDisks(Collection<String> diskIds) {
    requireProject();
    for (String id : diskIds.stream().distinct().toList()) {
      int slash = id.indexOf('/');
      if (slash <= 0) {
        continue;
      }
      String zone = id.substring(0, slash);
      String name = id.substring(slash + 1);
      try {
        disks.deleteAsync(DeleteDiskRequest.newBuilder().setProject(project).setZone(zone).setDisk(name)
            .setRequestId(requestId("delete-disk:" + id)).build()).getInitialFuture().get(60, TimeUnit.SECONDS);
        log.info("deleting disk {} in {}", name, zone);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof ApiException api) {
          StatusCode.Code code = api.getStatusCode().getCode();
          if (code == StatusCode.Code.NOT_FOUND) {
            continue;
          }
          if (code == StatusCode.Code.INVALID_ARGUMENT || code == StatusCode.Code.FAILED_PRECONDITION) {
            log.warn("disk {} in {} is in use again; not deleted: {}", name, zone, api.getMessage());
            continue;
          }
        }
        throw translate(e.getCause(), "delete disk " + name, null, zone);
      } catch (TimeoutException e) {
        throw new CloudException("delete disk " + name + ": no answer within 60s", true, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CloudException("delete disk " + name + ": interrupted", true, e);
      }
    }
  }

  /**
   * The zone of a VM this provider created or listed; a name it has not seen is looked up among the VMs labelled as
   * managed by taskjob-operator, so a stray name never reaches someone else's VM. Null when there is none.
   */
  private String zoneOfManagedVm(String name) {
    String zone = zoneByName.get(name);
    if (zone == null) {
      list(Map.of(OwnerTags.MANAGED_BY, OwnerTags.MANAGED_BY_VALUE));
      zone = zoneByName.get(name);
    }
    return zone;
  }

  /**
   * Adds the metadata attribute {@code taskjob-stop=scale-in} to each VM (kept with its other items, under the
   * metadata's fingerprint; a VM changed in between is read again once), which its worker polls. Unknown names and
   * VMs already gone are skipped; the call is not awaited.
   */
  @Override
  public void sendStopNotice(Collection<String> instanceIds) {
    requireProject();
    for (String name : instanceIds.stream().distinct().toList()) {
      String zone = zoneOfManagedVm(name);
      if (zone == null) {
        continue;
      }
      for (int attempt = 1; ; attempt++) {
        try {
          com.google.cloud.compute.v1.Instance vm = instances.get(project, zone, name);
          Metadata current = vm.getMetadata();
          if (current.getItemsList().stream().anyMatch(i -> i.getKey().equals(StopNotice.KEY))) {
            break;
          }
          Metadata updated = current.toBuilder()
              .addItems(Items.newBuilder().setKey(StopNotice.KEY).setValue(StopNotice.SCALE_IN)).build();
          instances.setMetadataAsync(SetMetadataInstanceRequest.newBuilder().setProject(project).setZone(zone)
              .setInstance(name).setMetadataResource(updated).build()).getInitialFuture().get(60, TimeUnit.SECONDS);
          log.info("stop notice to {} in {}: metadata {}={}", name, zone, StopNotice.KEY, StopNotice.SCALE_IN);
          break;
        } catch (ApiException e) {
          if (e.getStatusCode().getCode() == StatusCode.Code.NOT_FOUND) {
            break;
          }
          throw translate(e, "get " + name, null, zone);
        } catch (ExecutionException e) {
          if (e.getCause() instanceof ApiException api) {
            StatusCode.Code code = api.getStatusCode().getCode();
            if (code == StatusCode.Code.NOT_FOUND) {
              break;
            }
            if (code == StatusCode.Code.FAILED_PRECONDITION && attempt < 2) {
              continue; // the metadata changed since it was read: read it again
            }
          }
          throw translate(e.getCause(), "setMetadata " + name, null, zone);
        } catch (TimeoutException e) {
          throw new CloudException("setMetadata " + name + ": no answer within 60s", true, e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CloudException("setMetadata " + name + ": interrupted", true, e);
        }
      }
    }
  }

  /**
   * Starts deleting each VM (a stopped one too; its boot disk goes with it) and returns; unknown names and VMs
   * already gone are skipped. A name this provider has not seen is looked up among the VMs labelled as managed by
   * taskjob-operator.
   */
  @Override
  public void terminate(Collection<String> instanceIds) {
    requireProject();
    for (String name : instanceIds.stream().distinct().toList()) {
      String zone = zoneOfManagedVm(name);
      if (zone == null) {
        continue;
      }
      try {
        instances.deleteAsync(com.google.cloud.compute.v1.DeleteInstanceRequest.newBuilder().setProject(project)
            .setZone(zone).setInstance(name).setRequestId(requestId("delete:" + name)).build())
            .getInitialFuture().get(60, TimeUnit.SECONDS);
        log.info("deleting {} in {}", name, zone);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof ApiException api && api.getStatusCode().getCode() == StatusCode.Code.NOT_FOUND)) {
          throw translate(e.getCause(), "delete " + name, null, zone);
        }
      } catch (TimeoutException e) {
        throw new CloudException("delete " + name + ": no answer within 60s", true, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CloudException("delete " + name + ": interrupted", true, e);
      }
    }
  }

  @Override
  public void close() {
    catalog.close();
    if (instances != null) {
      instances.close();
      machineTypes.close();
      operations.close();
      disks.close();
    }
    if (billing != null) {
      billing.close();
    }
  }

  private void requireProject() {
    if (project == null) {
      throw new IllegalArgumentException("project: a GCP project id is required to manage VMs (spec.project)");
    }
  }

  private Instance toInstance(com.google.cloud.compute.v1.Instance vm, String zone) {
    boolean spot = "SPOT".equals(vm.getScheduling().getProvisioningModel()) || vm.getScheduling().getPreemptible();
    InstanceState state = state(vm.getStatus());
    if (spot && (state == InstanceState.STOPPED || state == InstanceState.STOPPING) && wasPreempted(vm, zone)) {
      state = InstanceState.PREEMPTED;
    }
    String machineType = vm.getMachineType().substring(vm.getMachineType().lastIndexOf('/') + 1);
    Instant created = vm.getCreationTimestamp().isEmpty() ? null
        : java.time.OffsetDateTime.parse(vm.getCreationTimestamp()).toInstant();
    // a stopped or preempted VM stopped billing for its machine at its last stop
    Instant ended = state.isAlive() || vm.getLastStopTimestamp().isEmpty() ? null
        : java.time.OffsetDateTime.parse(vm.getLastStopTimestamp()).toInstant();
    return new Instance(vm.getName(), vm.getName(), machineType, zone, spot, state, created, vm.getLabelsMap(),
        ended);
  }

  static InstanceState state(String status) {
    return switch (status) {
      case "PROVISIONING", "STAGING", "REPAIRING", "PENDING" -> InstanceState.PENDING;
      case "RUNNING" -> InstanceState.RUNNING;
      case "STOPPING", "SUSPENDING" -> InstanceState.STOPPING;
      case "SUSPENDED", "TERMINATED", "STOPPED" -> InstanceState.STOPPED;
      default -> InstanceState.PENDING;
    };
  }

  /** A stopped spot VM was reclaimed when its zone recorded a {@code compute.instances.preempted} operation. */
  private boolean wasPreempted(com.google.cloud.compute.v1.Instance vm, String zone) {
    try {
      var response = operations.list(ListZoneOperationsRequest.newBuilder().setProject(project).setZone(zone)
          .setFilter("(operationType = \"compute.instances.preempted\") AND (targetId = \"" + vm.getId() + "\")")
          .setMaxResults(1).build());
      return response.getPage().getValues().iterator().hasNext();
    } catch (ApiException e) {
      log.warn("cannot tell whether {} was preempted: {}", vm.getName(), e.getMessage());
      return true; // a stopped spot VM is far more often reclaimed than stopped by hand
    }
  }

  /** The machine facts the startup script hands the worker, at the price of the VM's zone and market, disk included. */
  private StartupScript.Machine machine(CreateInstanceRequest request, InstanceType type, String zone) {
    if (type == null) {
      return new StartupScript.Machine("gcp", region, request.instanceType(), 0, 0, 0, request.spot(), null);
    }
    Double price = VmPrice.of(catalog(), type, request.bootDiskGiB(), zone, request.spot()).map(VmPrice::perHour)
        .orElse(null);
    return new StartupScript.Machine("gcp", region, type.name(), type.vcpus(), type.memoryGiB(), type.gpus(),
        request.spot(), price);
  }

  private String zoneFor(CreateInstanceRequest request, InstanceType type) {
    if (request.zone() != null) {
      return request.zone();
    }
    List<String> candidates = !zones.isEmpty() ? zones : type != null ? type.zones() : List.of();
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException("zone: none given and none configured for " + request.instanceType()
          + " in " + region);
    }
    return candidates.get(Math.floorMod(request.idempotencyKey().hashCode(), candidates.size()));
  }

  private static String diskType(String machineType) {
    String family = machineType.contains("-") ? machineType.substring(0, machineType.indexOf('-')) : machineType;
    return switch (family) {
      case "n4", "c4", "c4a", "c4d", "x4", "a4" -> "hyperdisk-balanced"; // these take Hyperdisk only
      default -> "pd-balanced";
    };
  }

  private static void validateLabels(Map<String, String> labels) {
    for (Map.Entry<String, String> e : labels.entrySet()) {
      if (!LABEL.matcher(e.getKey()).matches() || !LABEL_VALUE.matcher(e.getValue()).matches()) {
        throw new IllegalArgumentException("tag " + e.getKey() + "=" + e.getValue() + " is not a valid GCE label "
            + "(lower-case letters, digits, '-' and '_', at most 63 characters)");
      }
    }
  }

  private static CloudException operationError(List<Errors> errors, String what, CreateInstanceRequest request,
      String zone) {
    String message = what + " failed: " + errors.stream().map(e -> e.getCode() + ": " + e.getMessage())
        .collect(Collectors.joining("; "));
    if (errors.stream().anyMatch(e -> CAPACITY_ERRORS.contains(e.getCode()))) {
      return new CapacityException(message, request.instanceType(), zone, request.spot(), null);
    }
    // Anything else (QUOTA_EXCEEDED, an image that does not exist, a bad field, no permission) cannot succeed
    // by retrying the same request.
    boolean retryable = errors.stream().anyMatch(e -> TRANSIENT_ERRORS.contains(e.getCode()));
    return new CloudException(message, retryable);
  }

  static CloudException translate(Throwable error, String what, CreateInstanceRequest request, String zone) {
    if (!(error instanceof ApiException api)) {
      return new CloudException(what + " failed: " + error, true, error);
    }
    String message = what + " failed: " + api.getStatusCode().getCode() + ": " + api.getMessage();
    String reason = api.getReason() == null ? "" : api.getReason();
    if (request != null && (CAPACITY_ERRORS.contains(reason) || message.contains("ZONE_RESOURCE_POOL_EXHAUSTED")
        || message.contains("does not have enough resources available"))) {
      return new CapacityException(message, request.instanceType(), zone, request.spot(), api);
    }
    if (reason.equals("QUOTA_EXCEEDED") || message.contains("QUOTA_EXCEEDED") || message.contains("Quota '")) {
      return new CloudException(message, false, api); // raising a quota takes a person
    }
    StatusCode.Code code = api.getStatusCode().getCode();
    boolean retryable = code == StatusCode.Code.RESOURCE_EXHAUSTED || code == StatusCode.Code.UNAVAILABLE
        || code == StatusCode.Code.INTERNAL || code == StatusCode.Code.DEADLINE_EXCEEDED || api.isRetryable();
    return new CloudException(message, retryable, api);
  }
}
