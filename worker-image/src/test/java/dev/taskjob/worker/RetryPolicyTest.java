package dev.taskjob.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import static dev.taskjob.worker.TaskOutcome.COULD_NOT_START;
import static dev.taskjob.worker.TaskOutcome.FAILED;
import static dev.taskjob.worker.TaskOutcome.INTERRUPTED;
import static dev.taskjob.worker.TaskOutcome.MEMORY_LIMIT;
import static dev.taskjob.worker.TaskOutcome.SUCCEEDED;
import static dev.taskjob.worker.TaskOutcome.TIMED_OUT;
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
    RetryPolicy everything = new RetryPolicy(true, true, 3, Set.of(75));
    return Stream.of(
        // policy, outcome, exit code, attempt -> retry
        Arguments.of("success is final", none, SUCCEEDED, 0, 1, false),
        Arguments.of("success is final even with retries on", everything, SUCCEEDED, 0, 1, false),
        Arguments.of("failure without retry is final", none, FAILED, 1, 1, false),
        Arguments.of("failure retried on first attempt", onFailure, FAILED, 1, 1, true),
        Arguments.of("failure retried on second attempt", onFailure, FAILED, 2, 2, true),
        Arguments.of("failure on last attempt is final", onFailure, FAILED, 1, 3, false),
        Arguments.of("failure past max attempts is final", onFailure, FAILED, 1, 7, false),
        Arguments.of("timeout without retry is final", onFailure, TIMED_OUT, 137, 1, false),
        Arguments.of("timeout retried with retry-on-timeout", onTimeout, TIMED_OUT, 137, 1, true),
        Arguments.of("timeout on last attempt is final", onTimeout, TIMED_OUT, 137, 3, false),
        Arguments.of("failure not retried by retry-on-timeout", onTimeout, FAILED, 1, 1, false),
        Arguments.of("listed exit code retried", exitCodes, FAILED, 75, 1, true),
        Arguments.of("listed exit code final on last attempt", exitCodes, FAILED, 75, 3, false),
        Arguments.of("unlisted exit code final", exitCodes, FAILED, 1, 1, false),
        Arguments.of("killed by signal is a failure", onFailure, FAILED, 137, 1, true),
        Arguments.of("memory limit never retried", everything, MEMORY_LIMIT, 137, 1, false),
        Arguments.of("could not start never retried", everything, COULD_NOT_START, -1, 1, false),
        Arguments.of("interrupted is released, not retried by the policy", everything, INTERRUPTED, 143, 1, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("decisions")
  void decidesRetry(String name, RetryPolicy policy, TaskOutcome outcome, int exit, int attempt, boolean retry) {
    RetryPolicy.Decision d = policy.decide(outcome, exit, attempt);
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
