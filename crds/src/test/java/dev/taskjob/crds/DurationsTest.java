package dev.taskjob.crds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskjob.crds.v1alpha1.shared.Durations;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
      "30s, PT30S",
      "10m, PT10M",
      "1h30m, PT1H30M",
      "1500ms, PT1.5S",
      "1.5h, PT1H30M",
      "2h0m5s, PT2H5S",
      "0s, PT0S",
      "90m, PT1H30M",
      "1m1ms, PT1M0.001S",
      "0.5s, PT0.5S"})
  void parsesManifestDurations(String text, String expected) {
    assertThat(Durations.parse("spec.worker.maxRuntime", text)).isEqualTo(Duration.parse(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "10", "10 m", "1d", "m", "1h-5m", "-5s", "1.s", "PT5M", "5 minutes", "1H"})
  void refusesOtherTextNamingTheField(String text) {
    assertThatThrownBy(() -> Durations.parse("spec.worker.maxRuntime", text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("spec.worker.maxRuntime: '" + text + "' is not a duration")
        .hasMessageContaining("30s, 10m, 1h30m or 1500ms");
  }

  @org.junit.jupiter.api.Test
  void refusesNullNamingTheField() {
    assertThatThrownBy(() -> Durations.parse("spec.terminationDelay", null))
        .hasMessageStartingWith("spec.terminationDelay: 'null' is not a duration");
  }

  @org.junit.jupiter.api.Test
  void fallsBackWhenUnset() {
    assertThat(Durations.parseOrDefault("spec.worker.maxRuntime", null, Duration.ofHours(1))).hasHours(1);
    assertThat(Durations.parseOrDefault("spec.worker.maxRuntime", "5m", Duration.ofHours(1))).hasMinutes(5);
  }

  @ParameterizedTest(name = "{0} formats as {1}")
  @CsvSource({
      "PT0S, 0s",
      "PT0.4S, 0s",
      "PT45S, 45s",
      "PT12M5S, 12m5s",
      "PT3H20M, 3h20m",
      "PT3H20M7S, 3h20m7s",
      "PT49H30M10S, 49h30m",
      "PT-5S, 0s"})
  void formatsForStatusAndReadsBack(String duration, String expected) {
    String text = Durations.format(Duration.parse(duration));
    assertThat(text).isEqualTo(expected);
    assertThat(Durations.parse(text)).isNotNull();
  }
}
