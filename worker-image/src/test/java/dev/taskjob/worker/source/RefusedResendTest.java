package dev.taskjob.worker.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RefusedResendTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # case                                            | refusals | secondsLeft | tryAgain | delayMillis
      first refusal: hold and try again after 1 s       | 1        | -           | true     | 1000
      second refusal waits twice as long                | 2        | -           | true     | 2000
      fifth refusal                                     | 5        | -           | true     | 16000
      the wait is capped at 30 s                        | 6        | -           | true     | 30000
      a queue refusing for hours is still tried         | 500      | -           | true     | 30000
      a stopping worker still tries while it waits      | 3        | 25          | true     | 4000
      a stopping worker releases when the wait runs out | 3        | 3           | false    | 0
      and when nothing is left of it                    | 1        | 0           | false    | 0
      """)
  void aRefusedResendIsTriedAgainWhileTheWorkerCanHoldTheDelivery(String name, int refusals, Long secondsLeft,
      boolean tryAgain, long delayMillis) {
    assertThat(RefusedResend.after(refusals, secondsLeft == null ? null : Duration.ofSeconds(secondsLeft)))
        .isEqualTo(new RefusedResend.Next(tryAgain, Duration.ofMillis(delayMillis)));
  }
}
