package dev.taskjob.operator.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where a spot offering's interruption rate comes from: observed, placement score, user's hint, default prior. */
class InterruptionRateTest {

  private static final Instant NOW = Instant.parse("2026-03-01T00:00:00Z");

  @ParameterizedTest(name = "score {0} -> {1}/h")
  @CsvSource({
      "10, 0.01", "9, 0.02", "8, 0.03", "7, 0.05", "6, 0.07", "5, 0.10", "4, 0.15", "3, 0.20", "2, 0.30", "1, 0.50",
      "11, 0.01", "0, 0.50"})
  void aPlacementScoreStandsForARatePerHour(int score, double perHour) {
    assertThat(InterruptionRate.perHourForPlacementScore(score)).isEqualTo(perHour);
  }

  @Test
  void aLowerScoreNeverMeansFewerInterruptionsAndSevenIsTheDefaultPrior() {
    for (int score = 1; score < 10; score++) {
      assertThat(InterruptionRate.perHourForPlacementScore(score))
          .isGreaterThan(InterruptionRate.perHourForPlacementScore(score + 1));
    }
    assertThat(InterruptionRate.perHourForPlacementScore(7)).isEqualTo(InterruptionRate.DEFAULT_PRIOR_PER_HOUR);
  }

  /** The order of sources: observed (blended with the next known one), score, user's hint, default prior. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # case                                      | observed h | interruptions | score | hint | source          | perHour | describe
      nothing known                               | -          | -             | -     | -    | DEFAULT_PRIOR   | 0.05    | 5.0%/h default prior
      the user's hint                             | -          | -             | -     | 0.2  | USER            | 0.2     | 20.0%/h from spec.instances.interruptionsPerHour
      a score comes before the user's hint        | -          | -             | 8     | 0.2  | PLACEMENT_SCORE | 0.03    | 3.0%/h from 8/10 placement score
      a score alone                               | -          | -             | 2     | -    | PLACEMENT_SCORE | 0.30    | 30.0%/h from 2/10 placement score
      observed, blended with the score            | 16         | 2             | 10    | 0.5  | OBSERVED        | 0.102   | 10.2%/h observed over 16 VM-hours and 10/10 placement score
      observed, blended with the hint when no score | 16         | 2             | -     | 0.5  | OBSERVED        | 0.2     | 20.0%/h observed over 16 VM-hours
      too little exposure: the score              | 1          | 1             | 9     | -    | PLACEMENT_SCORE | 0.02    | 2.0%/h from 9/10 placement score
      """)
  void takesTheFirstKnownSource(String name, Double hours, Integer interruptions, Integer score, Double hint,
      InterruptionRate.Source source, double perHour, String describe) {
    InterruptionHistory history = new InterruptionHistory();
    if (hours != null) {
      history.record("m5.large", "us-east-1a", hours, interruptions, NOW);
    }
    InterruptionRate rate = InterruptionRate.estimate(history, "m5.large", "us-east-1a",
        score == null ? OptionalInt.empty() : OptionalInt.of(score), hint, NOW);
    assertThat(rate.source()).isEqualTo(source);
    assertThat(rate.perHour()).isCloseTo(perHour, within(1e-9));
    assertThat(rate.describe()).isEqualTo(describe);
  }
}
