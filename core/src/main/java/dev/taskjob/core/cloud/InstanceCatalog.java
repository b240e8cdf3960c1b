package dev.taskjob.core.cloud;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The instance types of one region with prices.
 *
 * @param provider "aws", "gcp" or "local"
 * @param region the region
 * @param types the types
 * @param pricesAsOf when the prices were fetched, or the snapshot's date
 * @param bootDisk the region's boot disk price ({@link DiskPrice#NONE} when the catalog knows none)
 */
public record InstanceCatalog(String provider, String region, List<InstanceType> types, Instant pricesAsOf,
    DiskPrice bootDisk) {

  public InstanceCatalog {
    Objects.requireNonNull(provider, "provider");
    types = List.copyOf(types);
    bootDisk = bootDisk == null ? DiskPrice.NONE : bootDisk;
  }

  /** A catalog with no boot disk price. */
  public InstanceCatalog(String provider, String region, List<InstanceType> types, Instant pricesAsOf) {
    this(provider, region, types, pricesAsOf, DiskPrice.NONE);
  }

  public InstanceCatalog withBootDisk(DiskPrice disk) {
    return new InstanceCatalog(provider, region, types, pricesAsOf, disk);
  }

  public Optional<InstanceType> find(String name) {
    return types.stream().filter(t -> t.name().equals(name)).findFirst();
  }
}
