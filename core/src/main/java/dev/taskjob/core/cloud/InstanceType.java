package dev.taskjob.core.cloud;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A machine type and its prices in one region.
 *
 * @param name the cloud's name (m6i.large, e2-standard-8)
 * @param vcpus virtual CPUs
 * @param memoryGiB memory in GiB
 * @param architecture CPU architecture
 * @param localSsdGiB local SSD included with the type (0 when none)
 * @param gpus GPUs attached (0 when none)
 * @param gpuModel GPU model name, or null
 * @param bareMetal true for bare-metal types (skipped unless asked for)
 * @param supportsSpot whether spot/preemptible capacity exists for it
 * @param zones zones of the region that offer it (empty: all)
 * @param onDemandPrice USD per hour on demand, or null when unknown
 * @param spotPrices USD per hour as spot, per zone (empty when unknown or unsupported)
 * @param priceSource where the prices came from
 * @param burstable vCPUs run at a baseline fraction and pay (CPU credits) or throttle above it: AWS t-family,
 *     GCE shared-core e2-micro/small/medium; a batch task running flat out costs more than the list price
 */
public record InstanceType(
    String name,
    int vcpus,
    double memoryGiB,
    Architecture architecture,
    double localSsdGiB,
    int gpus,
    String gpuModel,
    boolean bareMetal,
    boolean supportsSpot,
    List<String> zones,
    Double onDemandPrice,
    Map<String, Double> spotPrices,
    PriceSource priceSource,
    boolean burstable) {

  public InstanceType {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(architecture, "architecture");
    zones = zones == null ? List.of() : List.copyOf(zones);
    spotPrices = spotPrices == null ? Map.of() : Map.copyOf(spotPrices);
  }

  /** A type with full-time vCPUs (not burstable). */
  public InstanceType(String name, int vcpus, double memoryGiB, Architecture architecture, double localSsdGiB,
      int gpus, String gpuModel, boolean bareMetal, boolean supportsSpot, List<String> zones, Double onDemandPrice,
      Map<String, Double> spotPrices, PriceSource priceSource) {
    this(name, vcpus, memoryGiB, architecture, localSsdGiB, gpus, gpuModel, bareMetal, supportsSpot, zones,
        onDemandPrice, spotPrices, priceSource, false);
  }

  /** The cheapest spot price over the given zones (all zones when empty), or null. */
  public Double cheapestSpotPrice(List<String> inZones) {
    return spotPrices.entrySet().stream()
        .filter(e -> inZones.isEmpty() || inZones.contains(e.getKey()))
        .map(Map.Entry::getValue)
        .min(Double::compare)
        .orElse(null);
  }

  public InstanceType withPrices(Double onDemand, Map<String, Double> spot, PriceSource source) {
    return new InstanceType(name, vcpus, memoryGiB, architecture, localSsdGiB, gpus, gpuModel, bareMetal,
        supportsSpot, zones, onDemand, spot, source, burstable);
  }
}
