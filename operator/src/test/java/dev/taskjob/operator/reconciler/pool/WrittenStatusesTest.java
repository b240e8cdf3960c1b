package dev.taskjob.operator.reconciler.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolPhase;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import org.junit.jupiter.api.Test;

/** Which status a look works from: the informer's copy, or this process's last write while the copy is behind. */
class WrittenStatusesTest {

  private final WrittenStatuses written = new WrittenStatuses();
  private final InstancePool pool = pool("uid-1");

  @Test
  void withNoWriteTheCachedStatusIsUsed() {
    InstancePoolStatus cached = status(0, InstancePoolPhase.READY);
    assertThat(written.current(pool, cached)).isSameAs(cached);
  }

  @Test
  void aCachedStatusBehindTheLastWriteGivesWayToIt() {
    written.remember(pool, status(1, InstancePoolPhase.READY), true);
    InstancePoolStatus current = written.current(pool, status(0, InstancePoolPhase.READY));
    assertThat(current.getReplacements()).isEqualTo(1L);
    // each look gets its own copy: what it changes is not the record until written
    current.setReplacements(5L);
    assertThat(written.current(pool, status(0, InstancePoolPhase.READY)).getReplacements()).isEqualTo(1L);
  }

  @Test
  void onceTheCacheShowsTheWriteItIsUsedFromThenOn() {
    written.remember(pool, status(1, InstancePoolPhase.FAILED), true);
    InstancePoolStatus caughtUp = status(1, InstancePoolPhase.FAILED);
    assertThat(written.current(pool, caughtUp)).isSameAs(caughtUp);
    // the record is dropped: a later copy, newer than the write, is not overridden
    InstancePoolStatus later = status(2, InstancePoolPhase.FAILED);
    assertThat(written.current(pool, later)).isSameAs(later);
  }

  @Test
  void aLookThatWritesNothingLeavesNoRecord() {
    written.remember(pool, status(1, InstancePoolPhase.READY), true);
    written.remember(pool, status(1, InstancePoolPhase.READY), false);
    InstancePoolStatus cached = status(0, InstancePoolPhase.READY);
    assertThat(written.current(pool, cached)).isSameAs(cached);
  }

  @Test
  void recordsAreKeptPerPoolAndForgottenWithIt() {
    InstancePool other = pool("uid-2");
    written.remember(pool, status(3, InstancePoolPhase.READY), true);
    InstancePoolStatus otherCached = status(0, InstancePoolPhase.PENDING);
    assertThat(written.current(other, otherCached)).isSameAs(otherCached);
    written.forget(pool);
    InstancePoolStatus cached = status(0, InstancePoolPhase.READY);
    assertThat(written.current(pool, cached)).isSameAs(cached);
  }

  private static InstancePool pool(String uid) {
    InstancePool pool = new InstancePool();
    pool.getMetadata().setName("p");
    pool.getMetadata().setUid(uid);
    return pool;
  }

  private static InstancePoolStatus status(long replacements, InstancePoolPhase phase) {
    InstancePoolStatus status = new InstancePoolStatus();
    status.setReplacements(replacements);
    status.setPhase(phase);
    return status;
  }
}
