package dev.taskjob.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {

  @ParameterizedTest(name = "attempt {0} failed after {1} ms: wait {2} ms")
  @CsvSource({
      // fast failures back off exponentially from 2 s
      "1,       100,    2000",
      "2,       100,    4000",
      "3,       0,      8000",
      "7,       5000,   128000",
      // capped at 5 minutes, without overflow however many attempts
      "8,       100,    256000",
      "9,       100,    300000",
      "1000,    100,    300000",
      "2147483647, 100, 300000",
      // an attempt that ran 30 s or more did real work: at once
      "1,       29999,  2000",
      "1,       30000,  0",
      "5,       600000, 0"})
  void delay(int failedAttempt, long ranForMillis, long expectedMillis) {
    RetryBackoff backoff = RetryBackoff.defaults(Duration.ofSeconds(2));

    assertThat(backoff.delay(failedAttempt, Duration.ofMillis(ranForMillis)).toMillis()).isEqualTo(expectedMillis);
  }

  @Test
  void zeroInitialDelayTurnsBackOffOff() {
    RetryBackoff off = RetryBackoff.defaults(Duration.ZERO);

    assertThat(off.delay(1, Duration.ZERO)).isZero();
    assertThat(off.delay(50, Duration.ofMillis(1))).isZero();
  }

  @Test
  void aMaxBelowTheInitialDelayIsRaisedToIt() {
    RetryBackoff backoff = new RetryBackoff(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(30));

    assertThat(backoff.delay(3, Duration.ZERO)).isEqualTo(Duration.ofSeconds(10));
    assertThatThrownBy(() -> new RetryBackoff(Duration.ofSeconds(-1), Duration.ZERO, Duration.ZERO))
        .hasMessageContaining("must not be negative");
  }
}
