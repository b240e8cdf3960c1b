package dev.taskjob.operator.selection;

import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import dev.taskjob.core.cloud.VmPrice;

/**
 * An instance type that meets the constraints, priced for the requested capacity.
 *
 * @param type the instance type
 * @param spot true when priced (and to be created) as spot/preemptible
 * @param price USD per hour of one instance: its type in its zone and market plus its boot disk
 * @param zone for spot, the zone with that price; null when the price holds in every zone
 * @param slots tasks one instance runs at once: min(by vCPU, by memory, by boot disk), or simultaneousTasks
 * @param pricePerSlot {@code pricePerHour() / slots}, the ranking key
 * @param wastedCpus vCPUs left over when every slot is busy
 * @param wastedMemoryGiB memory left over when every slot is busy (0 when memory per task is not given)
 * @param bootDiskGiB the boot disk size to create it with
 * @param priceSource where the price came from
 */
public record Candidate(
    InstanceType type,
    boolean spot,
    VmPrice price,
    String zone,
    int slots,
    double pricePerSlot,
    double wastedCpus,
    double wastedMemoryGiB,
    int bootDiskGiB,
    PriceSource priceSource) {

  /** USD per hour of one instance, boot disk included. */
  public double pricePerHour() {
    return price.perHour();
  }

  public String typeName() {
    return type.name();
  }
}
