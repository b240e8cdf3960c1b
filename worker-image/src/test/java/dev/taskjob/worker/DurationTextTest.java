package dev.taskjob.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationTextTest {

  static Stream<Arguments> durations() {
    return Stream.of(
        Arguments.of("600", Duration.ofSeconds(600)),
        Arguments.of("0.5", Duration.ofMillis(500)),
        Arguments.of("0", Duration.ZERO),
        Arguments.of("30s", Duration.ofSeconds(30)),
        Arguments.of("10m", Duration.ofMinutes(10)),
        Arguments.of("1h30m", Duration.ofMinutes(90)),
        Arguments.of("2h", Duration.ofHours(2)),
        Arguments.of("1m0.25s", Duration.ofMillis(60_250)),
        Arguments.of(" 45 ", Duration.ofSeconds(45)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("durations")
  void parsesSecondsAndUnits(String text, Duration expected) {
    assertThat(DurationText.parse(text)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"", "abc", "10x", "-5", "1h-3m", "m"})
  void refusesOtherText(String text) {
    assertThatThrownBy(() -> DurationText.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageMatching(".*(not a duration|cannot be negative).*");
  }

  @org.junit.jupiter.api.Test
  void formatsAsSeconds() {
    assertThat(DurationText.format(Duration.ofSeconds(600))).isEqualTo("600 seconds");
    assertThat(DurationText.format(Duration.ofMillis(1500))).isEqualTo("1.5 seconds");
  }
}
