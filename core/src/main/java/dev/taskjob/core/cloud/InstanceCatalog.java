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
 */
public record InstanceCatalog(String provider, String region, List<InstanceType> types, Instant pricesAsOf) {

  public InstanceCatalog {
    Objects.requireNonNull(provider, "provider");
    types = List.copyOf(types);
  }

  public Optional<InstanceType> find(String name) {
    return types.stream().filter(t -> t.name().equals(name)).findFirst();
  }
}
