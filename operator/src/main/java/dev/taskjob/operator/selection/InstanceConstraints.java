package dev.taskjob.operator.selection;

import dev.taskjob.core.cloud.Architecture;
import java.util.List;

/**
 * What a user asks of an instance type and of the pool size, as rms-cloud-tasks takes it. Every bound is
 * optional (null = no bound). The operator maps a TaskJob's or InstancePool's {@code spec.instances} to this
 * record; the CLI maps its options.
 *
 * @param typeGlobs type-name globs ({@code m6*}, {@code c7g.*}, {@code e2-standard-?}); empty = all types
 * @param architecture required CPU architecture, or null for any
 * @param minCpus minimum vCPUs per instance
 * @param maxCpus maximum vCPUs per instance
 * @param minMemoryGiB minimum memory per instance
 * @param maxMemoryGiB maximum memory per instance
 * @param minMemoryPerCpuGiB minimum memory per vCPU
 * @param maxMemoryPerCpuGiB maximum memory per vCPU
 * @param minLocalSsdGiB minimum local SSD included with the type
 * @param minGpus minimum GPUs; when null or 0, types with GPUs are still allowed (they rarely win on price)
 * @param includeBareMetal bare-metal types are skipped unless true
 * @param includeBurstable burstable types (AWS t-family, GCE shared-core) are skipped unless true: batch tasks
 *     run their vCPUs flat out, which costs CPU credits or throttles beyond the list price
 * @param bootDiskGiB a fixed boot disk size; when null the size is derived from the three rules below
 * @param bootDiskBaseGiB boot disk size before per-vCPU and per-task additions (default 10)
 * @param bootDiskPerCpuGiB boot disk added per vCPU
 * @param bootDiskPerTaskGiB boot disk each task needs; with a fixed {@code bootDiskGiB} it also limits task slots
 * @param spot spot/preemptible capacity instead of on-demand
 * @param allowOnDemandFallback with {@code spot}, rank on-demand candidates after all spot ones
 * @param zones zones to consider for spot prices; empty = all zones of the region
 * @param cpusPerTask vCPUs one task needs; may be fractional; 0 means the default, 1
 * @param memoryPerTaskGiB memory one task needs, or null when memory does not limit task slots
 * @param simultaneousTasks a fixed number of tasks per instance; types that cannot fit that many are excluded
 * @param minInstances the pool never shrinks below this many instances (default 0)
 * @param maxInstances at most this many instances
 * @param maxTotalCpus at most this many vCPUs over the whole pool
 * @param maxPricePerHour budget: at most this many USD per hour over the whole pool
 */
public record InstanceConstraints(
    List<String> typeGlobs,
    Architecture architecture,
    Integer minCpus,
    Integer maxCpus,
    Double minMemoryGiB,
    Double maxMemoryGiB,
    Double minMemoryPerCpuGiB,
    Double maxMemoryPerCpuGiB,
    Double minLocalSsdGiB,
    Integer minGpus,
    boolean includeBareMetal,
    boolean includeBurstable,
    Integer bootDiskGiB,
    Double bootDiskBaseGiB,
    Double bootDiskPerCpuGiB,
    Double bootDiskPerTaskGiB,
    boolean spot,
    boolean allowOnDemandFallback,
    List<String> zones,
    double cpusPerTask,
    Double memoryPerTaskGiB,
    Integer simultaneousTasks,
    Integer minInstances,
    Integer maxInstances,
    Integer maxTotalCpus,
    Double maxPricePerHour) {

  /** Boot disk size before additions when the user gives no boot disk rule. */
  public static final double DEFAULT_BOOT_DISK_BASE_GIB = 10;

  public InstanceConstraints {
    typeGlobs = typeGlobs == null ? List.of() : List.copyOf(typeGlobs);
    zones = zones == null ? List.of() : List.copyOf(zones);
    if (cpusPerTask == 0) {
      cpusPerTask = 1;
    }
    validate(cpusPerTask, memoryPerTaskGiB, simultaneousTasks, bootDiskGiB);
    checkRange("Cpus", minCpus, maxCpus);
    checkRange("MemoryGiB", minMemoryGiB, maxMemoryGiB);
    checkRange("MemoryPerCpuGiB", minMemoryPerCpuGiB, maxMemoryPerCpuGiB);
    checkRange("Instances", minInstances, maxInstances);
    for (var bound : new Object[][] {
        {"minCpus", minCpus}, {"maxCpus", maxCpus}, {"minMemoryGiB", minMemoryGiB}, {"maxMemoryGiB", maxMemoryGiB},
        {"minMemoryPerCpuGiB", minMemoryPerCpuGiB}, {"maxMemoryPerCpuGiB", maxMemoryPerCpuGiB},
        {"minLocalSsdGiB", minLocalSsdGiB}, {"minGpus", minGpus}, {"bootDiskBaseGiB", bootDiskBaseGiB},
        {"bootDiskPerCpuGiB", bootDiskPerCpuGiB}, {"bootDiskPerTaskGiB", bootDiskPerTaskGiB},
        {"minInstances", minInstances}, {"maxInstances", maxInstances}, {"maxTotalCpus", maxTotalCpus},
        {"maxPricePerHour", maxPricePerHour}}) {
      if (bound[1] != null && ((Number) bound[1]).doubleValue() < 0) {
        throw new IllegalArgumentException(bound[0] + " must not be negative, got " + bound[1]);
      }
    }
    for (String glob : typeGlobs) {
      if (glob == null || glob.isBlank()) {
        throw new IllegalArgumentException("types: a type-name glob must not be empty");
      }
    }
  }

  private static void validate(double cpusPerTask, Double memoryPerTaskGiB, Integer simultaneousTasks,
      Integer bootDiskGiB) {
    if (!(cpusPerTask > 0) || Double.isInfinite(cpusPerTask)) {
      throw new IllegalArgumentException("cpusPerTask must be a positive number, got " + cpusPerTask);
    }
    if (memoryPerTaskGiB != null && !(memoryPerTaskGiB > 0)) {
      throw new IllegalArgumentException("memoryPerTaskGiB must be positive, got " + memoryPerTaskGiB);
    }
    if (simultaneousTasks != null && simultaneousTasks < 1) {
      throw new IllegalArgumentException("simultaneousTasks must be at least 1, got " + simultaneousTasks);
    }
    if (bootDiskGiB != null && bootDiskGiB < 1) {
      throw new IllegalArgumentException("bootDiskGiB must be at least 1, got " + bootDiskGiB);
    }
  }

  private static void checkRange(String what, Number min, Number max) {
    if (min != null && max != null && min.doubleValue() > max.doubleValue()) {
      throw new IllegalArgumentException(
          "min" + what + " (" + min + ") must not exceed max" + what + " (" + max + ")");
    }
  }

  /** No constraints: one vCPU per task, on-demand, any type. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder with every field initialised from this record. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.typeGlobs = typeGlobs;
    b.architecture = architecture;
    b.minCpus = minCpus;
    b.maxCpus = maxCpus;
    b.minMemoryGiB = minMemoryGiB;
    b.maxMemoryGiB = maxMemoryGiB;
    b.minMemoryPerCpuGiB = minMemoryPerCpuGiB;
    b.maxMemoryPerCpuGiB = maxMemoryPerCpuGiB;
    b.minLocalSsdGiB = minLocalSsdGiB;
    b.minGpus = minGpus;
    b.includeBareMetal = includeBareMetal;
    b.includeBurstable = includeBurstable;
    b.bootDiskGiB = bootDiskGiB;
    b.bootDiskBaseGiB = bootDiskBaseGiB;
    b.bootDiskPerCpuGiB = bootDiskPerCpuGiB;
    b.bootDiskPerTaskGiB = bootDiskPerTaskGiB;
    b.spot = spot;
    b.allowOnDemandFallback = allowOnDemandFallback;
    b.zones = zones;
    b.cpusPerTask = cpusPerTask;
    b.memoryPerTaskGiB = memoryPerTaskGiB;
    b.simultaneousTasks = simultaneousTasks;
    b.minInstances = minInstances;
    b.maxInstances = maxInstances;
    b.maxTotalCpus = maxTotalCpus;
    b.maxPricePerHour = maxPricePerHour;
    return b;
  }

  /** Fluent construction; {@link #build()} validates. */
  public static final class Builder {
    private List<String> typeGlobs = List.of();
    private Architecture architecture;
    private Integer minCpus;
    private Integer maxCpus;
    private Double minMemoryGiB;
    private Double maxMemoryGiB;
    private Double minMemoryPerCpuGiB;
    private Double maxMemoryPerCpuGiB;
    private Double minLocalSsdGiB;
    private Integer minGpus;
    private boolean includeBareMetal;
    private boolean includeBurstable;
    private Integer bootDiskGiB;
    private Double bootDiskBaseGiB;
    private Double bootDiskPerCpuGiB;
    private Double bootDiskPerTaskGiB;
    private boolean spot;
    private boolean allowOnDemandFallback;
    private List<String> zones = List.of();
    private double cpusPerTask = 1;
    private Double memoryPerTaskGiB;
    private Integer simultaneousTasks;
    private Integer minInstances;
    private Integer maxInstances;
    private Integer maxTotalCpus;
    private Double maxPricePerHour;

    private Builder() {}

    public Builder typeGlobs(List<String> v) { typeGlobs = v; return this; }
    public Builder typeGlobs(String... v) { typeGlobs = List.of(v); return this; }
    public Builder architecture(Architecture v) { architecture = v; return this; }
    public Builder minCpus(Integer v) { minCpus = v; return this; }
    public Builder maxCpus(Integer v) { maxCpus = v; return this; }
    public Builder minMemoryGiB(Double v) { minMemoryGiB = v; return this; }
    public Builder maxMemoryGiB(Double v) { maxMemoryGiB = v; return this; }
    public Builder minMemoryPerCpuGiB(Double v) { minMemoryPerCpuGiB = v; return this; }
    public Builder maxMemoryPerCpuGiB(Double v) { maxMemoryPerCpuGiB = v; return this; }
    public Builder minLocalSsdGiB(Double v) { minLocalSsdGiB = v; return this; }
    public Builder minGpus(Integer v) { minGpus = v; return this; }
    public Builder includeBareMetal(boolean v) { includeBareMetal = v; return this; }
    public Builder includeBurstable(boolean v) { includeBurstable = v; return this; }
    public Builder bootDiskGiB(Integer v) { bootDiskGiB = v; return this; }
    public Builder bootDiskBaseGiB(Double v) { bootDiskBaseGiB = v; return this; }
    public Builder bootDiskPerCpuGiB(Double v) { bootDiskPerCpuGiB = v; return this; }
    public Builder bootDiskPerTaskGiB(Double v) { bootDiskPerTaskGiB = v; return this; }
    public Builder spot(boolean v) { spot = v; return this; }
    public Builder allowOnDemandFallback(boolean v) { allowOnDemandFallback = v; return this; }
    public Builder zones(List<String> v) { zones = v; return this; }
    public Builder cpusPerTask(double v) { cpusPerTask = v; return this; }
    public Builder memoryPerTaskGiB(Double v) { memoryPerTaskGiB = v; return this; }
    public Builder simultaneousTasks(Integer v) { simultaneousTasks = v; return this; }
    public Builder minInstances(Integer v) { minInstances = v; return this; }
    public Builder maxInstances(Integer v) { maxInstances = v; return this; }
    public Builder maxTotalCpus(Integer v) { maxTotalCpus = v; return this; }
    public Builder maxPricePerHour(Double v) { maxPricePerHour = v; return this; }

    /** Validates and builds; errors name the field. */
    public InstanceConstraints build() {
      return new InstanceConstraints(typeGlobs, architecture, minCpus, maxCpus, minMemoryGiB, maxMemoryGiB,
          minMemoryPerCpuGiB, maxMemoryPerCpuGiB, minLocalSsdGiB, minGpus, includeBareMetal, includeBurstable,
          bootDiskGiB,
          bootDiskBaseGiB, bootDiskPerCpuGiB, bootDiskPerTaskGiB, spot, allowOnDemandFallback, zones, cpusPerTask,
          memoryPerTaskGiB, simultaneousTasks, minInstances, maxInstances, maxTotalCpus, maxPricePerHour);
    }
  }
}
