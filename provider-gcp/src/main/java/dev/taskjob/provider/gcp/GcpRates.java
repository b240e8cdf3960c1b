package dev.taskjob.provider.gcp;

import com.google.cloud.billing.v1.PricingExpression;
import com.google.cloud.billing.v1.Sku;
import com.google.type.Money;
import dev.taskjob.core.cloud.DiskPrice;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compute Engine's price model as rms-cloud-tasks reads it: a machine type costs its (billed) vCPUs times its
 * family's per-vCPU rate plus its memory times the family's per-GiB rate, plus any bundled local SSD; spot
 * uses the family's spot rates. Rates come from Cloud Billing Catalog SKUs of the Compute Engine service
 * ({@code "N2 Instance Core running in Americas"}, {@code "Spot Preemptible N2 Instance Ram running in
 * Americas"}, {@code "SSD backed Local Storage"}) available in the region. The boot disk's rate is the
 * region's {@code "Balanced PD Capacity"} SKU (pd-balanced, the disk type the provider creates).
 */
final class GcpRates {

  /** USD per vCPU-hour and per GiB-hour; null where unknown. */
  record FamilyRates(Double cpu, Double ram, Double cpuSpot, Double ramSpot) {

    FamilyRates with(boolean spot, boolean core, double usd) {
      if (spot) {
        return core ? new FamilyRates(cpu, ram, usd, ramSpot) : new FamilyRates(cpu, ram, cpuSpot, usd);
      }
      return core ? new FamilyRates(usd, ram, cpuSpot, ramSpot) : new FamilyRates(cpu, usd, cpuSpot, ramSpot);
    }

    FamilyRates orElse(FamilyRates other) {
      if (other == null) {
        return this;
      }
      return new FamilyRates(cpu != null ? cpu : other.cpu, ram != null ? ram : other.ram,
          cpuSpot != null ? cpuSpot : other.cpuSpot, ramSpot != null ? ramSpot : other.ramSpot);
    }
  }

  /** The Compute Engine service in the Cloud Billing Catalog. */
  static final String COMPUTE_SERVICE = "services/6F81-5844-456A";
  private static final double HOURS_PER_MONTH = 730;
  private static final Pattern CORE_OR_RAM = Pattern.compile(
      "^(?:Spot Preemptible |Preemptible )?(.+?) (?:Instance )?(Core|Ram) running in .+$");
  private static final Set<String> NOT_A_FAMILY_PRICE = Set.of("custom", "sole", "tenancy", "extended", "commitment",
      "licensing", "premium", "reserved", "dws", "flex");

  final Map<String, FamilyRates> families;
  final Double localSsdGiBHour;
  final Double localSsdSpotGiBHour;
  /** USD per GiB-hour of a pd-balanced disk; null where unknown. */
  final Double bootDiskGiBHour;

  GcpRates(Map<String, FamilyRates> families, Double localSsdGiBHour, Double localSsdSpotGiBHour,
      Double bootDiskGiBHour) {
    this.families = Map.copyOf(families);
    this.localSsdGiBHour = localSsdGiBHour;
    this.localSsdSpotGiBHour = localSsdSpotGiBHour;
    this.bootDiskGiBHour = bootDiskGiBHour;
  }

  /** Compute Engine creates a boot disk at 10 GiB at least, see GceCloudProvider. */
  static final int MINIMUM_BOOT_DISK_GIB = 10;

  /** The boot disk price these rates give ({@link DiskPrice#NONE} when unknown). */
  DiskPrice bootDisk(PriceSource source) {
    return bootDiskGiBHour == null ? DiskPrice.NONE : new DiskPrice(bootDiskGiBHour, MINIMUM_BOOT_DISK_GIB, source);
  }

  /** Whether a SKU is the zonal pd-balanced capacity price ("Balanced PD Capacity", not the regional one). */
  static boolean isBootDiskSku(String description) {
    return description.startsWith("Balanced PD Capacity");
  }

  /** Rates from the SKUs available in {@code region}. */
  static GcpRates fromSkus(Iterable<Sku> skus, String region) {
    Map<String, FamilyRates> families = new HashMap<>();
    Double lssd = null;
    Double lssdSpot = null;
    Double bootDisk = null;
    for (Sku sku : skus) {
      if (!sku.getServiceRegionsList().contains(region) || sku.getPricingInfoCount() == 0) {
        continue;
      }
      String usage = sku.getCategory().getUsageType();
      boolean spot = usage.equals("Preemptible");
      if (!spot && !usage.equals("OnDemand")) {
        continue;
      }
      Double usd = hourlyUsd(sku.getPricingInfo(sku.getPricingInfoCount() - 1).getPricingExpression());
      if (usd == null) {
        continue;
      }
      String description = sku.getDescription();
      if (!spot && isBootDiskSku(description)) {
        bootDisk = usd;
        continue;
      }
      if (description.startsWith("SSD backed Local Storage")) {
        if (spot || description.contains("Preemptible")) {
          lssdSpot = usd;
        } else {
          lssd = usd;
        }
        continue;
      }
      Matcher m = CORE_OR_RAM.matcher(description);
      if (!m.matches()) {
        continue;
      }
      String family = family(m.group(1));
      if (family == null) {
        continue;
      }
      boolean core = m.group(2).equals("Core");
      families.merge(family, new FamilyRates(null, null, null, null).with(spot, core, usd),
          (old, add) -> old.with(spot, core, usd));
    }
    return new GcpRates(families, lssd, lssdSpot, bootDisk);
  }

  /** The family of a per-vCPU or per-GiB SKU ("Spot Preemptible N2D AMD Instance Ram running in Americas" -> n2d). */
  static String skuFamily(String description) {
    Matcher m = CORE_OR_RAM.matcher(description);
    return m.matches() ? family(m.group(1)) : null;
  }

  /** The machine family a SKU description names, or null for custom, sole-tenant and commitment SKUs. */
  static String family(String described) {
    String lower = described.toLowerCase(Locale.ROOT);
    for (String word : lower.split("[ -]")) {
      if (NOT_A_FAMILY_PRICE.contains(word)) {
        return null;
      }
    }
    if (lower.startsWith("compute optimized")) {
      return "c2";
    }
    if (lower.startsWith("memory-optimized") || lower.startsWith("memory optimized")) {
      return "m1";
    }
    String first = lower.split(" ")[0];
    return first.matches("[a-z][a-z0-9]*") ? first : null;
  }

  /**
   * USD per hour per unit (vCPU, GiB, GiB of local SSD) from a pricing expression whose usage unit is hourly
   * ({@code h}, {@code GiBy.h}) or monthly ({@code GiBy.mo}); the last tier is the rate beyond any free tier.
   */
  static Double hourlyUsd(PricingExpression expression) {
    if (expression.getTieredRatesCount() == 0) {
      return null;
    }
    Money price = expression.getTieredRates(expression.getTieredRatesCount() - 1).getUnitPrice();
    double usd = price.getUnits() + price.getNanos() / 1e9;
    String unit = expression.getUsageUnit();
    if (unit.endsWith(".mo")) {
      return usd / HOURS_PER_MONTH;
    }
    if (unit.equals("h") || unit.endsWith(".h")) {
      return usd;
    }
    return null;
  }

  /** Prices a machine shape; null prices where a rate is missing, and always for GPU types (not modelled). */
  InstanceType price(MachineShape shape, List<String> zones, PriceSource source) {
    FamilyRates rates = families.get(shape.family());
    Double onDemand = null;
    Map<String, Double> spot = new HashMap<>();
    if (rates != null && shape.gpus() == 0) {
      if (rates.cpu() != null && rates.ram() != null && (shape.localSsdGiB() == 0 || localSsdGiBHour != null)) {
        onDemand = shape.billedVcpus() * rates.cpu() + shape.memoryGiB() * rates.ram()
            + shape.localSsdGiB() * (localSsdGiBHour == null ? 0 : localSsdGiBHour);
      }
      Double ssdSpot = localSsdSpotGiBHour != null ? localSsdSpotGiBHour : localSsdGiBHour;
      if (rates.cpuSpot() != null && rates.ramSpot() != null && (shape.localSsdGiB() == 0 || ssdSpot != null)) {
        double spotPrice = shape.billedVcpus() * rates.cpuSpot() + shape.memoryGiB() * rates.ramSpot()
            + shape.localSsdGiB() * (ssdSpot == null ? 0 : ssdSpot);
        zones.forEach(z -> spot.put(z, spotPrice));
      }
    }
    return new InstanceType(shape.name(), shape.vcpus(), shape.memoryGiB(), shape.architecture(), shape.localSsdGiB(),
        shape.gpus(), shape.gpuModel(), shape.bareMetal(), true, zones, onDemand, spot, source, shape.burstable());
  }
}
