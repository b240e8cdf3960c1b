package dev.taskjob.provider.local;

import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The local provider's built-in catalog: {@code local-1}, {@code local-2}, {@code local-4} ... up to this
 * machine's CPU count (which is always included), each with this machine's memory per CPU and a nominal
 * price proportional to its vCPUs, so instance selection runs the same code path as on a cloud.
 * Spot is offered at the same nominal price in zone {@value #ZONE}, so a manifest that asks for spot runs
 * unchanged on a laptop. Boot disks are free unless a {@code price.bootDisk} override (USD per GiB-month, see
 * {@link dev.taskjob.core.cloud.PriceOverrides}) gives them a price.
 */
public final class LocalCatalog {

  /** The only zone of the local provider. */
  public static final String ZONE = "local";
  /** Nominal USD per vCPU-hour; only relative prices matter. */
  public static final double PRICE_PER_VCPU_HOUR = 0.01;

  private LocalCatalog() {}

  /** The catalog for this machine. */
  public static InstanceCatalog forThisMachine() {
    return forMachine(Runtime.getRuntime().availableProcessors(), physicalMemoryGiB());
  }

  /** The catalog for a machine with {@code cpus} CPUs and {@code memoryGiB} of memory. */
  public static InstanceCatalog forMachine(int cpus, double memoryGiB) {
    if (cpus < 1) {
      throw new IllegalArgumentException("cpus must be at least 1, got " + cpus);
    }
    double memoryPerCpu = Math.floor(memoryGiB / cpus * 100) / 100;
    List<Integer> sizes = new ArrayList<>();
    for (int size = 1; size < cpus; size *= 2) {
      sizes.add(size);
    }
    sizes.add(cpus);
    List<InstanceType> types = new ArrayList<>();
    for (int size : sizes) {
      double price = PRICE_PER_VCPU_HOUR * size;
      types.add(new InstanceType("local-" + size, size, memoryPerCpu * size, hostArchitecture(), 0, 0, null, false,
          true, List.of(ZONE), price, Map.of(ZONE, price), PriceSource.BUILTIN));
    }
    return new InstanceCatalog("local", ZONE, types, Instant.EPOCH);
  }

  private static Architecture hostArchitecture() {
    String arch = System.getProperty("os.arch", "x86_64").toLowerCase(Locale.ROOT);
    return arch.contains("aarch64") || arch.contains("arm") ? Architecture.ARM64 : Architecture.X86_64;
  }

  private static double physicalMemoryGiB() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize() / (1024.0 * 1024 * 1024);
    }
    return Runtime.getRuntime().maxMemory() / (1024.0 * 1024 * 1024);
  }
}
