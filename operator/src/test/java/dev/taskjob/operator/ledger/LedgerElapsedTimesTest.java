package dev.taskjob.operator.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import org.junit.jupiter.api.Test;

class LedgerElapsedTimesTest {

  private static TaskEvent finished(EventType type, long index, int attempt, double elapsed, boolean isFinal) {
    return TaskEvent.builder(type).taskId("t" + index).taskIndex(index).attempt(attempt).elapsedTime(elapsed)
        .finalAttempt(isFinal).instanceId("i-1").build();
  }

  @Test
  void countsEachTasksFirstFinalResultOnce() {
    Ledger ledger = new Ledger(3);
    ledger.apply(finished(EventType.TASK_COMPLETED, 0, 1, 1.0, true));
    ledger.apply(finished(EventType.TASK_FAILED, 1, 1, 9.0, false)); // retried: not final
    ledger.apply(finished(EventType.TASK_FAILED, 1, 2, 2.0, true));
    ledger.apply(finished(EventType.TASK_COMPLETED, 0, 2, 50.0, true)); // a duplicate run

    assertThat(ledger.elapsedTimes().count()).isEqualTo(2);
    assertThat(ledger.elapsedTimes().min()).isEqualTo(1.0);
    assertThat(ledger.elapsedTimes().max()).isEqualTo(2.0);
  }

  @Test
  void elapsedTimesSurviveTheConfigMapRoundTrip() throws Exception {
    Ledger ledger = new Ledger(100);
    for (int i = 0; i < 100; i++) {
      ledger.apply(finished(EventType.TASK_COMPLETED, i, 1, 0.1 + i / 100.0, true));
    }
    Ledger restored = LedgerCodec.decode(LedgerCodec.encodeBinary(ledger));

    assertThat(restored.elapsedTimes().count()).isEqualTo(100);
    assertThat(restored.elapsedTimes().format("  ")).isEqualTo(ledger.elapsedTimes().format("  "));
    assertThat(LedgerCodec.summary(ledger)).contains("\"elapsedSeconds\"", "\"median\"", "\"p95\"");
  }
}
