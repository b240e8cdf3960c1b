package dev.taskjob.core.cloud;

import java.util.Locale;

/**
 * What a VM's boot disk costs in one region: the cloud bills a boot disk by its size for as long as the VM
 * lives, on top of the instance type's price, the same in either market.
 *
 * @param usdPerGiBHour USD per GiB-hour of the boot disk type the provider creates (EBS gp3, GCE pd-balanced)
 * @param minimumGiB the least size the provider creates and bills, whatever the request (EC2 8, GCE 10)
 * @param source where the price came from
 */
public record DiskPrice(double usdPerGiBHour, int minimumGiB, PriceSource source) {

  /** Clouds list disk prices per GiB-month of 730 hours. */
  public static final double HOURS_PER_MONTH = 730;
  /** No disk price: catalogs that do not know one. */
  public static final DiskPrice NONE = new DiskPrice(0, 0, PriceSource.BUILTIN);

  public DiskPrice {
    if (usdPerGiBHour < 0 || Double.isNaN(usdPerGiBHour) || Double.isInfinite(usdPerGiBHour)) {
      throw new IllegalArgumentException("disk price must be a non-negative number, got " + usdPerGiBHour);
    }
    if (minimumGiB < 0) {
      throw new IllegalArgumentException("minimum disk size must not be negative, got " + minimumGiB);
    }
    if (source == null) {
      source = PriceSource.BUILTIN;
    }
  }

  /** A price listed per GiB-month. */
  public static DiskPrice perGiBMonth(double usdPerGiBMonth, int minimumGiB, PriceSource source) {
    return new DiskPrice(usdPerGiBMonth / HOURS_PER_MONTH, minimumGiB, source);
  }

  public double usdPerGiBMonth() {
    return usdPerGiBHour * HOURS_PER_MONTH;
  }

  /** The size billed for a request of {@code requestedGiB}: the provider's minimum at least. */
  public int billedGiB(int requestedGiB) {
    return Math.max(requestedGiB, minimumGiB);
  }

  /** USD per hour of a boot disk of {@code requestedGiB}. */
  public double perHour(int requestedGiB) {
    return billedGiB(requestedGiB) * usdPerGiBHour;
  }

  public DiskPrice withPerGiBMonth(double usdPerGiBMonth, PriceSource newSource) {
    return perGiBMonth(usdPerGiBMonth, minimumGiB, newSource);
  }

  public String describe() {
    return String.format(Locale.ROOT, "$%.4f/GiB-month", usdPerGiBMonth());
  }
}
