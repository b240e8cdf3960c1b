package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.PlacementScores;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolSpec;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.operator.cloud.ProviderAccess;
import dev.taskjob.crds.v1alpha1.shared.Durations;
import dev.taskjob.operator.decision.PoolSizing;
import dev.taskjob.operator.selection.Candidate;
import dev.taskjob.operator.selection.CostRanking;
import dev.taskjob.operator.selection.InstanceConstraints;
import dev.taskjob.operator.selection.InstanceSelector;
import dev.taskjob.operator.selection.Selection;
import dev.taskjob.operator.selection.UnavailableOfferings;
import dev.taskjob.operator.validation.Constraints;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place a pool's instance type is chosen: the types that fit its constraints (computed once per
 * generation), ranked at every look by expected cost per completed task ({@link CostRanking}: the pool's
 * task duration, this namespace's observed interruptions, the user's hint), less the offerings a capacity
 * error made unavailable (zone-aware, shared with the launcher); and the price of every offering seen, by
 * provider, region, type, market and zone.
 */
final class PoolSelections {

  /** A price is a fact of one offering: the same type name costs differently in another region or zone. */
  record PriceKey(String provider, String region, String type, boolean spot, String zone) {}

  private final ProviderAccess providers;
  private final UnavailableOfferings unavailable;
  /** The ranked offerings for new VMs and why the first, in one line. */
  record Choice(Selection selection, String why, String offering) {}

  private record Fitting(Selection selection, InstanceConstraints constraints) {}

  private final Map<String, Fitting> selections = new ConcurrentHashMap<>();
  private final Map<PriceKey, Double> prices = new ConcurrentHashMap<>();

  private final InterruptionRecords interruptions;

  PoolSelections(ProviderAccess providers, UnavailableOfferings unavailable, InterruptionRecords interruptions) {
    this.providers = providers;
    this.unavailable = unavailable;
    this.interruptions = interruptions;
  }

  InterruptionRecords interruptions() {
    return interruptions;
  }

  /**
   * The fitting types ranked by expected cost per completed task now: each spot type in each zone at its
   * own price and interruption rate, on-demand ones (when allowed) in the same order.
   */
  Choice choose(InstancePool pool, ProviderConfig config, Instant now) {
    Fitting fitting = fitting(pool, config);
    InstancePoolSpec spec = pool.getSpec();
    Duration expected = spec.getTaskDuration() == null ? null
        : Durations.parseOrDefault("spec.taskDuration", spec.getTaskDuration(), null);
    long samples = spec.getTaskDurationSamples() == null ? 0 : spec.getTaskDurationSamples();
    CostRanking.TaskDuration task = CostRanking.TaskDuration.of(samples > 0 ? expected : null, samples, expected);
    Double hint = spec.getInstances() == null ? null : spec.getInstances().getInterruptionsPerHour();
    CostRanking.Ranking ranking = CostRanking.rank(fitting.selection(), fitting.constraints(), new CostRanking.Inputs(
        task, CostRanking.DEFAULT_RELAUNCH, interruptions.history(pool.getMetadata().getNamespace()), hint, now,
        placementScores(fitting.selection(), spec, config)));
    List<Candidate> ranked = ranking.ranked().stream().map(CostRanking.Ranked::candidate).toList();
    for (Candidate c : ranked) {
      prices.put(new PriceKey(config.provider(), config.region(), c.typeName(), c.spot(), c.zone()), c.pricePerHour());
    }
    return new Choice(new Selection(ranked, fitting.selection().excluded()), ranking.why(), ranking.best().offering());
  }

  /**
   * The cloud's spot placement scores for the pool's spot candidates (the provider caches them and asks rarely);
   * none when the pool has no spot candidate or the cloud has no answer: selection never fails for want of them.
   */
  private PlacementScores placementScores(Selection selection, InstancePoolSpec spec, ProviderConfig config) {
    List<String> spotTypes = selection.ranked().stream().filter(Candidate::spot).map(Candidate::typeName).distinct()
        .toList();
    if (spotTypes.isEmpty()) {
      return PlacementScores.NONE;
    }
    try {
      return providers.cloud(config).placementScores(spotTypes, spec.getCount() == null ? 1 : spec.getCount());
    } catch (RuntimeException e) {
      return PlacementScores.NONE;
    }
  }

  UnavailableOfferings unavailable() {
    return unavailable;
  }

  /** The types that fit the pool's constraints, ranked by price per slot, computed once per generation. */
  Selection selection(InstancePool pool, ProviderConfig config) {
    return fitting(pool, config).selection();
  }

  private Fitting fitting(InstancePool pool, ProviderConfig config) {
    String key = pool.getMetadata().getUid() + "/" + pool.getMetadata().getGeneration();
    Fitting cached = selections.get(key);
    if (cached != null) {
      return cached;
    }
    InstancePoolSpec spec = pool.getSpec();
    InstanceConstraints constraints = Constraints.of(spec.getInstances(), spec.getZones(), spec.getCpusPerTask(),
        spec.getMemoryPerTaskGiB(), spec.getTasksPerInstance(), spec.getSpot());
    Selection selection = InstanceSelector.select(providers.catalog(config), constraints);
    selections.keySet().removeIf(k -> k.startsWith(pool.getMetadata().getUid() + "/"));
    selections.put(key, new Fitting(selection, constraints));
    for (Candidate c : selection.ranked()) {
      prices.put(new PriceKey(config.provider(), config.region(), c.typeName(), c.spot(), c.zone()), c.pricePerHour());
    }
    return selections.get(key);
  }

  /** The ranked candidates no capacity error has marked, best first. */
  List<Candidate> usable(Selection selection, List<String> zones) {
    return unavailable.available(selection, zones == null ? List.of() : zones);
  }

  /** The hourly price of a VM in the pool's region: its zone's price, else the region-wide one. */
  OptionalDouble priceOf(Instance vm, ProviderConfig config) {
    Double zoned = prices.get(new PriceKey(config.provider(), config.region(), vm.instanceType(), vm.spot(), vm.zone()));
    Double any = zoned != null ? zoned
        : prices.get(new PriceKey(config.provider(), config.region(), vm.instanceType(), vm.spot(), null));
    return any == null ? OptionalDouble.empty() : OptionalDouble.of(any);
  }

  /**
   * What the VMs alive take of the budget, each at its own zone's price; a VM whose price or type is
   * not known counts at the dearest price and most vCPUs of its type name in the selection.
   */
  PoolSizing.Spend spend(List<Instance> vms, Selection selection, ProviderConfig config) {
    PoolSizing.Spend spend = PoolSizing.Spend.NONE;
    for (Instance vm : vms) {
      if (!vm.state().isAlive()) {
        continue;
      }
      List<Candidate> sameType = selection.ranked().stream().filter(c -> c.typeName().equals(vm.instanceType()))
          .toList();
      int vcpus = sameType.stream().mapToInt(c -> c.type().vcpus()).max().orElse(0);
      double price = priceOf(vm, config).orElse(sameType.stream().mapToDouble(Candidate::pricePerHour).max()
          .orElse(0));
      spend = spend.plus(vcpus, price);
    }
    return spend;
  }

  void forget(InstancePool pool) {
    interruptions.forget(pool);
    selections.keySet().removeIf(k -> k.startsWith(pool.getMetadata().getUid() + "/"));
  }

  /** A pool without a type yet shows the one its first creates will try, and the ranked fallbacks. */
  void firstType(InstancePoolStatus status, Selection selection, List<String> zones) {
    if (status.getInstanceType() != null) {
      return;
    }
    Candidate current = usable(selection, zones).stream().findFirst().orElse(selection.best());
    status.setInstanceType(current.typeName());
    status.setSpot(current.spot());
    status.setPricePerHour(current.pricePerHour());
    status.setFallbackTypes(selection.ranked().stream().skip(1).limit(20).map(Candidate::typeName).distinct()
        .toList());
  }
}
