package dev.taskjob.operator.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import org.junit.jupiter.api.Test;

class LedgerTaskUsageTest {

  private static final long MIB = 1 << 20;

  private static TaskEvent measured(EventType type, long index, int attempt, long peakMiB, double cpu, double elapsed) {
    return TaskEvent.builder(type).taskId("t" + index).taskIndex(index).attempt(attempt).finalAttempt(true)
        .elapsedTime(elapsed).peakMemoryBytes(peakMiB * MIB).cpuSeconds(cpu).instanceId("i-1").build();
  }

  @Test
  void keepsPercentilesOfEachTasksFirstFinalResultOnly() {
    Ledger ledger = new Ledger(102);
    for (int i = 0; i < 100; i++) {
      ledger.apply(measured(EventType.TASK_COMPLETED, i, 1, 100 + i, 1.0, 4.0));
    }
    ledger.apply(measured(EventType.TASK_COMPLETED, 0, 2, 9_000, 99, 4.0)); // a duplicate run: not counted
    ledger.apply(TaskEvent.builder(EventType.TASK_COMPLETED).taskId("t100").taskIndex(100).attempt(1)
        .finalAttempt(true).elapsedTime(1.0).build()); // an older worker that measured nothing

    TaskUsage usage = ledger.usage();
    assertThat(usage.measured()).isEqualTo(100);
    assertThat(usage.peakMemoryMiB().max()).isEqualTo(199.0);
    assertThat(usage.peakMemoryMiB().median()).isCloseTo(149.0, within(2.0));
    assertThat(usage.peakMemoryMiB().percentile(90)).isCloseTo(189.0, within(2.0));
    assertThat(usage.cpuSeconds().max()).isEqualTo(1.0);
    assertThat(usage.cpuCores().median()).isCloseTo(0.25, within(0.01));
  }

  @Test
  void failedTasksCountToo() {
    Ledger ledger = new Ledger(1);
    ledger.apply(measured(EventType.TASK_FAILED, 0, 1, 700, 2.0, 2.0));

    assertThat(ledger.usage().peakMemoryMiB().max()).isEqualTo(700.0);
  }

  @Test
  void percentilesSurviveTheConfigMapRoundTrip() {
    Ledger ledger = new Ledger(50);
    for (int i = 0; i < 50; i++) {
      ledger.apply(measured(EventType.TASK_COMPLETED, i, 1, 256 + i, 3.0, 6.0));
    }
    Ledger restored = LedgerCodec.decode(LedgerCodec.encodeBinary(ledger));

    assertThat(restored.usage().measured()).isEqualTo(50);
    assertThat(restored.usage().peakMemoryMiB().max()).isEqualTo(305.0);
    assertThat(restored.usage().peakMemoryMiB().percentile(90)).isEqualTo(ledger.usage().peakMemoryMiB().percentile(90));
    assertThat(restored.usage().cpuCores().median()).isCloseTo(0.5, within(0.01));
    assertThat(LedgerCodec.summary(ledger)).contains("\"peakMemoryMiB\"", "\"cpuSeconds\"", "\"p99\"");
  }

  @Test
  void aLedgerWithoutMeasurementsSavesNoUsageEntry() {
    assertThat(LedgerCodec.encodeBinary(new Ledger(3))).doesNotContainKey(LedgerCodec.TASK_USAGE_KEY);
  }
}
