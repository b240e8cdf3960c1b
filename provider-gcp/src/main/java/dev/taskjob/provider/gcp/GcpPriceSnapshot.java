package dev.taskjob.provider.gcp;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Compute Engine price snapshot bundled with this release ({@code gcp-price-snapshot.json}): per-family
 * vCPU and GiB rates for a few regions and a representative set of machine types (e2, n1, n2, n2d, c2, c2d,
 * t2d, c3, n4, and arm t2a, c4a), dated. Used when the Compute or Cloud Billing Catalog API cannot be reached.
 */
public final class GcpPriceSnapshot {

  static final String RESOURCE = "gcp-price-snapshot.json";

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Doc(String provider, Instant takenAt, String note, Map<String, RegionDoc> regions, List<ShapeDoc> machineTypes) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record RegionDoc(List<String> zones, double localSsdGiBHour, double localSsdSpotGiBHour, Double bootDiskGiBHour,
      Map<String, GcpRates.FamilyRates> rates) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record ShapeDoc(String name, int vcpus, double memoryGiB, String architecture, double localSsdGiB, boolean bareMetal,
      Double billedVcpus) {}

  private final Doc doc;

  private GcpPriceSnapshot(Doc doc) {
    this.doc = doc;
  }

  /** The bundled snapshot. */
  public static GcpPriceSnapshot load() {
    try (InputStream in = GcpPriceSnapshot.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the provider-gcp jar");
      }
      return new GcpPriceSnapshot(Json.MAPPER.readValue(in, Doc.class));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the bundled " + RESOURCE, e);
    }
  }

  public Instant takenAt() {
    return doc.takenAt();
  }

  public String note() {
    return doc.note();
  }

  public Set<String> regions() {
    return doc.regions().keySet();
  }

  /** The snapshot's rates for a region (empty when the region is not in the snapshot). */
  GcpRates rates(String region) {
    RegionDoc r = doc.regions().get(region);
    if (r == null) {
      return new GcpRates(Map.of(), null, null, null);
    }
    return new GcpRates(r.rates(), r.localSsdGiBHour(), r.localSsdSpotGiBHour(), r.bootDiskGiBHour());
  }

  List<String> zones(String region) {
    RegionDoc r = doc.regions().get(region);
    return r == null ? List.of() : r.zones();
  }

  /** The snapshot's catalog for a region; types carry no prices when the region is not in the snapshot. */
  public InstanceCatalog catalog(String region) {
    GcpRates rates = rates(region);
    List<String> zones = zones(region);
    List<InstanceType> types = doc.machineTypes().stream()
        .map(s -> rates.price(shape(s), zones, PriceSource.SNAPSHOT))
        .toList();
    return new InstanceCatalog("gcp", region, types, doc.takenAt(), rates.bootDisk(PriceSource.SNAPSHOT));
  }

  private static MachineShape shape(ShapeDoc s) {
    boolean sharedCore = s.billedVcpus() != null;
    return new MachineShape(s.name(), s.vcpus(), sharedCore ? s.billedVcpus() : s.vcpus(), s.memoryGiB(),
        Architecture.parse(s.architecture()), s.localSsdGiB(), 0, null, s.bareMetal(), sharedCore);
  }

  /** Rates by family for merging: the snapshot's where the live ones lack a family. */
  Map<String, GcpRates.FamilyRates> familyRates(String region) {
    return new HashMap<>(rates(region).families);
  }
}
