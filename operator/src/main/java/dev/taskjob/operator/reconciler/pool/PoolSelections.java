package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolSpec;
import dev.taskjob.operator.cloud.ProviderAccess;
import dev.taskjob.operator.decision.PoolSizing;
import dev.taskjob.operator.selection.Candidate;
import dev.taskjob.operator.selection.InstanceSelector;
import dev.taskjob.operator.selection.Selection;
import dev.taskjob.operator.selection.UnavailableOfferings;
import dev.taskjob.operator.validation.Constraints;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place a pool's instance type is chosen: the ranked types for its constraints (computed once
 * per generation), less the offerings a capacity error made unavailable (zone-aware, shared with the
 * launcher), and the price of every type seen, by provider, region, type, market and zone.
 */
final class PoolSelections {

  /** A price is a fact of one offering: the same type name costs differently in another region or zone. */
  record PriceKey(String provider, String region, String type, boolean spot, String zone) {}

  private final ProviderAccess providers;
  private final UnavailableOfferings unavailable;
  private final Map<String, Selection> selections = new ConcurrentHashMap<>();
  private final Map<PriceKey, Double> prices = new ConcurrentHashMap<>();

  PoolSelections(ProviderAccess providers, UnavailableOfferings unavailable) {
    this.providers = providers;
    this.unavailable = unavailable;
  }

  UnavailableOfferings unavailable() {
    return unavailable;
  }

  /** The ranked types for the pool's constraints, computed once per generation. */
  Selection selection(InstancePool pool, ProviderConfig config) {
    String key = pool.getMetadata().getUid() + "/" + pool.getMetadata().getGeneration();
    Selection cached = selections.get(key);
    if (cached != null) {
      return cached;
    }
    InstancePoolSpec spec = pool.getSpec();
    Selection selection = InstanceSelector.select(providers.catalog(config), Constraints.of(spec.getInstances(),
        spec.getZones(), spec.getCpusPerTask(), spec.getMemoryPerTaskGiB(), spec.getTasksPerInstance(),
        spec.getSpot()));
    forget(pool);
    selections.put(key, selection);
    for (Candidate c : selection.ranked()) {
      prices.put(new PriceKey(config.provider(), config.region(), c.typeName(), c.spot(), c.zone()), c.pricePerHour());
    }
    return selection;
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
    selections.keySet().removeIf(k -> k.startsWith(pool.getMetadata().getUid() + "/"));
  }
}
