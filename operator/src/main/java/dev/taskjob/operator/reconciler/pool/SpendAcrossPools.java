package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.operator.decision.AdminCaps;
import dev.taskjob.operator.decision.PoolSizing;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What every pool of this operator uses (instances, vCPUs, USD per hour), so that a launch in one pool is
 * checked against the administrator's caps over all of them ({@link AdminCaps}). Each pool's share is what
 * the cloud listed for it at its last reconcile, plus the creates of its current round as they are reserved;
 * every check and reservation is made under one lock, so parallel pools cannot both take the last unit.
 *
 * <p>After a restart, a pool not reconciled yet counts what its status last said ({@link #follow}).
 */
final class SpendAcrossPools {

  private record Share(String namespace, PoolSizing.Spend spend) {}

  private final AdminCaps.Caps caps;
  private final Map<String, Share> shares = new HashMap<>();

  SpendAcrossPools(AdminCaps.Caps caps) {
    this.caps = caps == null ? AdminCaps.Caps.NONE : caps;
  }

  boolean capped() {
    return !caps.isNone();
  }

  /** The pool's VMs as the cloud lists them now (alive ones, each at its own price). */
  synchronized void observed(InstancePool pool, PoolSizing.Spend alive) {
    shares.put(pool.getMetadata().getUid(), new Share(pool.getMetadata().getNamespace(), alive));
  }

  /**
   * Follows the operator's cache of pools: a pool gone from it stops counting, and a pool not counted since
   * this process started counts what its status last said (instances and USD per hour; its vCPUs once it
   * is reconciled), so that launches right after a restart see its VMs. A pool being deleted is counted by
   * its own cleanup.
   */
  synchronized void follow(Collection<InstancePool> known) {
    Set<String> uids = known.stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
    shares.keySet().retainAll(uids);
    for (InstancePool pool : known) {
      InstancePoolStatus status = pool.getStatus();
      if (status == null || pool.getMetadata().getDeletionTimestamp() != null
          || shares.containsKey(pool.getMetadata().getUid())) {
        continue;
      }
      int instances = orZero(status.getPending()) + orZero(status.getRunning()) + orZero(status.getTerminating());
      double price = status.getCostPerHour() == null ? 0 : status.getCostPerHour();
      shares.put(pool.getMetadata().getUid(), new Share(pool.getMetadata().getNamespace(),
          new PoolSizing.Spend(instances, 0, price)));
    }
  }

  /**
   * Reserves one VM for the pool if every cap has room for it.
   *
   * @return the cap that refuses it, or empty when reserved
   */
  synchronized Optional<AdminCaps.Binding> reserve(InstancePool pool, int vcpus, double pricePerHour) {
    String namespace = pool.getMetadata().getNamespace();
    PoolSizing.Spend all = PoolSizing.Spend.NONE;
    PoolSizing.Spend inNamespace = PoolSizing.Spend.NONE;
    for (Share share : shares.values()) {
      all = add(all, share.spend());
      if (share.namespace().equals(namespace)) {
        inNamespace = add(inNamespace, share.spend());
      }
    }
    Optional<AdminCaps.Binding> binding = AdminCaps.binding(caps, namespace, all, inNamespace, vcpus, pricePerHour);
    if (binding.isEmpty()) {
      Share mine = shares.getOrDefault(pool.getMetadata().getUid(), new Share(namespace, PoolSizing.Spend.NONE));
      shares.put(pool.getMetadata().getUid(), new Share(namespace, mine.spend().plus(vcpus, pricePerHour)));
    }
    return binding;
  }

  /** Gives back a reservation whose create the cloud refused. */
  synchronized void release(InstancePool pool, int vcpus, double pricePerHour) {
    Share mine = shares.get(pool.getMetadata().getUid());
    if (mine != null) {
      shares.put(pool.getMetadata().getUid(), new Share(mine.namespace(), mine.spend().minus(vcpus, pricePerHour)));
    }
  }

  synchronized void forget(InstancePool pool) {
    shares.remove(pool.getMetadata().getUid());
  }

  private static int orZero(Integer v) {
    return v == null ? 0 : v;
  }

  private static PoolSizing.Spend add(PoolSizing.Spend a, PoolSizing.Spend b) {
    return new PoolSizing.Spend(a.instances() + b.instances(), a.vcpus() + b.vcpus(),
        a.pricePerHour() + b.pricePerHour());
  }
}
