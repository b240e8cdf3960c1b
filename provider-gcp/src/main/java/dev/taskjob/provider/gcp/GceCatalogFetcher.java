package dev.taskjob.provider.gcp;

import com.google.cloud.billing.v1.CloudCatalogClient;
import com.google.cloud.billing.v1.ListSkusRequest;
import com.google.cloud.billing.v1.Sku;
import com.google.cloud.compute.v1.AggregatedListMachineTypesRequest;
import com.google.cloud.compute.v1.MachineType;
import com.google.cloud.compute.v1.MachineTypesClient;
import com.google.cloud.compute.v1.MachineTypesScopedList;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a region's catalog from the live APIs: machine types from the Compute API's aggregated list (kept
 * for the region's zones), priced with per-family vCPU and GiB rates from the Cloud Billing Catalog's Compute
 * Engine SKUs, and the boot disk (pd-balanced) per GiB from the same SKUs. Families the Billing API gives no
 * rate for use the snapshot's; when the Billing API cannot be reached at all, every rate is the snapshot's. Failing to list machine types fails the fetch.
 */
final class GceCatalogFetcher {

  private static final Logger log = LoggerFactory.getLogger(GceCatalogFetcher.class);

  private final MachineTypesClient machineTypes;
  private final CloudCatalogClient billing;
  private final String project;
  private final String region;
  private final GcpPriceSnapshot snapshot;
  private final Clock clock;

  GceCatalogFetcher(MachineTypesClient machineTypes, CloudCatalogClient billing, String project, String region,
      GcpPriceSnapshot snapshot, Clock clock) {
    this.machineTypes = machineTypes;
    this.billing = billing;
    this.project = project;
    this.region = region;
    this.snapshot = snapshot;
    this.clock = clock;
  }

  InstanceCatalog fetch() {
    Map<String, MachineShape> shapes = new TreeMap<>();
    Map<String, TreeSet<String>> zonesByType = new LinkedHashMap<>();
    var request = AggregatedListMachineTypesRequest.newBuilder().setProject(project).setMaxResults(500)
        .setReturnPartialSuccess(true).build();
    for (Map.Entry<String, MachineTypesScopedList> scope : machineTypes.aggregatedList(request).iterateAll()) {
      String zone = scope.getKey().replaceFirst("^zones/", "");
      if (!zone.startsWith(region + "-")) {
        continue;
      }
      for (MachineType t : scope.getValue().getMachineTypesList()) {
        String deprecation = t.hasDeprecated() ? t.getDeprecated().getState() : "";
        if (deprecation.equals("OBSOLETE") || deprecation.equals("DELETED")) {
          continue; // DEPRECATED types still launch
        }
        shapes.putIfAbsent(t.getName(), shape(t));
        zonesByType.computeIfAbsent(t.getName(), k -> new TreeSet<>()).add(zone);
      }
    }
    GcpRates rates;
    Set<String> apiFamilies;
    boolean apiDisk;
    try {
      GcpRates live = GcpRates.fromSkus(skus(), region);
      apiFamilies = live.families.keySet();
      apiDisk = live.bootDiskGiBHour != null;
      rates = merge(live);
    } catch (RuntimeException e) {
      log.warn("cannot read Compute Engine prices for {} from the Cloud Billing Catalog API ({}); using the bundled "
          + "snapshot's rates", region, e.getMessage());
      rates = snapshot.rates(region);
      apiFamilies = Set.of();
      apiDisk = false;
    }
    List<InstanceType> types = new ArrayList<>();
    for (MachineShape shape : shapes.values()) {
      List<String> zones = List.copyOf(zonesByType.get(shape.name()));
      PriceSource typeSource = apiFamilies.contains(shape.family()) ? PriceSource.API : PriceSource.SNAPSHOT;
      types.add(rates.price(shape, zones, typeSource));
    }
    return new InstanceCatalog("gcp", region, types, clock.instant(),
        rates.bootDisk(apiDisk ? PriceSource.API : PriceSource.SNAPSHOT));
  }

  private Iterable<Sku> skus() {
    List<Sku> skus = new ArrayList<>();
    billing.listSkus(ListSkusRequest.newBuilder().setParent(GcpRates.COMPUTE_SERVICE).setCurrencyCode("USD")
        .setPageSize(5000).build()).iterateAll().forEach(skus::add);
    return skus;
  }

  /** Live rates, completed per family, for local SSD and the boot disk with the snapshot's where the API lacks them. */
  private GcpRates merge(GcpRates live) {
    Map<String, GcpRates.FamilyRates> merged = snapshot.familyRates(region);
    live.families.forEach((family, r) -> merged.put(family, r.orElse(merged.get(family))));
    GcpRates snap = snapshot.rates(region);
    return new GcpRates(merged, live.localSsdGiBHour != null ? live.localSsdGiBHour : snap.localSsdGiBHour,
        live.localSsdSpotGiBHour != null ? live.localSsdSpotGiBHour : snap.localSsdSpotGiBHour,
        live.bootDiskGiBHour != null ? live.bootDiskGiBHour : snap.bootDiskGiBHour);
  }

  static MachineShape shape(MachineType t) {
    int gpus = t.getAcceleratorsList().stream().mapToInt(a -> a.getGuestAcceleratorCount()).sum();
    String gpuModel = t.getAcceleratorsCount() == 0 ? null : t.getAccelerators(0).getGuestAcceleratorType();
    double localSsd = t.hasBundledLocalSsds() ? t.getBundledLocalSsds().getPartitionCount() * 375.0 : 0;
    double fraction = MachineShape.sharedCoreFraction(t.getName());
    return new MachineShape(t.getName(), t.getGuestCpus(), t.getGuestCpus() * fraction, t.getMemoryMb() / 1024.0,
        MachineShape.architectureOf(t.getName(), t.hasArchitecture() ? t.getArchitecture() : null), localSsd, gpus,
        gpuModel, t.getName().endsWith("-metal"), t.getIsSharedCpu());
  }
}
