package dev.taskjob.core.cloud;

import java.util.Locale;
import java.util.Optional;

/**
 * The hourly price of one VM: its instance type in its zone and market plus its boot disk. The one rule every
 * price of a VM comes from (selection, caps, budgets, plans, the bill), so none of them forgets the disk.
 *
 * @param instancePerHour USD per hour of the instance type in the zone and market
 * @param diskGiB the boot disk size billed (the provider's minimum at least)
 * @param diskPerHour USD per hour of that boot disk
 */
public record VmPrice(double instancePerHour, int diskGiB, double diskPerHour) {

  /**
   * The price of a VM of {@code type} with a boot disk of {@code bootDiskGiB} in {@code zone}, market spot or
   * on demand, from {@code catalog}; empty when the catalog has no instance price for that market and zone. A
   * spot price with no zone is the cheapest over the type's zones.
   */
  public static Optional<VmPrice> of(InstanceCatalog catalog, InstanceType type, int bootDiskGiB, String zone,
      boolean spot) {
    Double instance;
    if (!spot) {
      instance = type.onDemandPrice();
    } else if (zone == null) {
      instance = type.cheapestSpotPrice(java.util.List.of());
    } else {
      instance = type.spotPrices().get(zone);
    }
    return instance == null ? Optional.empty() : Optional.of(of(instance, catalog.bootDisk(), bootDiskGiB));
  }

  /** An instance price already looked up, with the boot disk at the region's disk price. */
  public static VmPrice of(double instancePerHour, DiskPrice disk, int bootDiskGiB) {
    return new VmPrice(instancePerHour, disk.billedGiB(bootDiskGiB), disk.perHour(bootDiskGiB));
  }

  /** The same VM at another instance price (another zone or market): its boot disk bills the same. */
  public VmPrice withInstancePrice(double usdPerHour) {
    return new VmPrice(usdPerHour, diskGiB, diskPerHour);
  }

  /** USD per hour of the VM: instance and boot disk. */
  public double perHour() {
    return instancePerHour + diskPerHour;
  }

  /** "$0.0416/hour + disk 10 GiB $0.0011/hour"; the instance price alone when the disk is free. */
  public String describe() {
    String instance = String.format(Locale.ROOT, "$%.4f/hour", instancePerHour);
    return diskPerHour <= 0 ? instance
        : instance + String.format(Locale.ROOT, " + disk %d GiB $%.4f/hour", diskGiB, diskPerHour);
  }
}
