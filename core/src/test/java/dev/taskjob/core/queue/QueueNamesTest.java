package dev.taskjob.core.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Queue names must be valid for every provider with every suffix, and never shared by two jobs. */
class QueueNamesTest {

  /** SQS: up to 80 characters of letters, digits, '-' and '_'. */
  private static final Pattern SQS = Pattern.compile("[A-Za-z0-9_-]{1,80}");
  /** Pub/Sub topic and subscription ids. */
  private static final Pattern PUBSUB = Pattern.compile("^[a-zA-Z][a-zA-Z0-9-_.~+%]{2,254}$");
  private static final List<String> SUFFIXES = List.of("", "-tasks", "-dlq", "-events", "-events-sub", "-tasks-sub", "-dlq-sub");
  private static final String UID = "3f2a9c1e-5b7d-4e2f-9a1b-0c8d7e6f5a4b";

  static Stream<Arguments> jobs() {
    return Stream.of(
        Arguments.of("default", "parallel-addition", UID),
        Arguments.of("Research.Team_1", "Frames.2024_v2", UID),
        Arguments.of("a", "b", UID),
        Arguments.of("x".repeat(63), "y".repeat(253), UID),
        Arguments.of("ns", "---", UID),
        Arguments.of("", "job", UID),
        Arguments.of(null, "job", null),
        Arguments.of("ns", "goog-job", ""),
        Arguments.of("ns", "9lives", UID));
  }

  @ParameterizedTest(name = "{0}/{1}")
  @MethodSource("jobs")
  void derivesNameValidForSqsPubSubAndDirectoriesWithEverySuffix(String namespace, String name, String uid) {
    String base = QueueNames.derive(namespace, name, uid);

    assertThat(base).hasSizeLessThanOrEqualTo(QueueNames.MAX_BASE_LENGTH).matches("tj-[a-z0-9-]*[a-z0-9]");
    assertThat(base).doesNotContain("--");
    for (String suffix : SUFFIXES) {
      assertThat(base + suffix).matches(SQS).matches(PUBSUB).doesNotStartWith("goog");
    }
  }

  @Test
  void keepsShortNamesReadable() {
    assertThat(QueueNames.derive("default", "Parallel.Addition", UID)).matches("tj-default-parallel-addition-[0-9a-f]{10}");
  }

  @Test
  void isTheSameForTheSameJob() {
    assertThat(QueueNames.derive("default", "sum", UID)).isEqualTo(QueueNames.derive("default", "sum", UID));
  }

  @Test
  void differsForDifferentUidsEvenWhenOnlyTheirEndsDiffer() {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < 16; i++) {
      names.add(QueueNames.derive("default", "sum", UID.substring(0, UID.length() - 1) + Integer.toHexString(i)));
    }
    assertThat(names).hasSize(16);
  }

  @Test
  void truncatesLongNamesAndKeepsThemDistinct() {
    String longName = "survey-frames-calibration-" + "x".repeat(100);
    String a = QueueNames.derive("astronomy", longName + "-a", UID);
    String b = QueueNames.derive("astronomy", longName + "-b", UID);

    assertThat(a).hasSize(QueueNames.MAX_BASE_LENGTH).startsWith("tj-astronomy-survey-frames-calibration-xxx");
    assertThat(b).hasSize(QueueNames.MAX_BASE_LENGTH);
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void differsForSameNameInDifferentNamespaces() {
    assertThat(QueueNames.derive("team-a", "sum", UID)).isNotEqualTo(QueueNames.derive("team-b", "sum", UID));
  }
}
