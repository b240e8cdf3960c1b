package dev.taskjob.operator.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.operator.decision.CostBreakdown;
import dev.taskjob.operator.decision.CostBreakdown.Shares;
import dev.taskjob.operator.decision.CostMeter.Billing;
import dev.taskjob.operator.decision.CostMeter.VmLife;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlotUsageTest {

  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
  /** $7.20 an hour, two slots: $0.001 a slot-second. */
  private static final double PRICE = 7.2;

  @Test
  void splitsAVmsBillFromItsWorkersEvents() {
    SlotUsage usage = new SlotUsage();
    usage.observe(List.of(bill("i-1", 0, null)), 2, PRICE / 2, Billing.GCE, at(10));
    usage.record(started("i-1", 0, 7, 100));
    usage.record(started("i-1", 1, 8, 100));
    double cost = usage.record(ended(EventType.TASK_COMPLETED, "i-1", 0, 7, 400, 300));
    assertThat(cost).as("the task's own share").isCloseTo(0.3, within(1e-12));
    usage.record(ended(EventType.TASK_RETRIED, "i-1", 1, 8, 300, 200));
    // the VM is preempted at 1000 with slot 0 busy since 500: that attempt is lost with it
    usage.record(started("i-1", 0, 9, 500));
    usage.observe(List.of(bill("i-1", 0, 1000.0)), 2, PRICE / 2, Billing.GCE, at(1010));

    Shares s = usage.shares(Billing.GCE, at(1010));
    assertThat(s.billed()).isEqualTo(2.0);
    assertThat(s.tasks()).isCloseTo(0.3, within(1e-12));
    assertThat(s.boot()).isCloseTo(0.2, within(1e-12));
    assertThat(s.interrupted()).isCloseTo(0.2 + 0.5, within(1e-12));
    assertThat(s.drain()).isCloseTo(0, within(1e-12));
    assertThat(s.idle()).isCloseTo(2.0 - 0.3 - 0.2 - 0.7, within(1e-12));
  }

  @Test
  void aRedeliveredEventCountsOnceAndALateStartIsStale() {
    SlotUsage usage = new SlotUsage();
    usage.observe(List.of(bill("i-1", 0, null)), 2, PRICE / 2, Billing.GCE, at(10));
    TaskEvent done = ended(EventType.TASK_COMPLETED, "i-1", 0, 7, 400, 300);
    usage.record(done);
    assertThat(usage.record(done)).isZero();
    // its start arrives after its end: no attempt is left open (it would count as running work)
    usage.record(started("i-1", 0, 7, 100));
    Shares all = usage.shares(Billing.GCE, at(1000));
    assertThat(all.tasks()).isCloseTo(0.3, within(1e-12));
  }

  @Test
  void aVmThePoolNoLongerListsIsFoldedAndLateEventsForItAreIgnored() {
    SlotUsage usage = new SlotUsage();
    usage.observe(List.of(bill("i-1", 0, null)), 2, PRICE / 2, Billing.GCE, at(10));
    usage.record(ended(EventType.TASK_COMPLETED, "i-1", 0, 7, 600, 500));
    usage.observe(List.of(bill("i-1", 0, 1000.0)), 2, PRICE / 2, Billing.GCE, at(1000));
    usage.observe(List.of(), 2, PRICE / 2, Billing.GCE, at(2000));
    usage.record(ended(EventType.TASK_COMPLETED, "i-1", 1, 8, 900, 800));

    Shares s = usage.shares(Billing.GCE, at(3000));
    assertThat(s.tasks()).isCloseTo(0.5, within(1e-12));
    assertThat(s.boot()).isCloseTo(0.2, within(1e-12));
    assertThat(s.drain()).isCloseTo(0.8, within(1e-12));
    assertThat(s.idle()).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void whatThePoolBilledBeyondTheObservedVmsIsIdle() {
    SlotUsage usage = new SlotUsage();
    usage.observe(List.of(bill("i-2", 0, 1000.0)), 2, PRICE / 2, Billing.GCE, at(1000));
    usage.record(ended(EventType.TASK_COMPLETED, "i-2", 0, 1, 1000, 1000));
    Shares s = CostBreakdown.fitTo(usage.shares(Billing.GCE, at(1000)), 3.0);
    assertThat(s.billed()).isEqualTo(3.0);
    assertThat(s.tasks()).isCloseTo(1.0, within(1e-12));
    assertThat(s.idle()).isCloseTo(2.0, within(1e-12));
  }

  @Test
  void aTasksCostBeforeItsVmIsListedUsesThePoolsPricePerSlot() {
    SlotUsage usage = new SlotUsage();
    usage.observe(List.of(), 2, PRICE / 2, Billing.GCE, at(0));
    assertThat(usage.record(ended(EventType.TASK_COMPLETED, "i-9", 0, 1, 100, 100))).isCloseTo(0.1, within(1e-12));
  }

  @Test
  void aRestartContinuesTheSplitFromWhatWasSaved() {
    SlotUsage usage = new SlotUsage();
    usage.observe(List.of(bill("i-1", 0, null), bill("i-2", 0, 50.0)), 2, PRICE / 2, Billing.GCE, at(60));
    usage.observe(List.of(bill("i-1", 0, null)), 2, PRICE / 2, Billing.GCE, at(70));
    usage.record(ended(EventType.TASK_COMPLETED, "i-1", 0, 7, 400, 300));
    usage.record(started("i-1", 1, 8, 500));

    SlotUsage restored = SlotUsage.decode(usage.encode());
    assertThat(restored.shares(Billing.GCE, at(900))).isEqualTo(usage.shares(Billing.GCE, at(900)));
    // the copy of an event seen before the restart is still recognised, the open attempt still ends
    assertThat(restored.record(ended(EventType.TASK_COMPLETED, "i-1", 0, 7, 400, 300))).isZero();
    assertThat(restored.record(ended(EventType.TASK_COMPLETED, "i-1", 1, 8, 700, 200))).isCloseTo(0.2, within(1e-12));
    assertThat(restored.record(ended(EventType.TASK_COMPLETED, "i-2", 0, 9, 40, 10))).isZero();
    assertThat(SlotUsage.decode(new byte[] {1, 2, 3}).shares(Billing.GCE, at(900))).isEqualTo(Shares.ZERO);
    assertThat(SlotUsage.decode(null).shares(Billing.GCE, at(900))).isEqualTo(Shares.ZERO);
  }

  private static SlotUsage.Bill bill(String id, double launched, Double ended) {
    return new SlotUsage.Bill(id, new VmLife(at(launched), ended == null ? null : at(ended), PRICE));
  }

  private static TaskEvent started(String vm, int slot, long task, double at) {
    return TaskEvent.builder(EventType.TASK_STARTED).timestamp(at(at)).instanceId(vm).slot(slot).taskIndex(task)
        .attempt(1).build();
  }

  private static TaskEvent ended(EventType type, String vm, int slot, long task, double at, double elapsed) {
    return TaskEvent.builder(type).timestamp(at(at)).instanceId(vm).slot(slot).taskIndex(task).attempt(1)
        .elapsedTime(elapsed).build();
  }

  private static Instant at(double seconds) {
    return T.plusNanos((long) (seconds * 1e9));
  }
}
