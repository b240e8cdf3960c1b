package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.core.cloud.Instance;
import dev.taskjob.crds.v1alpha1.instancepool.InstanceBill;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.operator.decision.CostMeter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * A pool's bill in its status: {@link CostMeter}'s account (each listed VM's launch, end and price, and
 * the closed sum of VMs the cloud no longer lists) read from and written to {@link InstancePoolStatus}, so
 * an operator restart continues it. The status keeps the account at full precision and shows
 * {@code costSoFar} rounded; readers wanting the exact figure (the job's metrics) use {@link #billed}.
 */
public final class PoolCost {

  private PoolCost() {}

  /** The provider's billing rule for this pool. */
  public static CostMeter.Billing billing(InstancePool pool) {
    return CostMeter.Billing.of(pool.getSpec() == null || pool.getSpec().getProvider() == null ? null
        : pool.getSpec().getProvider().id());
  }

  /** USD the pool's VMs have been billed until {@code now}, at full precision; 0 for a pool with no status. */
  public static double billed(InstancePool pool, Instant now) {
    return pool.getStatus() == null ? 0 : account(pool.getStatus()).total(billing(pool), now);
  }

  /** The bill of each VM the pool listed at its last look, by id: its launch, end and price. */
  public static Map<String, CostMeter.VmLife> listedBills(InstancePool pool) {
    return pool.getStatus() == null ? Map.of() : account(pool.getStatus()).open();
  }

  /** Brings the account up to this look of the cloud's VMs, each priced by {@code priceOf}. */
  static void record(InstancePool pool, InstancePoolStatus status, List<Instance> vms,
      ToDoubleFunction<Instance> priceOf, Instant now) {
    List<CostMeter.Seen> seen = new ArrayList<>();
    for (Instance vm : vms) {
      seen.add(new CostMeter.Seen(vm.id(), vm.launchTime(), vm.state().isAlive(), vm.endTime(),
          priceOf.applyAsDouble(vm)));
    }
    CostMeter.Billing billing = billing(pool);
    CostMeter.Account account = CostMeter.update(account(status), seen, billing, now);
    status.setClosedBillsCost(account.closedUsd());
    List<InstanceBill> bills = new ArrayList<>();
    account.open().forEach((id, life) -> bills.add(new InstanceBill(id, life.launched().toString(),
        life.ended() == null ? null : life.ended().toString(), life.pricePerHour())));
    status.setBills(bills.isEmpty() ? null : bills);
    status.setCostSoFar(CostMeter.forStatus(account.total(billing, now)));
  }

  static CostMeter.Account account(InstancePoolStatus status) {
    Map<String, CostMeter.VmLife> open = new LinkedHashMap<>();
    if (status.getBills() != null) {
      for (InstanceBill b : status.getBills()) {
        open.put(b.getId(), new CostMeter.VmLife(Instant.parse(b.getLaunched()),
            b.getEnded() == null ? null : Instant.parse(b.getEnded()),
            b.getPricePerHour() == null ? 0 : b.getPricePerHour()));
      }
    }
    return new CostMeter.Account(status.getClosedBillsCost() == null ? 0 : status.getClosedBillsCost(), open);
  }
}
