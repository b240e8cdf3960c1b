package dev.taskjob.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.operator.decision.HedgeDecision.RunningTask;
import dev.taskjob.operator.decision.HedgeDecision.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HedgeDecisionTest {

  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

  /**
   * p90 is 60 s and the multiple 3 throughout: a task is a straggler after 180 s. Running tasks are given as
   * {@code index:secondsRunning}, hedged ones as indexes, both separated by spaces.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # case                                              | finished | unfinished | paid | busy | running              | hedged | verdict          | hedge
      too few finished for a p90                          | 19       | 3          | 8    | 3    | 1:900 2:900 3:900    | -      | TOO_FEW_FINISHED | -
      nothing finished at all                             | 0        | 3          | 8    | 3    | 1:900                | -      | TOO_FEW_FINISHED | -
      more work than slots is not the tail                | 100      | 9          | 8    | 8    | 1:900                | -      | NOT_IN_TAIL      | -
      outstanding copies count against the tail           | 100      | 7          | 8    | 8    | 1:900 2:900          | 1 2    | NOT_IN_TAIL      | -
      in the tail, nobody past three p90s                 | 100      | 3          | 8    | 3    | 1:180 2:60 3:10      | -      | NO_STRAGGLER     | -
      one straggler gets one copy                         | 100      | 3          | 8    | 3    | 1:181 2:60 3:10      | -      | HEDGE            | 1
      a task is hedged once                               | 100      | 3          | 8    | 4    | 1:900 2:60 3:10      | 1      | NO_STRAGGLER     | -
      longest running first, as many as idle slots        | 100      | 4          | 6    | 4    | 1:200 2:900 3:500 4:5| -      | HEDGE            | 2 3
      losing copies still running take slots             | 100      | 2          | 4    | 4    | 1:900 2:900          | -      | NO_IDLE_SLOT     | -
      exactly at the minimum finished                     | 20       | 1          | 2    | 1    | 7:400                | -      | HEDGE            | 7
      """)
  void decidesWhichStragglersGetACopy(String name, long finished, long unfinished, long paid, long busy,
      String running, String hedged, Verdict verdict, String hedge) {
    HedgeDecision.Result result = HedgeDecision.decide(new HedgeDecision.Inputs(3.0, 20, finished,
        Duration.ofSeconds(60), unfinished, paid, busy, running(running), indexes(hedged), NOW));
    assertThat(result.verdict()).isEqualTo(verdict);
    assertThat(result.hedge()).containsExactlyElementsOf(hedge == null ? List.of() : list(hedge));
  }

  @ParameterizedTest(name = "multiple {0}: {1} s running is a straggler: {2}")
  @CsvSource({"1.5, 91, true", "1.5, 90, false", "10, 601, true", "10, 599, false"})
  void theMultipleOfTheP90SetsTheThreshold(double multiple, long secondsRunning, boolean hedged) {
    HedgeDecision.Result result = HedgeDecision.decide(new HedgeDecision.Inputs(multiple, 20, 50,
        Duration.ofSeconds(60), 1, 4, 1, List.of(new RunningTask(0, NOW.minusSeconds(secondsRunning))), Set.of(),
        NOW));
    assertThat(result.verdict() == Verdict.HEDGE).isEqualTo(hedged);
  }

  private static List<RunningTask> running(String spec) {
    List<RunningTask> out = new ArrayList<>();
    for (String s : spec.trim().split("\\s+")) {
      String[] parts = s.split(":");
      out.add(new RunningTask(Long.parseLong(parts[0]), NOW.minusSeconds(Long.parseLong(parts[1]))));
    }
    return out;
  }

  private static Set<Long> indexes(String spec) {
    return spec == null ? Set.of() : new HashSet<>(list(spec));
  }

  private static List<Long> list(String spec) {
    return Arrays.stream(spec.trim().split("\\s+")).map(Long::parseLong).toList();
  }
}
