package dev.taskjob.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.operator.decision.DrainDecision.Verdict;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DrainDecisionTest {

  private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # case                                               | loaded | allDone | waiting | leased | activityAgo | loadedAgo | verdict
      still loading, even if everything so far is done     | false  | true    | 0       | 0      | 600         | -         | KEEP_RUNNING
      every task final drains at once                      | true   | true    | 5       | 2      | 0           | 0         | ALL_TASKS_FINISHED
      empty queue but recent activity keeps running        | true   | false   | 0       | 0      | 30          | 600       | KEEP_RUNNING
      empty queue and idle for the delay drains            | true   | false   | 0       | 0      | 120         | 600       | QUEUE_EMPTY_AND_IDLE
      idle clock starts no earlier than end of loading     | true   | false   | 0       | 0      | -           | 30        | KEEP_RUNNING
      no activity ever, loaded long ago                    | true   | false   | 0       | 0      | -           | 600       | QUEUE_EMPTY_AND_IDLE
      leased tasks keep it running however idle            | true   | false   | 0       | 1      | 900         | 900       | KEEP_RUNNING
      waiting tasks keep it running                        | true   | false   | 3       | 0      | 900         | 900       | KEEP_RUNNING
      unknown depth never triggers the fallback            | true   | false   | -1      | -1     | 900         | 900       | KEEP_RUNNING
      """)
  void decidesWhenToDrain(String name, boolean loaded, boolean allDone, long waiting, long leased, Long activityAgo,
      Long loadedAgo, Verdict verdict) {
    DrainDecision.Inputs in = new DrainDecision.Inputs(loaded, allDone, waiting, leased,
        activityAgo == null ? null : NOW.minusSeconds(activityAgo), loadedAgo == null ? null : NOW.minusSeconds(loadedAgo),
        Duration.ofSeconds(60), NOW);
    assertThat(DrainDecision.decide(in)).isEqualTo(verdict);
  }
}
