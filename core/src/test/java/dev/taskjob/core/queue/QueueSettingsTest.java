package dev.taskjob.core.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How long a received task stays leased, given the task's maximum runtime. */
class QueueSettingsTest {

  @ParameterizedTest(name = "max runtime {0}s -> lease {1}s")
  @CsvSource({
      "-5,     30",
      "0,      30",
      "1,      30",
      "60,     45",
      "600,    180",
      "2280,   600",
      "2400,   600",
      "3600,   600",
      "86400,  600",
  })
  void leasesAQuarterOfMaxRuntimePlus30sBetween30sAnd10min(long maxRuntimeSeconds, long leaseSeconds) {
    assertThat(QueueSettings.leaseFor(Duration.ofSeconds(maxRuntimeSeconds))).isEqualTo(Duration.ofSeconds(leaseSeconds));
  }

  @Test
  void refusesFewerThanOneAttempt() {
    assertThatThrownBy(() -> new QueueSettings("tj-a-b-0123456789", Duration.ofSeconds(30), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAttempts must be >= 1, was 0");
  }

  @Test
  void countsUnknownDepthAsUnknown() {
    assertThat(new QueueDepth(5, 3, 1).unfinished()).isEqualTo(8);
    assertThat(new QueueDepth(-1, 3, 0).unfinished()).isEqualTo(-1);
    assertThat(new QueueDepth(5, -1, 0).unfinished()).isEqualTo(-1);
  }
}
