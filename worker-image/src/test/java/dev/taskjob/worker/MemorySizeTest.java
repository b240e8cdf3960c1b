package dev.taskjob.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class MemorySizeTest {

  static Stream<Arguments> sizes() {
    return Stream.of(
        Arguments.of("2", 2L << 30),
        Arguments.of("0.5", 1L << 29),
        Arguments.of("512Mi", 512L << 20),
        Arguments.of(" 2Gi ", 2L << 30),
        Arguments.of("64Ki", 64L << 10),
        Arguments.of("1.5G", 1_500_000_000L),
        Arguments.of("300M", 300_000_000L));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @MethodSource("sizes")
  void parsesSizes(String text, long bytes) {
    assertThat(MemorySize.parse(text)).isEqualTo(bytes);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"", "0", "0Mi", "-1Gi", "lots", "2GB", "1e3"})
  void refusesWhatIsNotAPositiveSize(String text) {
    assertThatThrownBy(() -> MemorySize.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'");
  }
}
