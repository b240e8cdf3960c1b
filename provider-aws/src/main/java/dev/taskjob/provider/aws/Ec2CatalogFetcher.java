package dev.taskjob.provider.aws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.DiskPrice;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.GpuDeviceInfo;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.LocationType;
import software.amazon.awssdk.services.ec2.model.SpotPrice;
import software.amazon.awssdk.services.pricing.PricingClient;
import software.amazon.awssdk.services.pricing.model.Filter;
import software.amazon.awssdk.services.pricing.model.FilterType;

/**
 * Builds a region's catalog from the live APIs: instance types from {@code DescribeInstanceTypes}, the zones
 * offering each from {@code DescribeInstanceTypeOfferings}, on-demand prices from the Pricing API's
 * {@code GetProducts} (Linux, shared tenancy, no pre-installed software, capacity status Used) and the current
 * spot price per zone from {@code DescribeSpotPriceHistory}, and the gp3 boot disk price per GB-month from
 * {@code GetProducts} (product family Storage, volume API name gp3). A price the APIs do not give comes from the
 * bundled snapshot when it has one. Failing to list types fails the fetch (the caller keeps its last good
 * catalog); failing to fetch prices falls back to the snapshot's prices for them.
 */
final class Ec2CatalogFetcher {

  private static final Logger log = LoggerFactory.getLogger(Ec2CatalogFetcher.class);
  private static final AwsRequestOverrideConfiguration CATALOG_CALL =
      AwsRequestOverrideConfiguration.builder().apiCallTimeout(Duration.ofSeconds(60)).build();

  private final Ec2Client ec2;
  private final PricingClient pricing;
  private final String region;
  private final AwsPriceSnapshot snapshot;
  private final Clock clock;

  Ec2CatalogFetcher(Ec2Client ec2, PricingClient pricing, String region, AwsPriceSnapshot snapshot, Clock clock) {
    this.ec2 = ec2;
    this.pricing = pricing;
    this.region = region;
    this.snapshot = snapshot;
    this.clock = clock;
  }

  InstanceCatalog fetch() {
    Instant now = clock.instant();
    List<InstanceTypeInfo> infos = new ArrayList<>();
    ec2.describeInstanceTypesPaginator(r -> r.maxResults(100).overrideConfiguration(CATALOG_CALL))
        .instanceTypes().forEach(infos::add);
    Map<String, List<String>> zones = zonesByType();
    Map<String, Double> onDemand = onDemandPricesOrEmpty();
    Map<String, Map<String, Double>> spot = spotPricesOrEmpty(now);

    List<InstanceType> types = new ArrayList<>();
    for (InstanceTypeInfo info : infos) {
      Architecture arch = architecture(info);
      List<String> usage = info.supportedUsageClassesAsStrings();
      if (arch == null || !(usage.contains("on-demand") || usage.contains("spot"))) {
        continue; // mac and i386-only types, and capacity-block-only types, cannot be launched by a pool
      }
      String name = info.instanceTypeAsString();
      Double price = onDemand.get(name);
      PriceSource source = PriceSource.API;
      if (price == null) {
        price = snapshot.onDemand(name, region).orElse(null);
        source = PriceSource.SNAPSHOT;
      }
      Map<String, Double> spotPrices = spot.get(name);
      if (spotPrices == null || spotPrices.isEmpty()) {
        spotPrices = snapshot.spot(name, region);
      }
      boolean supportsSpot = usage.contains("spot");
      types.add(new InstanceType(name, info.vCpuInfo().defaultVCpus(), info.memoryInfo().sizeInMiB() / 1024.0, arch,
          localSsdGiB(info), gpuCount(info), gpuModel(info), Boolean.TRUE.equals(info.bareMetal()), supportsSpot,
          zones.getOrDefault(name, List.of()), price, supportsSpot ? spotPrices : Map.of(), source,
          Boolean.TRUE.equals(info.burstablePerformanceSupported())));
    }
    types.sort((a, b) -> a.name().compareTo(b.name()));
    return new InstanceCatalog("aws", region, types, now, bootDiskOrSnapshot());
  }

  private DiskPrice bootDiskOrSnapshot() {
    try {
      Optional<Double> gp3 = gp3PricePerGiBMonth();
      if (gp3.isPresent()) {
        return DiskPrice.perGiBMonth(gp3.get(), AwsPriceSnapshot.MINIMUM_BOOT_DISK_GIB, PriceSource.API);
      }
      log.warn("the Pricing API lists no gp3 volume price for {}; using the bundled snapshot's", region);
    } catch (RuntimeException e) {
      log.warn("cannot read the gp3 volume price for {} from the Pricing API ({}); using the bundled snapshot's",
          region, e.getMessage());
    }
    return snapshot.bootDisk(region);
  }

  /** The gp3 volume storage price of the region, USD per GB-month (the lowest positive one listed). */
  Optional<Double> gp3PricePerGiBMonth() {
    double[] best = {Double.MAX_VALUE};
    pricing.getProductsPaginator(r -> r.serviceCode("AmazonEC2").formatVersion("aws_v1").maxResults(100)
            .filters(term("regionCode", region), term("productFamily", "Storage"), term("volumeApiName", "gp3"))
            .overrideConfiguration(CATALOG_CALL))
        .priceList()
        .forEach(item -> parseStoragePerGiBMonth(item).ifPresent(p -> best[0] = Math.min(best[0], p)));
    return best[0] == Double.MAX_VALUE ? Optional.empty() : Optional.of(best[0]);
  }

  /** One Pricing API storage product's USD per GB-month, if it is priced per GB-month. */
  static Optional<Double> parseStoragePerGiBMonth(String priceListItem) {
    JsonNode item;
    try {
      item = Json.MAPPER.readTree(priceListItem);
    } catch (IOException e) {
      return Optional.empty();
    }
    double best = Double.MAX_VALUE;
    for (JsonNode term : item.path("terms").path("OnDemand")) {
      for (JsonNode dimension : term.path("priceDimensions")) {
        if (!dimension.path("unit").asText("").equals("GB-Mo")) {
          continue;
        }
        double usd = dimension.path("pricePerUnit").path("USD").asDouble(0);
        if (usd > 0) {
          best = Math.min(best, usd);
        }
      }
    }
    return best == Double.MAX_VALUE ? Optional.empty() : Optional.of(best);
  }

  private Map<String, List<String>> zonesByType() {
    Map<String, TreeSet<String>> zones = new HashMap<>();
    ec2.describeInstanceTypeOfferingsPaginator(r -> r.locationType(LocationType.AVAILABILITY_ZONE)
            .overrideConfiguration(CATALOG_CALL))
        .instanceTypeOfferings()
        .forEach(o -> zones.computeIfAbsent(o.instanceTypeAsString(), k -> new TreeSet<>()).add(o.location()));
    Map<String, List<String>> result = new HashMap<>();
    zones.forEach((k, v) -> result.put(k, List.copyOf(v)));
    return result;
  }

  private Map<String, Double> onDemandPricesOrEmpty() {
    try {
      return onDemandPrices();
    } catch (RuntimeException e) {
      log.warn("cannot read on-demand prices for {} from the Pricing API ({}); using the bundled snapshot's",
          region, e.getMessage());
      return Map.of();
    }
  }

  /** USD per hour by type: the lowest positive Linux on-demand price the Pricing API lists for the region. */
  Map<String, Double> onDemandPrices() {
    Map<String, Double> prices = new HashMap<>();
    pricing.getProductsPaginator(r -> r.serviceCode("AmazonEC2").formatVersion("aws_v1").maxResults(100)
            .filters(term("regionCode", region), term("operatingSystem", "Linux"), term("tenancy", "Shared"),
                term("preInstalledSw", "NA"), term("capacitystatus", "Used"))
            .overrideConfiguration(CATALOG_CALL))
        .priceList()
        .forEach(item -> parseOnDemand(item).ifPresent(p -> prices.merge(p.type(), p.usdPerHour(), Math::min)));
    return prices;
  }

  record OnDemandPrice(String type, double usdPerHour) {}

  /** One Pricing API product: its instance type and hourly on-demand USD price, if it is a plain on-demand SKU. */
  static java.util.Optional<OnDemandPrice> parseOnDemand(String priceListItem) {
    JsonNode item;
    try {
      item = Json.MAPPER.readTree(priceListItem);
    } catch (IOException e) {
      return java.util.Optional.empty();
    }
    JsonNode attributes = item.path("product").path("attributes");
    String type = attributes.path("instanceType").asText(null);
    String market = attributes.path("marketoption").asText("OnDemand");
    if (type == null || !market.equals("OnDemand")) {
      return java.util.Optional.empty();
    }
    double best = Double.MAX_VALUE;
    for (JsonNode term : item.path("terms").path("OnDemand")) {
      for (JsonNode dimension : term.path("priceDimensions")) {
        if (!dimension.path("unit").asText("Hrs").startsWith("Hr")) {
          continue;
        }
        double usd = dimension.path("pricePerUnit").path("USD").asDouble(0);
        if (usd > 0) {
          best = Math.min(best, usd);
        }
      }
    }
    return best == Double.MAX_VALUE ? java.util.Optional.empty() : java.util.Optional.of(new OnDemandPrice(type, best));
  }

  private Map<String, Map<String, Double>> spotPricesOrEmpty(Instant now) {
    try {
      return spotPrices(now);
    } catch (RuntimeException e) {
      log.warn("cannot read spot prices for {} ({}); using the bundled snapshot's estimates", region, e.getMessage());
      return Map.of();
    }
  }

  /** The newest Linux spot price of every (type, zone): with StartTime = now EC2 returns the current one. */
  Map<String, Map<String, Double>> spotPrices(Instant now) {
    Map<String, Map<String, SpotPrice>> newest = new HashMap<>();
    ec2.describeSpotPriceHistoryPaginator(r -> r.startTime(now).productDescriptions("Linux/UNIX").maxResults(1000)
            .overrideConfiguration(CATALOG_CALL))
        .spotPriceHistory()
        .forEach(p -> newest.computeIfAbsent(p.instanceTypeAsString(), k -> new TreeMap<>())
            .merge(p.availabilityZone(), p, (a, b) -> a.timestamp().isAfter(b.timestamp()) ? a : b));
    Map<String, Map<String, Double>> prices = new HashMap<>();
    newest.forEach((type, byZone) -> {
      Map<String, Double> zonePrices = new TreeMap<>();
      byZone.forEach((zone, p) -> zonePrices.put(zone, Double.parseDouble(p.spotPrice())));
      prices.put(type, zonePrices);
    });
    return prices;
  }

  private static Filter term(String field, String value) {
    return Filter.builder().type(FilterType.TERM_MATCH).field(field).value(value).build();
  }

  private static Architecture architecture(InstanceTypeInfo info) {
    List<String> archs = info.processorInfo() == null ? List.of() : info.processorInfo().supportedArchitecturesAsStrings();
    if (archs.contains("arm64")) {
      return Architecture.ARM64;
    }
    if (archs.contains("x86_64")) {
      return Architecture.X86_64;
    }
    return null;
  }

  private static double localSsdGiB(InstanceTypeInfo info) {
    if (!Boolean.TRUE.equals(info.instanceStorageSupported()) || info.instanceStorageInfo() == null
        || info.instanceStorageInfo().totalSizeInGB() == null) {
      return 0;
    }
    return info.instanceStorageInfo().totalSizeInGB();
  }

  private static int gpuCount(InstanceTypeInfo info) {
    if (info.gpuInfo() == null) {
      return 0;
    }
    return info.gpuInfo().gpus().stream().mapToInt(g -> g.count() == null ? 0 : g.count()).sum();
  }

  private static String gpuModel(InstanceTypeInfo info) {
    if (info.gpuInfo() == null || info.gpuInfo().gpus().isEmpty()) {
      return null;
    }
    GpuDeviceInfo gpu = info.gpuInfo().gpus().get(0);
    return (gpu.manufacturer() == null ? "" : gpu.manufacturer() + " ") + gpu.name();
  }
}
