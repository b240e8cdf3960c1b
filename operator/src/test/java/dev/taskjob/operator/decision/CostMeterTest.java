package dev.taskjob.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CostMeterTest {

  private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # case                                  | soFar | perHour | sinceAgoSeconds | expected
      an hour at a dollar                     | 0     | 1.0     | 3600            | 1.0
      adds to what was accrued                | 2.5   | 0.5     | 1800            | 2.75
      nothing before the first look           | 0     | 4.0     | -               | 0
      nothing when no instances run           | 1.0   | 0       | 3600            | 1.0
      """)
  void accruesCostBetweenLooks(String name, double soFar, double perHour, Long sinceAgo, double expected) {
    double accrued = CostMeter.accrue(soFar, perHour, sinceAgo == null ? null : T.minusSeconds(sinceAgo), T);
    assertThat(accrued).isCloseTo(expected, within(1e-9));
  }
}
