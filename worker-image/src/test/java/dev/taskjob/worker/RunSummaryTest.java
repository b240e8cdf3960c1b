package dev.taskjob.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.taskjob.core.event.EventType;
import org.junit.jupiter.api.Test;

class RunSummaryTest {

  @Test
  void percentilesInterpolateLikeNumpy() {
    RunSummary.Stats s = RunSummary.stats(new double[] {4, 1, 3, 2, 5, 6, 7, 8, 9, 10});
    assertThat(s.count()).isEqualTo(10);
    assertThat(s.min()).isEqualTo(1);
    assertThat(s.max()).isEqualTo(10);
    assertThat(s.mean()).isEqualTo(5.5);
    assertThat(s.median()).isEqualTo(5.5);
    assertThat(s.p90()).isCloseTo(9.1, within(1e-9));
    assertThat(s.p95()).isCloseTo(9.55, within(1e-9));
    assertThat(s.stddev()).isCloseTo(Math.sqrt(8.25), within(1e-9));
  }

  @Test
  void countsFinalOutcomesSeparatelyFromRetriedAttempts() {
    RunSummary summary = new RunSummary();
    summary.started(0);
    summary.attemptEnded(EventType.TASK_COMPLETED, false, 1.0, 1_000_000_000L);
    summary.attemptEnded(EventType.TASK_FAILED, true, 0.5, 1_500_000_000L);
    summary.attemptEnded(EventType.TASK_FAILED, false, 0.5, 2_000_000_000L);
    summary.attemptEnded(EventType.TASK_TIMED_OUT, false, 2.0, 2_000_000_000L);
    summary.interrupted(2_000_000_000L);

    assertThat(summary.succeeded()).isEqualTo(1);
    assertThat(summary.finallyFailed()).isEqualTo(2);
    assertThat(summary.retried()).isEqualTo(1);
    assertThat(summary.interruptedCount()).isEqualTo(1);
    assertThat(summary.finished()).isEqualTo(3);
    assertThat(summary.wallSeconds()).isEqualTo(2.0);
    assertThat(summary.lines()).contains(
        "  Tasks succeeded: 1, failed: 1, timed out: 1, retried attempts: 1, interrupted: 1",
        "    task_failed      (retry=true):       1",
        "  Tasks finished: 3 in 2.00 seconds (1.50 tasks/second)",
        "    Median: 0.750 seconds");
  }
}
