package dev.taskjob.provider.aws;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.DiskPrice;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The EC2 price snapshot bundled with this release ({@code aws-price-snapshot.json}): a representative set of
 * m, c, r, t, i and g types (x86 and arm, several sizes) with on-demand list prices and spot estimates, dated.
 * Used when the EC2 or Pricing API cannot be reached, and to price types the Pricing API did not answer for.
 */
public final class AwsPriceSnapshot {

  static final String RESOURCE = "aws-price-snapshot.json";

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Doc(String provider, Instant takenAt, String note, Map<String, RegionDoc> regions, List<TypeDoc> types) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record RegionDoc(List<String> zones, double priceFactor, Double gp3GiBMonth) {}

  /** EC2 creates the root volume at 8 GiB at least (the size of the AMIs it boots), see Ec2CloudProvider. */
  static final int MINIMUM_BOOT_DISK_GIB = 8;

  @JsonIgnoreProperties(ignoreUnknown = true)
  record TypeDoc(String name, int vcpus, double memoryGiB, String architecture, double localSsdGiB, int gpus,
      String gpuModel, boolean bareMetal, boolean burstable, double onDemand, double spotEstimate) {}

  private final Doc doc;
  private final Map<String, TypeDoc> byName = new LinkedHashMap<>();

  private AwsPriceSnapshot(Doc doc) {
    this.doc = doc;
    doc.types().forEach(t -> byName.put(t.name(), t));
  }

  /** The bundled snapshot. */
  public static AwsPriceSnapshot load() {
    try (InputStream in = AwsPriceSnapshot.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the provider-aws jar");
      }
      return new AwsPriceSnapshot(Json.MAPPER.readValue(in, Doc.class));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the bundled " + RESOURCE, e);
    }
  }

  /** When the prices were taken. */
  public Instant takenAt() {
    return doc.takenAt();
  }

  /** What the snapshot holds and how far to trust it. */
  public String note() {
    return doc.note();
  }

  /** Regions with prices in the snapshot. */
  public Set<String> regions() {
    return doc.regions().keySet();
  }

  /** The snapshot's catalog for a region; types carry no prices when the region is not in the snapshot. */
  public InstanceCatalog catalog(String region) {
    List<InstanceType> types = doc.types().stream().map(t -> toType(t, region)).toList();
    return new InstanceCatalog("aws", region, types, doc.takenAt(), bootDisk(region));
  }

  /** The snapshot's gp3 boot disk price in a region ({@link DiskPrice#NONE} when the region is not in it). */
  DiskPrice bootDisk(String region) {
    RegionDoc r = doc.regions().get(region);
    return r == null || r.gp3GiBMonth() == null ? DiskPrice.NONE
        : DiskPrice.perGiBMonth(r.gp3GiBMonth(), MINIMUM_BOOT_DISK_GIB, PriceSource.SNAPSHOT);
  }

  /** The snapshot's on-demand price of a type in a region. */
  Optional<Double> onDemand(String type, String region) {
    RegionDoc r = doc.regions().get(region);
    TypeDoc t = byName.get(type);
    return r == null || t == null ? Optional.empty() : Optional.of(t.onDemand() * r.priceFactor());
  }

  /** The snapshot's spot estimate of a type in each zone of a region. */
  Map<String, Double> spot(String type, String region) {
    RegionDoc r = doc.regions().get(region);
    TypeDoc t = byName.get(type);
    Map<String, Double> spot = new HashMap<>();
    if (r != null && t != null) {
      r.zones().forEach(z -> spot.put(z, t.spotEstimate() * r.priceFactor()));
    }
    return spot;
  }

  private InstanceType toType(TypeDoc t, String region) {
    RegionDoc r = doc.regions().get(region);
    return new InstanceType(t.name(), t.vcpus(), t.memoryGiB(), Architecture.parse(t.architecture()), t.localSsdGiB(),
        t.gpus(), t.gpuModel(), t.bareMetal(), true, r == null ? List.of() : r.zones(),
        onDemand(t.name(), region).orElse(null), spot(t.name(), region), PriceSource.SNAPSHOT, t.burstable());
  }
}
