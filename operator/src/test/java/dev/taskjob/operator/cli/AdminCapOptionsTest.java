package dev.taskjob.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskjob.operator.decision.AdminCaps;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # value                                       | namespace | instances | vcpus | pricePerHour
      team-a:instances=50                           | team-a    | 50        | -     | -
      team-a:instances=50,vcpus=200,pricePerHour=20 | team-a    | 50        | 200   | 20.0
      batch-2:pricePerHour=0.5                      | batch-2   | -         | -     | 0.5
      frozen:instances=0                            | frozen    | 0         | -     | -
      """)
  void readsANamespacesOwnCaps(String value, String namespace, Integer instances, Integer vcpus,
      Double pricePerHour) {
    assertThat(AdminCapOptions.namespaceCap(value))
        .isEqualTo(Map.entry(namespace, new AdminCaps.Limits(instances, vcpus, pricePerHour)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      # value                         | message
      team-a                          | expected NAMESPACE:LIMIT=VALUE[,LIMIT=VALUE...]
      Team_A:instances=5              | 'Team_A' is not a namespace name
      team-a:                         | unknown limit ''
      team-a:cpus=4                   | unknown limit 'cpus'; the limits are instances, vcpus and pricePerHour
      team-a:instances=-1             | instances=-1: must be a whole number >= 0
      team-a:instances=2.5            | instances=2.5: must be a whole number >= 0
      team-a:vcpus=                   | vcpus=: must be a whole number >= 0
      team-a:pricePerHour=NaN         | pricePerHour=NaN: must be a number >= 0
      team-a:instances=1,instances=2  | instances is given twice
      """)
  void refusesAMalformedNamespaceCap(String value, String message) {
    assertThatThrownBy(() -> AdminCapOptions.namespaceCap(value)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void namespaceCapsAreRepeatableAndANamespaceGivenTwiceIsAUsageError() {
    OperatorCommand operator = new OperatorCommand();
    CommandLine line = new CommandLine(operator).setCaseInsensitiveEnumValuesAllowed(true);
    line.parseArgs("--namespace-max-instances", "10", "--namespace-cap", "team-a:instances=50",
        "--namespace-cap", "team-b:vcpus=64");
    assertThat(operator.caps.caps(line)).isEqualTo(new AdminCaps.Caps(AdminCaps.Limits.NONE,
        new AdminCaps.Limits(10, null, null), Map.of("team-a", new AdminCaps.Limits(50, null, null),
            "team-b", new AdminCaps.Limits(null, 64, null))));

    OperatorCommand twice = new OperatorCommand();
    CommandLine twiceLine = new CommandLine(twice).setCaseInsensitiveEnumValuesAllowed(true);
    twiceLine.parseArgs("--namespace-cap", "team-a:instances=50", "--namespace-cap", "team-a:vcpus=8");
    assertThatThrownBy(() -> twice.caps.caps(twiceLine)).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage("--namespace-cap team-a:vcpus=8: namespace team-a is given twice; name all its limits in one "
            + "--namespace-cap");

    OperatorCommand bad = new OperatorCommand();
    CommandLine badLine = new CommandLine(bad).setCaseInsensitiveEnumValuesAllowed(true);
    badLine.parseArgs("--namespace-cap", "team-a:cpus=4");
    assertThatThrownBy(() -> bad.caps.caps(badLine)).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageStartingWith("--namespace-cap team-a:cpus=4: unknown limit 'cpus'");
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
