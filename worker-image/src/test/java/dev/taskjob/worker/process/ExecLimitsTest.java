package dev.taskjob.worker.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ExecLimitsTest {

  private static final ExecLimits USUAL = new ExecLimits(8L << 20);

  private static Map<String, String> env(Object... nameAndSize) {
    Map<String, String> env = new LinkedHashMap<>();
    for (int i = 0; i < nameAndSize.length; i += 2) {
      env.put((String) nameAndSize[i], "x".repeat((Integer) nameAndSize[i + 1]));
    }
    return env;
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // name, limits, argv, env -> null (starts) or a fragment of the reason
        Arguments.of("a small task starts", USUAL, List.of("/bin/true"), env("TASK_ID", 5), null),
        Arguments.of("2 MiB in 20 variables does not", USUAL, List.of("/bin/true"),
            env(fields(20, 110_000)), "over the 2096984 Linux allows for starting a program (E2BIG)"),
        Arguments.of("the largest variables are named", USUAL, List.of("/bin/true"),
            env(with(fields(20, 100_000), "BIGGEST", 120_000, "BIGGER", 110_000)),
            "largest: BIGGEST (120009 bytes), BIGGER (110008 bytes), V"),
        Arguments.of("a larger stack limit leaves more room", new ExecLimits(64L << 20), List.of("/bin/true"),
            env(fields(20, 110_000)), null),
        Arguments.of("a small stack limit still allows 128 KiB", new ExecLimits(64L << 10), List.of("/bin/true"),
            env("A", 100_000), null),
        Arguments.of("one variable over 128 KiB", USUAL, List.of("/bin/true"), env("BIG", 131_072),
            "environment variable BIG is 131077 bytes, over the 131072 Linux allows for one"),
        Arguments.of("one variable just under 128 KiB", USUAL, List.of("/bin/true"), env("BIG", 131_067), null),
        Arguments.of("multi-byte characters count as bytes", USUAL, List.of("/bin/true"),
            Map.of("U", "\u00e9".repeat(70_000)), "environment variable U is 140003 bytes"),
        Arguments.of("a NUL in a value", USUAL, List.of("/bin/true"), Map.of("TASK_ARG_S", "a\0b"),
            "environment variable TASK_ARG_S holds a NUL character"),
        Arguments.of("a NUL in an argument", USUAL, List.of("/bin/echo", "a\0b"), Map.of(),
            "a command argument holds a NUL character"));
  }

  private static Object[] with(Object[] fields, Object... more) {
    Object[] out = java.util.Arrays.copyOf(fields, fields.length + more.length);
    System.arraycopy(more, 0, out, fields.length, more.length);
    return out;
  }

  private static Object[] fields(int count, int size) {
    Object[] out = new Object[2 * count];
    for (int i = 0; i < count; i++) {
      out[2 * i] = "V" + i;
      out[2 * i + 1] = size;
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decidesWhetherAProgramCanStart(String name, ExecLimits limits, List<String> argv, Map<String, String> env,
      String reason) {
    String problem = limits.problem(argv, env);
    if (reason == null) {
      assertThat(problem).isNull();
    } else {
      assertThat(problem).contains(reason);
    }
  }

  @org.junit.jupiter.api.Test
  void readsThisProcesssStackLimit() {
    assertThat(ExecLimits.current().stringSpace()).isBetween(128L << 10, 6L << 20);
  }
}
