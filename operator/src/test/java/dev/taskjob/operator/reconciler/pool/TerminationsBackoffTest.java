package dev.taskjob.operator.reconciler.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.operator.decision.ErrorClassifier;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How long a refused terminate waits before a look sends it again. */
class TerminationsBackoffTest {

  @ParameterizedTest(name = "{0} refusals, {1}: {2} s")
  @CsvSource({
      "1, TRANSIENT, 5",
      "2, TRANSIENT, 10",
      "3, CAPACITY, 20",
      "6, TRANSIENT, 160",
      "7, TRANSIENT, 300",
      "40, TRANSIENT, 300",
      "1, NEEDS_USER, 300",
      "1, PERMANENT, 300",
  })
  void doublesFromFiveSecondsToFiveMinutesAndWaitsTheLongestForAnErrorNotRetried(int refusals,
      ErrorClassifier.Kind kind, long seconds) {
    ErrorClassifier.Classified error = new ErrorClassifier.Classified(kind, kind.reason(), "refused");
    assertThat(Terminations.backoff(refusals, error)).isEqualTo(Duration.ofSeconds(seconds));
  }
}
