package dev.taskjob.operator.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FailureCountTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        // name, counted before, worker says final, maxAttempts, failures, final, final by count
        Arguments.of("first failure of three attempts is retried", 0, false, 3, 1, false, false),
        Arguments.of("second failure of three attempts is retried", 1, false, 3, 2, false, false),
        Arguments.of("third failure of three is final though the worker expected a retry", 2, false, 3, 3, true, true),
        Arguments.of("the worker's final flag is final whatever the count", 0, true, 3, 1, true, false),
        Arguments.of("final flag and count agree: final, not by count", 2, true, 3, 3, true, false),
        Arguments.of("one attempt: the first failure is final", 0, false, 1, 1, true, true),
        Arguments.of("no limit known: only the worker's flag decides", 7, false, FailureCount.NO_LIMIT, 8, false, false),
        Arguments.of("no limit known, final flag", 7, true, FailureCount.NO_LIMIT, 8, true, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decides(String name, int before, boolean workerSaysFinal, int maxAttempts, int failures, boolean isFinal,
      boolean byCount) {
    assertThat(FailureCount.decide(before, workerSaysFinal, maxAttempts))
        .as(name)
        .isEqualTo(new FailureCount.Decision(failures, isFinal, byCount));
  }
}
