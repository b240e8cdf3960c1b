package dev.taskjob.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskjob.operator.decision.AdminCaps;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The caps flags read the same on {@code taskjob operator} and {@code taskjob local}. */
class AdminCapOptionsTest {

  @Test
  void bothCommandsReadTheSameFlags() {
    String[] flags = {"--max-instances", "100", "--max-vcpus", "400", "--max-price-per-hour", "25.5",
        "--namespace-max-instances", "10", "--namespace-max-price-per-hour", "2"};
    AdminCaps.Caps expected = new AdminCaps.Caps(new AdminCaps.Limits(100, 400, 25.5),
        new AdminCaps.Limits(10, null, 2.0));

    OperatorCommand operator = new OperatorCommand();
    CommandLine operatorLine = new CommandLine(operator).setCaseInsensitiveEnumValuesAllowed(true);
    operatorLine.parseArgs(flags);
    assertThat(operator.caps.caps(operatorLine)).isEqualTo(expected);

    LocalCommand local = new LocalCommand();
    CommandLine localLine = new CommandLine(local).setCaseInsensitiveEnumValuesAllowed(true);
    String[] withManifest = java.util.Arrays.copyOf(flags, flags.length + 1);
    withManifest[flags.length] = "job.yaml";
    localLine.parseArgs(withManifest);
    assertThat(local.caps.caps(localLine)).isEqualTo(expected);
  }

  @Test
  void noFlagsMeansNoCapsAndANegativeCapIsAUsageError() {
    OperatorCommand operator = new OperatorCommand();
    CommandLine line = new CommandLine(operator).setCaseInsensitiveEnumValuesAllowed(true);
    line.parseArgs();
    assertThat(operator.caps.caps(line).isNone()).isTrue();

    OperatorCommand negative = new OperatorCommand();
    CommandLine negativeLine = new CommandLine(negative).setCaseInsensitiveEnumValuesAllowed(true);
    negativeLine.parseArgs("--namespace-max-vcpus", "-4");
    assertThatThrownBy(() -> negative.caps.caps(negativeLine)).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage("--namespace-max-vcpus -4: must be a number >= 0");
  }
}
