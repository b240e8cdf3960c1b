package dev.taskjob.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskjob.worker.RetryPolicy.Outcome;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RetryPolicyTest {

  static Stream<Arguments> decisions() {
    RetryPolicy none = RetryPolicy.none();
    RetryPolicy onFailure = new RetryPolicy(true, false, 3, Set.of());
    RetryPolicy onTimeout = new RetryPolicy(false, true, 3, Set.of());
    RetryPolicy exitCodes = new RetryPolicy(false, false, 3, Set.of(75));
    return Stream.of(
        // policy, exit code, timed out, attempt -> outcome, retry
        Arguments.of("success is final", none, 0, false, 1, Outcome.SUCCEEDED, false),
        Arguments.of("success is final even with retries on", onFailure, 0, false, 1, Outcome.SUCCEEDED, false),
        Arguments.of("failure without retry is final", none, 1, false, 1, Outcome.FAILED, false),
        Arguments.of("failure retried on first attempt", onFailure, 1, false, 1, Outcome.FAILED, true),
        Arguments.of("failure retried on second attempt", onFailure, 2, false, 2, Outcome.FAILED, true),
        Arguments.of("failure on last attempt is final", onFailure, 1, false, 3, Outcome.FAILED, false),
        Arguments.of("failure past max attempts is final", onFailure, 1, false, 7, Outcome.FAILED, false),
        Arguments.of("timeout without retry is final", onFailure, 137, true, 1, Outcome.TIMED_OUT, false),
        Arguments.of("timeout retried with retry-on-timeout", onTimeout, 137, true, 1, Outcome.TIMED_OUT, true),
        Arguments.of("timeout on last attempt is final", onTimeout, 137, true, 3, Outcome.TIMED_OUT, false),
        Arguments.of("failure not retried by retry-on-timeout", onTimeout, 1, false, 1, Outcome.FAILED, false),
        Arguments.of("listed exit code retried", exitCodes, 75, false, 1, Outcome.FAILED, true),
        Arguments.of("listed exit code final on last attempt", exitCodes, 75, false, 3, Outcome.FAILED, false),
        Arguments.of("unlisted exit code final", exitCodes, 1, false, 1, Outcome.FAILED, false),
        Arguments.of("killed by signal is a failure", onFailure, 137, false, 1, Outcome.FAILED, true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("decisions")
  void decidesOutcomeAndRetry(String name, RetryPolicy policy, int exit, boolean timedOut, int attempt,
      Outcome outcome, boolean retry) {
    RetryPolicy.Decision d = policy.decide(exit, timedOut, attempt);
    assertThat(d.outcome()).isEqualTo(outcome);
    assertThat(d.retry()).isEqualTo(retry);
    assertThat(d.isFinal()).isEqualTo(!retry);
  }

  static Stream<Arguments> exitCodeLists() {
    return Stream.of(
        Arguments.of("", Set.of()),
        Arguments.of("75", Set.of(75)),
        Arguments.of("3, 5-7,75", Set.of(3, 5, 6, 7, 75)),
        Arguments.of("255", Set.of(255)));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @MethodSource("exitCodeLists")
  void parsesExitCodeLists(String text, Set<Integer> codes) {
    assertThat(RetryPolicy.parseExitCodes(text)).containsExactlyInAnyOrderElementsOf(codes);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"0", "256", "7-5", "abc", "1-x"})
  void refusesBadExitCodes(String text) {
    assertThatThrownBy(() -> RetryPolicy.parseExitCodes(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'");
  }

  @org.junit.jupiter.api.Test
  void refusesZeroAttempts() {
    assertThatThrownBy(() -> new RetryPolicy(true, true, 0, Set.of()))
        .hasMessageContaining("max attempts must be >= 1");
  }
}
