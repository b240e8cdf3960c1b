package dev.taskjob.operator.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.operator.decision.HedgeDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A hedged copy's results: the first success wins, the other is a duplicate, a copy's failure counts nothing. */
class LedgerHedgeTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static TaskEvent event(EventType type, long index, String instance, boolean hedge, long at) {
    TaskEvent.Builder b = TaskEvent.builder(type).timestamp(T0.plusSeconds(at)).instanceId(instance)
        .taskId("t-" + index).taskIndex(index).attempt(1).hedge(hedge).elapsedTime(at);
    if (type != EventType.TASK_COMPLETED) {
      b.finalAttempt(!hedge).retry(false).exitCode(1);
    } else {
      b.finalAttempt(true).exitCode(0);
    }
    return b.build();
  }

  @Test
  void theCopyWinsAndTheOriginalIsADuplicate() {
    Ledger ledger = new Ledger(2);
    assertThat(ledger.apply(event(EventType.TASK_COMPLETED, 0, "vm-2", true, 60))).isEqualTo(Ledger.Outcome.SUCCEEDED);
    assertThat(ledger.apply(event(EventType.TASK_COMPLETED, 0, "vm-1", false, 600)))
        .isEqualTo(Ledger.Outcome.DUPLICATE);
    assertThat(ledger.succeeded()).isEqualTo(1);
    assertThat(ledger.duplicates()).isEqualTo(1);
    assertThat(ledger.retried()).isZero();
    assertThat(ledger.elapsedTimes().count()).as("the task's time counted once").isEqualTo(1);
  }

  @Test
  void theOriginalWinsAndTheCopyIsADuplicate() {
    Ledger ledger = new Ledger(1);
    assertThat(ledger.apply(event(EventType.TASK_COMPLETED, 0, "vm-1", false, 300))).isEqualTo(Ledger.Outcome.SUCCEEDED);
    assertThat(ledger.apply(event(EventType.TASK_COMPLETED, 0, "vm-2", true, 320))).isEqualTo(Ledger.Outcome.DUPLICATE);
    assertThat(ledger.succeeded()).isEqualTo(1);
    assertThat(ledger.duplicates()).isEqualTo(1);
  }

  @Test
  void aFailedCopyUsesNoAttemptAndLeavesTheTaskToItsOriginal() {
    Ledger ledger = new Ledger(1);
    assertThat(ledger.apply(event(EventType.TASK_FAILED, 0, "vm-2", true, 10))).isEqualTo(Ledger.Outcome.IGNORED);
    assertThat(ledger.apply(event(EventType.TASK_TIMED_OUT, 0, "vm-2", true, 20))).isEqualTo(Ledger.Outcome.IGNORED);
    assertThat(ledger.failed()).isZero();
    assertThat(ledger.retried()).isZero();
    assertThat(ledger.remaining()).isEqualTo(1);
    assertThat(ledger.apply(event(EventType.TASK_COMPLETED, 0, "vm-1", false, 700))).isEqualTo(Ledger.Outcome.SUCCEEDED);
    assertThat(ledger.duplicates()).isZero();
  }

  @Test
  void theHedgedSetSurvivesTheCodecSparseAndCompact() throws Exception {
    Ledger ledger = new Ledger(1_000_000);
    long[] hedged = {0, 1, 127, 128, 16_384, 999_999};
    Arrays.stream(hedged).forEach(ledger::markHedged);
    ledger.markHedged(-1);
    ledger.markHedged(1_000_000);

    Map<String, byte[]> binary = LedgerCodec.encodeBinary(ledger);
    Ledger restored = LedgerCodec.decode(binary);

    assertThat(restored.hedgedIndexes()).containsExactly(hedged);
    assertThat(restored.hedgedCount()).isEqualTo(6);
    assertThat(restored.isHedged(16_384)).isTrue();
    assertThat(restored.isHedged(16_383)).isFalse();
    assertThat(binary.get(LedgerCodec.HEDGED_KEY).length).as("a few bytes per copy, not a bitmap of the job")
        .isLessThan(64);
    assertThat(LedgerCodec.parseHedged(LedgerCodec.hedgedBytes(hedged))).containsExactly(hedged);
    assertThat(LedgerCodec.summary(restored)).contains("\"hedged\" : 6");
  }

  @Test
  void noCopySentWritesNoEntry() {
    assertThat(LedgerCodec.encodeBinary(new Ledger(10))).doesNotContainKey(LedgerCodec.HEDGED_KEY);
    assertThat(LedgerCodec.decode(LedgerCodec.encodeBinary(new Ledger(10))).hedgedCount()).isZero();
  }

  @Test
  void aTruncatedEntryIsCorruptNotAShorterSet() {
    byte[] cut = {(byte) 0x80};
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> LedgerCodec.parseHedged(cut))
        .isInstanceOf(java.io.IOException.class);
  }

  /**
   * An operator restart between sending a copy and the copy's result: the restored ledger still knows the
   * straggler has a copy, so the decision sends none again, and the copy's late result is a duplicate.
   */
  @Test
  void afterARestartAStragglerWithACopyGetsNoSecondAndItsDuplicateIsCounted() {
    Instant now = T0.plusSeconds(3600);
    Ledger before = new Ledger(30);
    for (int i = 2; i < 30; i++) {
      before.apply(event(EventType.TASK_COMPLETED, i, "vm-1", false, 60));
    }
    List<HedgeDecision.RunningTask> running = List.of(new HedgeDecision.RunningTask(0, now.minusSeconds(900)),
        new HedgeDecision.RunningTask(1, now.minusSeconds(900)));
    HedgeDecision.Result first = decide(before, running, now);
    assertThat(first.verdict()).isEqualTo(HedgeDecision.Verdict.HEDGE);
    assertThat(first.hedge()).containsExactlyInAnyOrder(0L, 1L);
    first.hedge().forEach(before::markHedged);

    Ledger after = LedgerCodec.decode(LedgerCodec.encodeBinary(before)); // the operator restarted

    HedgeDecision.Result again = decide(after, running, now.plusSeconds(60));
    assertThat(again.verdict()).isNotEqualTo(HedgeDecision.Verdict.HEDGE);
    assertThat(again.hedge()).isEmpty();
    assertThat(after.apply(event(EventType.TASK_COMPLETED, 0, "vm-2", true, 120)))
        .isEqualTo(Ledger.Outcome.SUCCEEDED);
    assertThat(after.apply(event(EventType.TASK_COMPLETED, 0, "vm-1", false, 950)))
        .isEqualTo(Ledger.Outcome.DUPLICATE);
    assertThat(after.duplicates()).isEqualTo(1);
    assertThat(after.hedgedCount()).isEqualTo(2);
  }

  /** p90 60 s, three p90s make a straggler, eight paid slots of which the two stragglers are busy. */
  private static HedgeDecision.Result decide(Ledger ledger, List<HedgeDecision.RunningTask> running, Instant now) {
    return HedgeDecision.decide(new HedgeDecision.Inputs(3.0, 20, ledger.elapsedTimes().count(),
        Duration.ofSeconds(60), ledger.remaining(), 8, running.size(), running,
        Arrays.stream(ledger.hedgedIndexes()).boxed().collect(Collectors.toSet()), now));
  }
}
