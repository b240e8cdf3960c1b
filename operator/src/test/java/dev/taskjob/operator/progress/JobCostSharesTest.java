package dev.taskjob.operator.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.operator.decision.CostBreakdown;
import dev.taskjob.operator.decision.CostMeter;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.ledger.LedgerCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobCostSharesTest {

  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void eachSucceededTasksOwnCostGoesToTheLedgerAndTheBillIsSplit() throws Exception {
    Ledger ledger = new Ledger(10);
    JobProgress progress = new JobProgress(ledger, new Heartbeats(), Duration.ofMinutes(1));
    // one VM at $3.60/hour with one slot: $0.001 a slot-second
    List<SlotUsage.Bill> bills = List.of(new SlotUsage.Bill("i-1", new CostMeter.VmLife(T, null, 3.6)));
    progress.costShares(bills, 1, 3.6, CostMeter.Billing.GCE, 0, T);
    List<TaskEvent> events = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      // task i runs (i + 1) * 10 seconds, one after the other from second 100
      double start = 100 + 10 * i * (i + 1) / 2.0;
      events.add(TaskEvent.builder(EventType.TASK_COMPLETED).timestamp(at(start + (i + 1) * 10)).instanceId("i-1")
          .slot(0).taskId("t" + i).taskIndex(i).attempt(1).finalAttempt(true).elapsedTime((i + 1) * 10).build());
    }
    progress.apply(events, at(700));

    JobProgress.TaskCosts costs = progress.taskCosts();
    assertThat(costs.count()).isEqualTo(10);
    assertThat(costs.p50()).isCloseTo(0.05, within(0.05 * 0.01));
    assertThat(costs.p90()).isCloseTo(0.09, within(0.09 * 0.01));
    assertThat(costs.p99()).isCloseTo(0.10, within(0.10 * 0.01));

    CostBreakdown.Shares s = progress.costShares(bills, 1, 3.6, CostMeter.Billing.GCE, 0.7, at(700));
    assertThat(s.billed()).isCloseTo(0.7, within(1e-12));
    assertThat(s.boot()).isCloseTo(0.1, within(1e-12));
    assertThat(s.tasks()).isCloseTo(0.55, within(1e-9));
    assertThat(s.idle()).isCloseTo(0.05, within(1e-9));

    Ledger restored = LedgerCodec.decode(LedgerCodec.encodeBinary(ledger));
    assertThat(restored.taskCostMicros().count()).isEqualTo(10);
    assertThat(restored.taskCostMicros().median()).isEqualTo(ledger.taskCostMicros().median());
    assertThat(LedgerCodec.summary(ledger)).contains("\"taskCostUsd\"", "\"p50\"", "\"p90\"", "\"p99\"");
  }

  private static Instant at(double seconds) {
    return T.plusNanos((long) (seconds * 1e9));
  }
}
