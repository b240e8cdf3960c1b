package dev.taskjob.operator.selection;

import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.VmPrice;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Picks the instance type that runs a task slot for the least money. A pure function of the catalog and the
 * constraints: no cloud calls, no clock.
 *
 * <p>Ranking: price per task slot (the VM with its boot disk, see {@link VmPrice}; slots = how many tasks fit by
 * vCPU, by memory and by a fixed boot disk),
 * then fewer wasted vCPUs, then less wasted memory, then more slots per instance (fewer VMs to boot and
 * watch), then the name, so equal inputs always give the same order. A spot price above the type's on-demand
 * price is never chosen. With {@code spot} and {@code allowOnDemandFallback}, every spot candidate ranks
 * before every on-demand one.
 */
public final class InstanceSelector {

  /** Slot arithmetic tolerance, so 0.6 GiB / 0.2 GiB counts as 3 slots, not 2.9999. */
  private static final double EPS = 1e-9;

  private InstanceSelector() {}

  /**
   * Ranks the catalog's types for the constraints.
   *
   * @throws NoMatchingInstanceTypeException when no type meets them; the message names the tightest constraint
   */
  public static Selection select(InstanceCatalog catalog, InstanceConstraints constraints) {
    List<Candidate> primary = new ArrayList<>();
    List<Candidate> fallback = new ArrayList<>();
    List<Exclusion> excluded = new ArrayList<>();
    List<Pattern> globs = constraints.typeGlobs().stream().map(InstanceSelector::globToRegex).toList();
    boolean withFallback = constraints.spot() && constraints.allowOnDemandFallback();

    for (InstanceType type : catalog.types()) {
      Failures failures = new Failures();
      checkShape(type, constraints, globs, failures);
      Slots slots = slots(type, constraints, failures);

      Failures primaryPrice = new Failures();
      Candidate primaryCandidate = price(catalog, type, constraints, constraints.spot(), slots, primaryPrice);
      Failures fallbackPrice = new Failures();
      Candidate fallbackCandidate = withFallback
          ? price(catalog, type, constraints, false, slots, fallbackPrice) : null;

      if (failures.isEmpty() && (primaryCandidate != null || fallbackCandidate != null)) {
        if (primaryCandidate != null) {
          primary.add(primaryCandidate);
        }
        if (fallbackCandidate != null) {
          fallback.add(fallbackCandidate);
        }
      } else {
        failures.addAll(primaryPrice);
        if (withFallback) {
          fallbackPrice.reasons.replaceAll(r -> "on-demand fallback: " + r);
          failures.addAll(fallbackPrice);
        }
        excluded.add(new Exclusion(type.name(), failures.constraints, failures.reasons));
      }
    }

    if (primary.isEmpty() && fallback.isEmpty()) {
      throw noMatch(catalog, excluded);
    }
    primary.sort(RANKING);
    fallback.sort(RANKING);
    List<Candidate> ranked = new ArrayList<>(primary);
    ranked.addAll(fallback);
    return new Selection(ranked, excluded);
  }

  /** Best first: price per slot, wasted vCPUs, wasted memory, more slots, name. */
  public static final Comparator<Candidate> RANKING = Comparator
      .comparingLong((Candidate c) -> Math.round(c.pricePerSlot() * 1e9))
      .thenComparingLong(c -> Math.round(c.wastedCpus() * 1e6))
      .thenComparingLong(c -> Math.round(c.wastedMemoryGiB() * 1e6))
      .thenComparing(Comparator.comparingInt(Candidate::slots).reversed())
      .thenComparing(Candidate::typeName);

  private static void checkShape(InstanceType t, InstanceConstraints c, List<Pattern> globs, Failures f) {
    if (!globs.isEmpty() && globs.stream().noneMatch(g -> g.matcher(t.name()).matches())) {
      f.add("types", "name matches none of " + c.typeGlobs());
    }
    if (t.bareMetal() && !c.includeBareMetal()) {
      f.add("includeBareMetal", "bare metal (not asked for)");
    }
    if (t.burstable() && !c.includeBurstable()) {
      f.add("includeBurstable", "burstable vCPUs (sustained use costs CPU credits or throttles; not asked for)");
    }
    if (c.architecture() != null && t.architecture() != c.architecture()) {
      f.add("architecture", t.architecture() + " is not " + c.architecture());
    }
    if (c.minCpus() != null && t.vcpus() < c.minCpus()) {
      f.add("minCpus", t.vcpus() + " vCPUs < minCpus " + c.minCpus());
    }
    if (c.maxCpus() != null && t.vcpus() > c.maxCpus()) {
      f.add("maxCpus", t.vcpus() + " vCPUs > maxCpus " + c.maxCpus());
    }
    if (c.minMemoryGiB() != null && t.memoryGiB() < c.minMemoryGiB() - EPS) {
      f.add("minMemoryGiB", gib(t.memoryGiB()) + " GiB < minMemoryGiB " + gib(c.minMemoryGiB()));
    }
    if (c.maxMemoryGiB() != null && t.memoryGiB() > c.maxMemoryGiB() + EPS) {
      f.add("maxMemoryGiB", gib(t.memoryGiB()) + " GiB > maxMemoryGiB " + gib(c.maxMemoryGiB()));
    }
    double perCpu = t.memoryGiB() / t.vcpus();
    if (c.minMemoryPerCpuGiB() != null && perCpu < c.minMemoryPerCpuGiB() - EPS) {
      f.add("minMemoryPerCpuGiB", gib(perCpu) + " GiB/vCPU < minMemoryPerCpuGiB " + gib(c.minMemoryPerCpuGiB()));
    }
    if (c.maxMemoryPerCpuGiB() != null && perCpu > c.maxMemoryPerCpuGiB() + EPS) {
      f.add("maxMemoryPerCpuGiB", gib(perCpu) + " GiB/vCPU > maxMemoryPerCpuGiB " + gib(c.maxMemoryPerCpuGiB()));
    }
    if (c.minLocalSsdGiB() != null && t.localSsdGiB() < c.minLocalSsdGiB() - EPS) {
      f.add("minLocalSsdGiB", gib(t.localSsdGiB()) + " GiB local SSD < minLocalSsdGiB " + gib(c.minLocalSsdGiB()));
    }
    if (c.minGpus() != null && t.gpus() < c.minGpus()) {
      f.add("minGpus", t.gpus() + " GPUs < minGpus " + c.minGpus());
    }
    if (c.maxTotalCpus() != null && t.vcpus() > c.maxTotalCpus()) {
      f.add("maxTotalCpus", t.vcpus() + " vCPUs > maxTotalCpus " + c.maxTotalCpus() + " (not even one instance fits)");
    }
  }

  private record Slots(int count, double wastedCpus, double wastedMemoryGiB, int bootDiskGiB) {}

  private static Slots slots(InstanceType t, InstanceConstraints c, Failures f) {
    int byCpu = (int) Math.floor(t.vcpus() / c.cpusPerTask() + EPS);
    int count = byCpu;
    if (byCpu == 0) {
      f.add("cpusPerTask", t.vcpus() + " vCPUs fit no task of " + num(c.cpusPerTask()) + " vCPUs");
    }
    if (c.memoryPerTaskGiB() != null) {
      int byMemory = (int) Math.floor(t.memoryGiB() / c.memoryPerTaskGiB() + EPS);
      if (byMemory == 0) {
        f.add("memoryPerTaskGiB", gib(t.memoryGiB()) + " GiB fit no task of " + gib(c.memoryPerTaskGiB()) + " GiB");
      }
      count = Math.min(count, byMemory);
    }
    double base = c.bootDiskBaseGiB() == null ? InstanceConstraints.DEFAULT_BOOT_DISK_BASE_GIB : c.bootDiskBaseGiB();
    double perCpu = c.bootDiskPerCpuGiB() == null ? 0 : c.bootDiskPerCpuGiB() * t.vcpus();
    if (c.bootDiskGiB() != null && c.bootDiskPerTaskGiB() != null && c.bootDiskPerTaskGiB() > 0) {
      int byDisk = (int) Math.floor((c.bootDiskGiB() - base - perCpu) / c.bootDiskPerTaskGiB() + EPS);
      if (byDisk <= 0) {
        f.add("bootDiskPerTaskGiB", "boot disk " + c.bootDiskGiB() + " GiB leaves no room for a task's "
            + gib(c.bootDiskPerTaskGiB()) + " GiB");
      }
      count = Math.min(count, Math.max(byDisk, 0));
    }
    if (count > 0 && c.simultaneousTasks() != null) {
      if (count < c.simultaneousTasks()) {
        f.add("simultaneousTasks", "fits " + count + " tasks, simultaneousTasks is " + c.simultaneousTasks());
      } else {
        count = c.simultaneousTasks();
      }
    }
    int bootDisk = c.bootDiskGiB() != null
        ? c.bootDiskGiB()
        : (int) Math.ceil(base + perCpu
            + (c.bootDiskPerTaskGiB() == null ? 0 : c.bootDiskPerTaskGiB() * Math.max(count, 0)) - EPS);
    double wastedCpus = Math.max(0, t.vcpus() - count * c.cpusPerTask());
    double wastedMemory = c.memoryPerTaskGiB() == null ? 0 : Math.max(0, t.memoryGiB() - count * c.memoryPerTaskGiB());
    return new Slots(count, wastedCpus, wastedMemory, bootDisk);
  }

  /** The candidate for one market, priced with its boot disk, or null with the reason in {@code f}. */
  private static Candidate price(InstanceCatalog catalog, InstanceType t, InstanceConstraints c, boolean spot,
      Slots slots, Failures f) {
    String zone = null;
    if (spot) {
      if (!t.supportsSpot()) {
        f.add("spot", "no spot capacity for this type");
        return null;
      }
      Map.Entry<String, Double> cheapest = t.spotPrices().entrySet().stream()
          .filter(e -> c.zones().isEmpty() || c.zones().contains(e.getKey()))
          .min(Map.Entry.<String, Double>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
          .orElse(null);
      if (cheapest == null) {
        f.add("spot", "no spot price" + (c.zones().isEmpty() ? "" : " in zones " + c.zones()));
        return null;
      }
      zone = cheapest.getKey();
      if (t.onDemandPrice() != null && cheapest.getValue() > t.onDemandPrice()) {
        f.add("spot", "spot price $" + usd(cheapest.getValue()) + " above on-demand $" + usd(t.onDemandPrice()));
        return null;
      }
    }
    VmPrice price = VmPrice.of(catalog, t, slots.bootDiskGiB(), zone, spot).orElse(null);
    if (price == null) {
      f.add("price", "no on-demand price");
      return null;
    }
    if (c.maxPricePerHour() != null && price.perHour() > c.maxPricePerHour() + EPS) {
      f.add("maxPricePerHour", "$" + usd(price.perHour()) + "/h"
          + (price.diskPerHour() > 0 ? " with its boot disk" : "") + " > maxPricePerHour $" + usd(c.maxPricePerHour()));
      return null;
    }
    if (slots.count() <= 0) {
      return null;
    }
    return new Candidate(t, spot, price, zone, slots.count(), price.perHour() / slots.count(), slots.wastedCpus(),
        slots.wastedMemoryGiB(), slots.bootDiskGiB(), t.priceSource());
  }

  private static NoMatchingInstanceTypeException noMatch(InstanceCatalog catalog, List<Exclusion> excluded) {
    String where = catalog.provider() + (catalog.region() == null ? "" : " " + catalog.region());
    if (excluded.isEmpty()) {
      return new NoMatchingInstanceTypeException("the " + where + " catalog has no instance types", null, excluded);
    }
    // The constraint that alone keeps out the most types is the one to relax first.
    Map<String, List<String>> soleBlocker = new LinkedHashMap<>();
    Map<String, Integer> anyBlocker = new LinkedHashMap<>();
    for (Exclusion e : excluded) {
      List<String> distinct = e.constraints().stream().distinct().toList();
      if (distinct.size() == 1) {
        soleBlocker.computeIfAbsent(distinct.get(0), k -> new ArrayList<>()).add(e.typeName());
      }
      distinct.forEach(k -> anyBlocker.merge(k, 1, Integer::sum));
    }
    String prefix = "no instance type in " + where + " meets the constraints (" + excluded.size() + " types checked); ";
    if (!soleBlocker.isEmpty()) {
      Map.Entry<String, List<String>> top = soleBlocker.entrySet().stream()
          .max(Comparator.comparingInt(e -> e.getValue().size())).orElseThrow();
      String examples = top.getValue().stream().limit(3).map(name -> name + " (" + reasonOf(excluded, name) + ")")
          .collect(Collectors.joining(", "));
      return new NoMatchingInstanceTypeException(prefix + "tightest constraint: " + top.getKey()
          + ", relaxing it alone would admit " + top.getValue().size() + " types, e.g. " + examples,
          top.getKey(), excluded);
    }
    Map.Entry<String, Integer> top = anyBlocker.entrySet().stream()
        .max(Map.Entry.comparingByValue()).orElseThrow();
    return new NoMatchingInstanceTypeException(prefix + "tightest constraint: " + top.getKey() + ", which excludes "
        + top.getValue() + " of them; no single constraint's relaxation admits a type, several must change",
        top.getKey(), excluded);
  }

  private static String reasonOf(List<Exclusion> excluded, String name) {
    return excluded.stream().filter(e -> e.typeName().equals(name)).findFirst().map(Exclusion::reason).orElse("");
  }

  /** Shell-style glob, case-insensitive: {@code *} any run, {@code ?} one character. */
  static Pattern globToRegex(String glob) {
    StringBuilder regex = new StringBuilder();
    for (char ch : glob.trim().toCharArray()) {
      switch (ch) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(ch)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE);
  }

  private static String gib(double v) {
    return num(v);
  }

  private static String num(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String usd(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  /** Failed constraint names and reasons, in check order. */
  private static final class Failures {
    final List<String> constraints = new ArrayList<>();
    final List<String> reasons = new ArrayList<>();

    void add(String constraint, String reason) {
      constraints.add(constraint);
      reasons.add(reason);
    }

    void addAll(Failures other) {
      constraints.addAll(other.constraints);
      reasons.addAll(other.reasons);
    }

    boolean isEmpty() {
      return constraints.isEmpty();
    }
  }
}
