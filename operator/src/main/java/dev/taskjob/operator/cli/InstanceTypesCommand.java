package dev.taskjob.operator.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.CloudException;
import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PlacementScores;
import dev.taskjob.core.cloud.PriceSource;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderConfig.Keys;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.crds.v1alpha1.shared.Durations;
import dev.taskjob.operator.selection.Candidate;
import dev.taskjob.operator.selection.CostRanking;
import dev.taskjob.operator.selection.Exclusion;
import dev.taskjob.operator.selection.InstanceConstraints;
import dev.taskjob.operator.selection.InstanceSelector;
import dev.taskjob.operator.selection.InterruptionHistory;
import dev.taskjob.operator.selection.NoMatchingInstanceTypeException;
import dev.taskjob.operator.selection.Selection;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code taskjob instance-types}: the instance types that meet the constraints, cheapest per task slot first,
 * with the one a TaskJob would select marked, like rms-cloud-tasks' {@code list_instance_types}. Prices come
 * from the cloud's APIs, or from the bundled snapshot when they cannot be reached (the output says which).
 */
@Command(name = "instance-types", mixinStandardHelpOptions = true,
    description = "List instance types that meet the constraints, cheapest per task slot first; the selected one is marked *."
        + " --explain adds the ranking a TaskJob's pool makes, by expected cost per completed task.")
public final class InstanceTypesCommand implements Callable<Integer> {

  enum Provider { aws, gcp, local }

  enum Output { table, json }

  @Spec CommandSpec spec;

  @Option(names = "--provider", required = true, description = "aws, gcp or local.")
  Provider provider;

  @Option(names = "--region", description = "Region (required for aws and gcp).")
  String region;

  @Option(names = "--zone", split = ",", description = "Zones to consider for spot prices (default: all of the region).")
  List<String> zones = new ArrayList<>();

  @Option(names = {"--project", "--project-id"}, description = "GCP project (else GOOGLE_CLOUD_PROJECT); without one gcp prices come from the snapshot.",
      defaultValue = "${env:GOOGLE_CLOUD_PROJECT}")
  String project;

  @Option(names = "--endpoint", description = "Endpoint override: EC2 (else AWS_ENDPOINT_URL) or Compute Engine REST base URL.")
  String endpoint;

  @Option(names = "--offline", description = "Do not call the cloud: use the bundled price snapshot.")
  boolean offline;

  @Option(names = "--price", description = "Price override KEY=USD as in the prices ConfigMap (e.g. m6i.large=0.08, discount=0.2).")
  Map<String, String> prices = new LinkedHashMap<>();

  @Option(names = {"--types", "--instance-types"}, split = ",", description = "Type-name globs (e.g. 'm7g.*,c7g.*').")
  List<String> types = new ArrayList<>();

  @Option(names = {"--arch", "--architecture"}, description = "x86_64 or arm64.")
  String architecture;

  @Option(names = {"--min-cpu", "--min-cpus"}, description = "Minimum vCPUs.") Integer minCpus;
  @Option(names = {"--max-cpu", "--max-cpus"}, description = "Maximum vCPUs.") Integer maxCpus;
  @Option(names = "--min-memory", description = "Minimum memory, GiB.") Double minMemory;
  @Option(names = "--max-memory", description = "Maximum memory, GiB.") Double maxMemory;
  @Option(names = "--min-memory-per-cpu", description = "Minimum memory per vCPU, GiB.") Double minMemoryPerCpu;
  @Option(names = "--max-memory-per-cpu", description = "Maximum memory per vCPU, GiB.") Double maxMemoryPerCpu;
  @Option(names = "--min-local-ssd", description = "Minimum local SSD, GiB.") Double minLocalSsd;
  @Option(names = "--min-gpus", description = "Minimum GPUs.") Integer minGpus;
  @Option(names = "--include-bare-metal", description = "Consider bare-metal types.") boolean includeBareMetal;
  @Option(names = "--include-burstable", description = "Consider burstable types (AWS t-family, GCE shared-core).")
  boolean includeBurstable;
  @Option(names = "--boot-disk", description = "Boot disk size, GiB (limits slots with --boot-disk-per-task).") Integer bootDisk;
  @Option(names = "--boot-disk-per-task", description = "Boot disk each task needs, GiB.") Double bootDiskPerTask;
  @Option(names = {"--spot", "--use-spot"}, description = "Price as spot/preemptible.") boolean spot;
  @Option(names = "--allow-on-demand-fallback", description = "With --spot, list on-demand fallbacks after the spot candidates.")
  boolean allowOnDemandFallback;
  @Option(names = "--cpus-per-task", defaultValue = "1", description = "vCPUs per task (default ${DEFAULT-VALUE}).")
  double cpusPerTask;
  @Option(names = "--memory-per-task", description = "Memory per task, GiB.") Double memoryPerTask;
  @Option(names = "--simultaneous-tasks", description = "Tasks per instance, fixed.") Integer simultaneousTasks;
  @Option(names = "--max-price-per-hour", description = "Budget for the whole pool, USD per hour.") Double maxPricePerHour;
  @Option(names = "--max-total-cpus", description = "vCPU cap for the whole pool.") Integer maxTotalCpus;

  @Option(names = "--explain", description = "Also rank the offerings by expected cost per completed task, with its "
      + "inputs and the runner-ups, and list every excluded type with the reason.")
  boolean explain;

  @Option(names = "--task-duration", description = "How long one task runs, e.g. 30m, for --explain's expected cost, "
      + "as a TaskJob's spec.worker.expectedTaskDuration (default: 1h).")
  String taskDuration;

  @Option(names = "--interruptions-per-hour", description = "Expected spot interruptions per instance-hour for "
      + "--explain, as a TaskJob's spec.instances.interruptionsPerHour (default: 0.05, the prior used before the "
      + "cluster has observed its own).")
  Double interruptionsPerHour;

  @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json (default ${DEFAULT-VALUE}).")
  Output output;

  @Option(names = "--limit", defaultValue = "25", description = "Rows to show in the table, 0 for all (default ${DEFAULT-VALUE}).")
  int limit;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    InstanceConstraints constraints;
    InstanceCatalog catalog;
    try {
      costInputs = costInputs();
      constraints = constraints();
      catalog = fetchCatalog(err);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (CloudException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
    String pricesLine = pricesLine(catalog);
    Selection selection;
    try {
      selection = InstanceSelector.select(catalog, constraints);
      costInputs = withPlacementScores(costInputs, selection);
    } catch (NoMatchingInstanceTypeException e) {
      closeScoresCloud();
      if (output == Output.json) {
        ObjectNode json = header(catalog, pricesLine);
        json.put("error", e.getMessage());
        json.put("tightestConstraint", e.tightestConstraint());
        json.set("excluded", exclusionsJson(e.exclusions()));
        out.println(json.toPrettyString());
      } else {
        out.println(pricesLine);
        if (explain) {
          printExclusions(out, e.exclusions());
        }
      }
      err.println("error: " + e.getMessage());
      return 2;
    }
    if (output == Output.json) {
      printJson(out, catalog, pricesLine, selection, constraints);
    } else {
      printTable(out, catalog, pricesLine, selection, constraints);
    }
    return 0;
  }

  /** What --explain's expected cost per completed task assumes; the cluster's own observations are not read here. */
  private CostRanking.Inputs costInputs() {
    Duration task = taskDuration == null ? null : Durations.parse("--task-duration", taskDuration);
    if (task != null && task.isZero()) {
      throw new IllegalArgumentException("--task-duration must be longer than 0s");
    }
    if (interruptionsPerHour != null && !(interruptionsPerHour >= 0 && interruptionsPerHour <= 100)) {
      throw new IllegalArgumentException("--interruptions-per-hour must be between 0 and 100, got "
          + interruptionsPerHour);
    }
    return new CostRanking.Inputs(CostRanking.TaskDuration.of(null, 0, task), CostRanking.DEFAULT_RELAUNCH,
        new InterruptionHistory(), interruptionsPerHour, Instant.now());
  }

  private CostRanking.Inputs costInputs;

  private InstanceConstraints constraints() {
    return InstanceConstraints.builder()
        .typeGlobs(types)
        .architecture(architecture == null ? null : Architecture.parse(architecture))
        .minCpus(minCpus).maxCpus(maxCpus)
        .minMemoryGiB(minMemory).maxMemoryGiB(maxMemory)
        .minMemoryPerCpuGiB(minMemoryPerCpu).maxMemoryPerCpuGiB(maxMemoryPerCpu)
        .minLocalSsdGiB(minLocalSsd).minGpus(minGpus).includeBareMetal(includeBareMetal)
        .includeBurstable(includeBurstable)
        .bootDiskGiB(bootDisk).bootDiskPerTaskGiB(bootDiskPerTask)
        .spot(spot).allowOnDemandFallback(allowOnDemandFallback).zones(zones)
        .cpusPerTask(cpusPerTask).memoryPerTaskGiB(memoryPerTask).simultaneousTasks(simultaneousTasks)
        .maxPricePerHour(maxPricePerHour).maxTotalCpus(maxTotalCpus)
        .build();
  }

  private InstanceCatalog fetchCatalog(PrintWriter err) {
    if (provider != Provider.local && (region == null || region.isBlank())) {
      throw new IllegalArgumentException("--region is required for --provider " + provider);
    }
    Map<String, String> properties = new HashMap<>();
    prices.forEach((k, v) -> properties.put(Keys.PRICE_OVERRIDE_PREFIX + k, v));
    boolean snapshotOnly = offline;
    if (provider == Provider.gcp) {
      if (project == null || project.isBlank()) {
        snapshotOnly = true;
        err.println("note: no --project given; gcp prices come from the bundled snapshot");
      } else {
        properties.put(Keys.PROJECT, project);
      }
      if (endpoint != null) {
        properties.put(Keys.COMPUTE_ENDPOINT, endpoint);
      }
    }
    if (provider == Provider.aws) {
      if (endpoint != null) {
        properties.put(Keys.AWS_ENDPOINT, endpoint);
      }
      properties.put("aws.maxAttempts", "2"); // an interactive command should not wait out eight retries
    }
    ProviderConfig config = new ProviderConfig(provider.name(), region, zones, properties);
    if (snapshotOnly) {
      // No cloud client is built: nothing is called, and start-up stays fast.
      return Providers.get(provider.name()).snapshotCatalog(config);
    }
    CloudProvider cloud = Providers.get(provider.name()).cloud(config);
    try {
      InstanceCatalog catalog = cloud.catalog();
      if (explain) {
        scoresCloud = cloud; // asked for placement scores once the candidates are known, then closed
        cloud = null;
      }
      return catalog;
    } finally {
      if (cloud != null) {
        cloud.close();
      }
    }
  }

  /** The cloud --explain asks for spot placement scores (aws only has them), open until it has asked. */
  private CloudProvider scoresCloud;

  /** --explain's inputs with the cloud's spot placement scores for the spot candidates, for one instance. */
  private CostRanking.Inputs withPlacementScores(CostRanking.Inputs in, Selection selection) {
    if (scoresCloud == null) {
      return in;
    }
    try {
      List<String> spotTypes = selection.ranked().stream().filter(Candidate::spot).map(Candidate::typeName)
          .distinct().toList();
      PlacementScores scores = spotTypes.isEmpty() ? PlacementScores.NONE : scoresCloud.placementScores(spotTypes, 1);
      return new CostRanking.Inputs(in.task(), in.relaunch(), in.history(), in.userRatePerHour(), in.now(), scores);
    } finally {
      closeScoresCloud();
    }
  }

  private void closeScoresCloud() {
    if (scoresCloud != null) {
      scoresCloud.close();
      scoresCloud = null;
    }
  }

  /** Where the prices came from, in one line. */
  private String pricesLine(InstanceCatalog catalog) {
    Map<PriceSource, Integer> counts = new EnumMap<>(PriceSource.class);
    catalog.types().stream().filter(t -> t.onDemandPrice() != null || !t.spotPrices().isEmpty())
        .forEach(t -> counts.merge(t.priceSource(), 1, Integer::sum));
    String where = provider + (catalog.region() == null || provider == Provider.local ? "" : " " + catalog.region());
    String date = catalog.pricesAsOf() == null ? "unknown date"
        : catalog.pricesAsOf().atZone(ZoneOffset.UTC).toLocalDate().toString();
    int snapshot = counts.getOrDefault(PriceSource.SNAPSHOT, 0);
    int api = counts.getOrDefault(PriceSource.API, 0);
    String prefix = where + ": " + catalog.types().size() + " instance types. ";
    String disk = catalog.bootDisk().usdPerGiBHour() <= 0 ? " Boot disks are not priced."
        : " Boot disks at " + catalog.bootDisk().describe() + " (" + catalog.bootDisk().source().name() + ", at least "
            + catalog.bootDisk().minimumGiB() + " GiB billed), included in $/HOUR.";
    if (provider == Provider.local) {
      return prefix + "Prices are the local provider's nominal built-in prices." + disk;
    }
    if (api == 0 && snapshot > 0) {
      return prefix + "Prices from the bundled snapshot taken " + date + " (" + (offline ? "--offline"
          : "the " + provider + " APIs could not be reached") + "); they may be out of date."
          + overridden(counts) + disk;
    }
    return prefix + "Prices from the " + provider + " APIs as of " + catalog.pricesAsOf()
        + (snapshot > 0 ? "; " + snapshot + " types priced from the bundled snapshot" : "") + "." + overridden(counts)
        + disk;
  }

  private static String overridden(Map<PriceSource, Integer> counts) {
    int n = counts.getOrDefault(PriceSource.OVERRIDE, 0);
    return n == 0 ? "" : " " + n + " types use overridden prices.";
  }

  private void printTable(PrintWriter out, InstanceCatalog catalog, String pricesLine, Selection selection,
      InstanceConstraints constraints) {
    out.println(pricesLine);
    boolean showMarket = selection.ranked().stream().map(Candidate::spot).distinct().count() > 1;
    boolean showDisk = selection.ranked().stream().anyMatch(c -> c.price().diskPerHour() > 0);
    List<String> header = new ArrayList<>(List.of("", "TYPE", "ARCH", "VCPU", "MEM GiB", "SSD GiB", "GPU", "SLOTS"));
    if (showMarket) {
      header.add("MARKET");
    }
    header.addAll(showDisk ? List.of("$/HOUR", "DISK $/HOUR", "$/SLOT-HOUR", "ZONE", "SOURCE")
        : List.of("$/HOUR", "$/SLOT-HOUR", "ZONE", "SOURCE"));
    List<String[]> rows = new ArrayList<>();
    rows.add(header.toArray(String[]::new));
    List<Candidate> shown = limit > 0 ? selection.ranked().stream().limit(limit).toList() : selection.ranked();
    for (Candidate c : shown) {
      InstanceType t = c.type();
      List<String> row = new ArrayList<>(List.of(c == selection.best() ? "*" : "", t.name(),
          t.architecture().name().toLowerCase(Locale.ROOT), Integer.toString(t.vcpus()), fmt(t.memoryGiB(), 1),
          fmt(t.localSsdGiB(), 0), Integer.toString(t.gpus()), Integer.toString(c.slots())));
      if (showMarket) {
        row.add(c.spot() ? "spot" : "on-demand");
      }
      row.add(fmt(c.pricePerHour(), 4));
      if (showDisk) {
        row.add(fmt(c.price().diskPerHour(), 4));
      }
      row.addAll(List.of(fmt(c.pricePerSlot(), 6), c.zone() == null ? "-" : c.zone(), c.priceSource().name()));
      rows.add(row.toArray(String[]::new));
    }
    printAligned(out, rows);
    if (shown.size() < selection.ranked().size()) {
      out.println("(" + shown.size() + " of " + selection.ranked().size() + " matching types shown; --limit 0 shows all)");
    }
    Candidate best = selection.best();
    out.println("Selected: " + best.typeName() + (best.spot() ? " spot" : " on-demand")
        + (best.zone() == null ? "" : " in " + best.zone()) + " at $" + fmt(best.pricePerHour(), 4) + "/hour"
        + (best.price().diskPerHour() > 0 ? " (" + best.price().describe() + ")" : "") + ", "
        + best.slots() + " task slot" + (best.slots() == 1 ? "" : "s") + " ($" + fmt(best.pricePerSlot(), 6)
        + " per slot-hour), boot disk " + best.bootDiskGiB() + " GiB");
    if (explain) {
      printExpectedCost(out, CostRanking.rank(selection, constraints, costInputs));
      printExclusions(out, selection.excluded());
    }
  }

  /** The ranking a TaskJob's pool makes: expected cost per completed task, its inputs, the runner-ups. */
  private void printExpectedCost(PrintWriter out, CostRanking.Ranking ranking) {
    out.println("Expected cost per completed task (" + ranking.task().describe() + "; an interruption loses half a"
        + " task plus " + Durations.format(ranking.relaunch()) + " to boot a replacement and re-lease):");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"", "OFFERING", "$/SLOT-HOUR", "INTERRUPTIONS", "HOURS/TASK", "$/TASK"});
    List<CostRanking.Ranked> shown = limit > 0 ? ranking.ranked().stream().limit(limit).toList() : ranking.ranked();
    for (CostRanking.Ranked r : shown) {
      rows.add(new String[] {r == ranking.best() ? "*" : "", r.offering(), fmt(r.candidate().pricePerSlot(), 6),
          r.rate().describe(), fmt(r.hoursPerCompletedTask(), 3), fmt(r.costPerCompletedTask(), 6)});
    }
    printAligned(out, rows);
    if (shown.size() < ranking.ranked().size()) {
      out.println("(" + shown.size() + " of " + ranking.ranked().size() + " offerings shown; --limit 0 shows all)");
    }
    out.println("Chosen: " + ranking.why());
  }

  private static void printExclusions(PrintWriter out, List<Exclusion> excluded) {
    out.println("Excluded (" + excluded.size() + "):");
    for (Exclusion e : excluded) {
      out.println("  " + e.typeName() + ": " + e.reason());
    }
  }

  private static void printAligned(PrintWriter out, List<String[]> rows) {
    int columns = rows.get(0).length;
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    boolean[] numeric = new boolean[columns];
    for (int i = 0; i < columns; i++) {
      String sample = rows.size() > 1 ? rows.get(1)[i] : "";
      numeric[i] = sample.matches("[0-9.]+");
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        String cell = row[i];
        String pad = " ".repeat(widths[i] - cell.length());
        line.append(numeric[i] ? pad + cell : cell + pad).append(i + 1 < columns ? "  " : "");
      }
      out.println(line.toString().stripTrailing());
    }
  }

  private void printJson(PrintWriter out, InstanceCatalog catalog, String pricesLine, Selection selection,
      InstanceConstraints constraints) {
    ObjectNode json = header(catalog, pricesLine);
    json.put("selected", selection.best().typeName());
    ArrayNode candidates = json.putArray("candidates");
    for (Candidate c : selection.ranked()) {
      ObjectNode node = candidates.addObject();
      node.put("type", c.typeName());
      node.put("architecture", c.type().architecture().name().toLowerCase(Locale.ROOT));
      node.put("vcpus", c.type().vcpus());
      node.put("memoryGiB", c.type().memoryGiB());
      node.put("localSsdGiB", c.type().localSsdGiB());
      node.put("gpus", c.type().gpus());
      node.put("spot", c.spot());
      node.put("zone", c.zone());
      node.put("slots", c.slots());
      node.put("pricePerHour", c.pricePerHour());
      node.put("instancePricePerHour", c.price().instancePerHour());
      node.put("bootDiskPricePerHour", c.price().diskPerHour());
      node.put("pricePerSlotHour", c.pricePerSlot());
      node.put("bootDiskGiB", c.bootDiskGiB());
      node.put("priceSource", c.priceSource().name());
      node.put("selected", c == selection.best());
    }
    if (explain) {
      CostRanking.Ranking ranking = CostRanking.rank(selection, constraints, costInputs);
      ObjectNode cost = json.putObject("expectedCost");
      cost.put("taskDuration", ranking.task().describe());
      cost.put("relaunch", Durations.format(ranking.relaunch()));
      cost.put("chosen", ranking.why());
      ArrayNode offerings = cost.putArray("ranked");
      for (CostRanking.Ranked r : ranking.ranked()) {
        ObjectNode node = offerings.addObject();
        node.put("type", r.candidate().typeName());
        node.put("spot", r.candidate().spot());
        node.put("zone", r.candidate().zone());
        node.put("pricePerSlotHour", r.candidate().pricePerSlot());
        node.put("interruptionsPerHour", r.rate().perHour());
        node.put("interruptionRateSource", r.rate().source().name());
        if (r.rate().placementScore() > 0) {
          node.put("placementScore", r.rate().placementScore());
        }
        node.put("hoursPerCompletedTask", r.hoursPerCompletedTask());
        node.put("costPerCompletedTask", r.costPerCompletedTask());
      }
      json.set("excluded", exclusionsJson(selection.excluded()));
    }
    out.println(json.toPrettyString());
  }

  private ObjectNode header(InstanceCatalog catalog, String pricesLine) {
    ObjectNode json = Json.MAPPER.createObjectNode();
    json.put("provider", provider.name());
    json.put("region", catalog.region());
    Instant asOf = catalog.pricesAsOf();
    json.put("pricesAsOf", asOf == null ? null : asOf.toString());
    json.put("prices", pricesLine);
    return json;
  }

  private static ArrayNode exclusionsJson(List<Exclusion> excluded) {
    ArrayNode array = Json.MAPPER.createArrayNode();
    for (Exclusion e : excluded) {
      ObjectNode node = array.addObject();
      node.put("type", e.typeName());
      node.set("constraints", Json.MAPPER.valueToTree(e.constraints()));
      node.put("reason", e.reason());
    }
    return array;
  }

  private static String fmt(double value, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", value);
  }
}
