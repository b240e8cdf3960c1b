package dev.taskjob.operator.reconciler.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.operator.decision.AdminCaps;
import dev.taskjob.operator.decision.PoolSizing.Spend;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpendAcrossPoolsTest {

  private static InstancePool pool(String namespace, String uid) {
    InstancePool pool = new InstancePool();
    pool.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(uid).withUid(uid).build());
    return pool;
  }

  @Test
  void aReservationCountsEveryPoolOfTheOperatorAndOnlyThoseOfItsNamespaceForTheNamespaceCap() {
    SpendAcrossPools spend = new SpendAcrossPools(new AdminCaps.Caps(new AdminCaps.Limits(5, null, null),
        new AdminCaps.Limits(2, null, null)));
    InstancePool a1 = pool("team-a", "a1");
    InstancePool a2 = pool("team-a", "a2");
    InstancePool b1 = pool("team-b", "b1");
    spend.observed(a1, new Spend(1, 4, 0.2));
    spend.observed(b1, new Spend(2, 8, 0.4));

    assertThat(spend.reserve(a2, 4, 0.2)).as("team-a's second VM").isEmpty();
    assertThat(spend.reserve(a2, 4, 0.2)).hasValueSatisfying(b -> {
      assertThat(b.scope()).isEqualTo(AdminCaps.Scope.NAMESPACE);
      assertThat(b.inUse()).isEqualTo(2);
    });
    assertThat(spend.reserve(b1, 4, 0.2)).as("a third VM of team-b would pass its cap of 2")
        .isPresent();

    spend.release(a2, 4, 0.2);
    assertThat(spend.reserve(b1, 4, 0.2)).as("team-b is at its namespace cap of 2").isPresent();
    spend.observed(b1, new Spend(1, 4, 0.2));
    assertThat(spend.reserve(b1, 4, 0.2)).as("a VM of team-b went").isEmpty();
    // a1 1, a2 0, b1 2: 3 of the operator's 5
    spend.observed(a2, new Spend(1, 4, 0.2));
    spend.observed(pool("team-c", "c1"), new Spend(1, 4, 0.2));
    assertThat(spend.reserve(pool("team-d", "d1"), 4, 0.2)).hasValueSatisfying(b ->
        assertThat(b.scope()).isEqualTo(AdminCaps.Scope.OPERATOR));

    spend.forget(a1);
    assertThat(spend.reserve(pool("team-d", "d1"), 4, 0.2)).as("a deleted pool no longer counts").isEmpty();
  }

  @Test
  void aNamespaceWithItsOwnCapIsHeldAtItsOwnCapAndOthersAtTheDefault() {
    SpendAcrossPools spend = new SpendAcrossPools(new AdminCaps.Caps(AdminCaps.Limits.NONE,
        new AdminCaps.Limits(1, null, null), java.util.Map.of("big", new AdminCaps.Limits(3, null, null))));
    InstancePool big = pool("big", "big1");
    InstancePool small = pool("small", "small1");

    assertThat(spend.reserve(small, 4, 0.2)).isEmpty();
    assertThat(spend.reserve(small, 4, 0.2)).as("the default of 1").hasValueSatisfying(b ->
        assertThat(b.message("small")).endsWith("(--namespace-max-instances)"));
    for (int i = 0; i < 3; i++) {
      assertThat(spend.reserve(big, 4, 0.2)).as("big's VM " + (i + 1)).isEmpty();
    }
    assertThat(spend.reserve(big, 4, 0.2)).as("big's own cap of 3").hasValueSatisfying(b ->
        assertThat(b.message("big")).isEqualTo("the jobs of namespace big use 3 of the administrator's cap of 3 "
            + "instances (--namespace-cap big:instances)"));
  }

  @Test
  void afterARestartAPoolNotYetReconciledCountsWhatItsStatusSaid() {
    SpendAcrossPools spend = new SpendAcrossPools(new AdminCaps.Caps(new AdminCaps.Limits(4, null, 1.0),
        AdminCaps.Limits.NONE));
    InstancePool running = pool("team-a", "r1");
    InstancePoolStatus status = new InstancePoolStatus();
    status.setPending(1);
    status.setRunning(2);
    status.setTerminating(1);
    status.setCostPerHour(0.8);
    running.setStatus(status);
    InstancePool deleting = pool("team-a", "gone");
    deleting.setStatus(status);
    deleting.getMetadata().setDeletionTimestamp("2026-12-02T10:00:00Z");
    spend.follow(List.of(running, deleting));

    assertThat(spend.reserve(pool("team-b", "new"), 2, 0.1)).as("4 VMs listed in the status").isPresent();
    spend.observed(running, new Spend(2, 8, 0.5));
    spend.follow(List.of(running, deleting));
    assertThat(spend.reserve(pool("team-b", "new"), 2, 0.1)).as("its own reconcile replaced the status count")
        .isEmpty();

    spend.follow(List.of(pool("team-b", "new")));
    assertThat(spend.reserve(pool("team-b", "new"), 2, 0.1)).as("a pool gone from the cache stops counting")
        .isEmpty();
  }

  @Test
  void withoutCapsNothingIsEverRefused() {
    SpendAcrossPools spend = new SpendAcrossPools(AdminCaps.Caps.NONE);
    assertThat(spend.capped()).isFalse();
    for (int i = 0; i < 100; i++) {
      assertThat(spend.reserve(pool("ns", "p"), 64, 10)).isEmpty();
    }
  }
}
