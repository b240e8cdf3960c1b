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

  /**
   * The status shows the bill within 1%, however often the job is looked at, and a steady job's figure
   * changes far less often than it is looked at.
   */
  @ParameterizedTest(name = "${0}/h looked at every {1} s for {2} s")
  @CsvSource(textBlock = """
      2.0,    1, 3600
      2.0,    5, 3600
      0.01,   1, 60
      0.0116, 2, 30
      """)
  void showsTheBillWithoutRewritingEveryLook(double perHour, long lookEvery, long seconds) {
    double accrued = 0;
    double shown = -1;
    int changes = 0;
    for (long t = lookEvery; t <= seconds; t += lookEvery) {
      accrued = CostMeter.accrue(accrued, perHour, T.plusSeconds(t - lookEvery), T.plusSeconds(t));
      double now = CostMeter.forStatus(accrued);
      if (now != shown) {
        changes++;
        shown = now;
      }
    }
    double bill = perHour * seconds / 3600.0;
    assertThat(shown).isPositive().isCloseTo(bill, within(bill * 0.01));
    long looks = seconds / lookEvery;
    if (looks >= 3000) {
      assertThat(changes).isLessThan((int) (looks / 2));
    }
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(textBlock = """
      0,            0
      -1,           0
      0.0000833333, 0.0000833
      1.23456,      1.23
      1234.567,     1230
      """)
  void showsThreeSignificantDigits(double usd, double shown) {
    assertThat(CostMeter.forStatus(usd)).isEqualTo(shown);
  }
}
