package dev.taskjob.operator.validation;

import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.crds.v1alpha1.shared.InstanceRequirements;
import dev.taskjob.operator.selection.InstanceConstraints;
import java.util.List;

/** Maps a resource's {@code spec.instances} and per-task needs onto the selector's constraints. */
public final class Constraints {

  private Constraints() {}

  /**
   * @param instances {@code spec.instances} (null: no constraints)
   * @param zones {@code spec.zones}
   * @param cpusPerTask vCPUs per task (null: 1)
   * @param memoryPerTaskGiB memory per task, or null
   * @param simultaneousTasks a fixed number of tasks per instance, or null
   * @param spot spot override, or null for {@code instances.spot}
   */
  public static InstanceConstraints of(InstanceRequirements instances, List<String> zones, Double cpusPerTask,
      Double memoryPerTaskGiB, Integer simultaneousTasks, Boolean spot) {
    InstanceRequirements r = instances == null ? new InstanceRequirements() : instances;
    boolean useSpot = spot != null ? spot : Boolean.TRUE.equals(r.getSpot());
    return InstanceConstraints.builder()
        .typeGlobs(r.getTypes())
        .architecture(r.getArchitecture() == null ? null : Architecture.parse(r.getArchitecture().name()))
        .minCpus(r.getMinCpus())
        .maxCpus(r.getMaxCpus())
        .minMemoryGiB(r.getMinMemoryGiB())
        .maxMemoryGiB(r.getMaxMemoryGiB())
        .minMemoryPerCpuGiB(r.getMinMemoryPerCpuGiB())
        .maxMemoryPerCpuGiB(r.getMaxMemoryPerCpuGiB())
        .minLocalSsdGiB(r.getMinLocalSsdGiB() == null ? null : r.getMinLocalSsdGiB().doubleValue())
        .minGpus(r.getMinGpus())
        .bootDiskGiB(r.getBootDiskGiB())
        .spot(useSpot)
        .allowOnDemandFallback(Boolean.TRUE.equals(r.getAllowOnDemandFallback()))
        .zones(zones)
        .cpusPerTask(cpusPerTask == null ? 1 : cpusPerTask)
        .memoryPerTaskGiB(memoryPerTaskGiB)
        .simultaneousTasks(simultaneousTasks)
        .minInstances(r.getMinInstances())
        .maxInstances(r.getMaxInstances())
        .maxTotalCpus(r.getMaxTotalCpus())
        .maxPricePerHour(r.getMaxPricePerHour())
        .build();
  }
}
