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
      # case                                               | loaded | allDone | waiting | leased | dead | emptyAgo | readAgo | activityAgo | loadedAgo | hiddenIn | verdict
      still loading, even if everything so far is done     | false  | true    | 0       | 0      | 0    | 600      | 0       | 600         | -         | -        | KEEP_RUNNING
      every task final drains at once                      | true   | true    | 5       | 2      | 3    | -        | -       | 0           | 0         | -        | ALL_TASKS_FINISHED
      empty queue but recent activity keeps running        | true   | false   | 0       | 0      | 0    | 600      | 0       | 30          | 600       | -        | KEEP_RUNNING
      empty queue and idle for the delay drains            | true   | false   | 0       | 0      | 0    | 600      | -       | 120         | 600       | -        | QUEUE_EMPTY_AND_IDLE
      idle clock starts no earlier than end of loading     | true   | false   | 0       | 0      | 0    | 30       | 0       | -           | 30        | -        | KEEP_RUNNING
      no activity ever, loaded long ago                    | true   | false   | 0       | 0      | 0    | 600      | 0       | -           | 600       | -        | QUEUE_EMPTY_AND_IDLE
      leased tasks keep it running however idle            | true   | false   | 0       | 1      | 0    | -        | 0       | 900         | 900       | -        | KEEP_RUNNING
      waiting tasks keep it running                        | true   | false   | 3       | 0      | 0    | -        | 0       | 900         | 900       | -        | KEEP_RUNNING
      unknown depth never triggers the fallback            | true   | false   | -1      | -1     | -1   | -        | 0       | 900         | 900       | -        | KEEP_RUNNING
      a dead letter not read since the queue emptied waits | true   | false   | 0       | 0      | 1    | 300      | 400     | 900         | 900       | -        | KEEP_RUNNING
      a dead letter read when the queue emptied still waits| true   | false   | 0       | 0      | 1    | 300      | 300     | 900         | 900       | -        | KEEP_RUNNING
      dead letters never read wait                         | true   | false   | 0       | 0      | 2    | 300      | -       | 900         | 900       | -        | KEEP_RUNNING
      dead letters read after the queue emptied drain      | true   | false   | 0       | 0      | 2    | 300      | 10      | 900         | 900       | -        | QUEUE_EMPTY_AND_IDLE
      unknown dead letters read after the queue emptied    | true   | false   | 0       | 0      | -1   | 300      | 10      | 900         | 900       | -        | QUEUE_EMPTY_AND_IDLE
      unknown dead letters never read wait                 | true   | false   | 0       | 0      | -1   | 300      | -       | 900         | 900       | -        | KEEP_RUNNING
      events an earlier reader holds wait for their return | true   | false   | 0       | 0      | 0    | 600      | -       | -           | 600       | 30       | KEEP_RUNNING
      the idle clock runs from the hidden events' return   | true   | false   | 0       | 0      | 0    | 600      | -       | -           | 600       | -30      | KEEP_RUNNING
      hidden events back for the delay drain               | true   | false   | 0       | 0      | 0    | 600      | -       | -           | 600       | -120     | QUEUE_EMPTY_AND_IDLE
      hidden events never hold a job whose tasks are final | true   | true    | 0       | 0      | 0    | 600      | -       | -           | 600       | 30       | ALL_TASKS_FINISHED
      """)
  void decidesWhenToDrain(String name, boolean loaded, boolean allDone, long waiting, long leased, long deadLettered,
      Long emptyAgo, Long readAgo, Long activityAgo, Long loadedAgo, Long hiddenIn, Verdict verdict) {
    DrainDecision.Inputs in = new DrainDecision.Inputs(loaded, allDone, waiting, leased, deadLettered, ago(emptyAgo),
        ago(readAgo), ago(activityAgo), ago(loadedAgo), in(hiddenIn), Duration.ofSeconds(60), NOW);
    assertThat(DrainDecision.decide(in)).isEqualTo(verdict);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # case                                      | activityAgo | loadedAgo | hiddenIn | untilSeconds
      idle for part of the delay                  | 20          | 600       | -        | 40
      idle longer than the delay                  | 600         | 600       | -        | 0
      hidden events push the fallback back        | 600         | 600       | 45       | 105
      hidden events back before the last activity | 20          | 600       | -50      | 40
      """)
  void theNextLookComesWhenTheFallbackCouldFire(String name, Long activityAgo, Long loadedAgo, Long hiddenIn,
      long untilSeconds) {
    DrainDecision.Inputs in = new DrainDecision.Inputs(true, false, 0, 0, 0, NOW, null, ago(activityAgo),
        ago(loadedAgo), in(hiddenIn), Duration.ofSeconds(60), NOW);
    assertThat(DrainDecision.untilFallback(in)).isEqualTo(Duration.ofSeconds(untilSeconds));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # case                                    | beforeAgo | waiting | leased | sinceAgo
      first look that sees the queue empty      | -         | 0       | 0      | 0
      a later empty look keeps the start        | 120       | 0       | 0      | 120
      a waiting task ends the run               | 120       | 1       | 0      | -
      a leased task ends the run                | 120       | 0       | 2      | -
      an unknown depth ends the run             | 120       | -1      | -1     | -
      """)
  void emptySinceIsTheStartOfTheCurrentRunOfEmptyLooks(String name, Long beforeAgo, long waiting, long leased,
      Long sinceAgo) {
    assertThat(DrainDecision.emptySince(ago(beforeAgo), waiting, leased, NOW)).isEqualTo(ago(sinceAgo));
  }

  private static Instant in(Long seconds) {
    return seconds == null ? null : NOW.plusSeconds(seconds);
  }

  private static Instant ago(Long seconds) {
    return seconds == null ? null : NOW.minusSeconds(seconds);
  }
}
