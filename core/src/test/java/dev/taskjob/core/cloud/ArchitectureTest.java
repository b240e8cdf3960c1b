package dev.taskjob.core.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Architecture names as AWS, GCE and users spell them. */
class ArchitectureTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "x86_64, X86_64",
      "X86_64, X86_64",
      "amd64, X86_64",
      "x86-64, X86_64",
      "' x64 ', X86_64",
      "arm64, ARM64",
      "ARM64, ARM64",
      "aarch64, ARM64",
  })
  void parsesCloudSpellings(String value, Architecture expected) {
    assertThat(Architecture.parse(value)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"i386", "sparc", "arm32", "x86_64_mac"})
  void refusesUnknownArchitectureNamingIt(String value) {
    assertThatThrownBy(() -> Architecture.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown architecture '" + value + "' (use x86_64 or arm64)");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"  "})
  void refusesMissingArchitecture(String value) {
    assertThatThrownBy(() -> Architecture.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("architecture is empty (use x86_64 or arm64)");
  }
}
