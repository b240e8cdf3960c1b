package dev.taskjob.worker.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TaskDirectoriesTest {

  static Stream<Arguments> names() {
    return Stream.of(
        Arguments.of("addition-task-000001", "addition-task-000001"),
        Arguments.of("a.b_c", "a.b_c"),
        Arguments.of("a/b", "a_b-"),
        Arguments.of("..", "..-"),
        Arguments.of("with space", "with_space-"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("names")
  void keepsPlainIdsAndMakesOthersSafe(String id, String expectedStart) {
    String name = TaskDirectories.name(id);
    assertThat(name).startsWith(expectedStart).matches("[A-Za-z0-9._-]+").isNotIn(".", "..");
  }

  @Test
  void distinctIdsGetDistinctDirectories() {
    assertThat(TaskDirectories.name("a/b")).isNotEqualTo(TaskDirectories.name("a:b"));
    assertThat(TaskDirectories.name("a/b")).isNotEqualTo("a_b");
  }

  @Test
  void longIdsAreCut() {
    assertThat(TaskDirectories.name("x".repeat(500))).hasSizeLessThan(140);
  }

  @Test
  void argumentVariablesAreUpperCasedAndSanitised() {
    assertThat(TaskLauncher.argVariable("num1")).isEqualTo("TASK_ARG_NUM1");
    assertThat(TaskLauncher.argVariable("input-file.name")).isEqualTo("TASK_ARG_INPUT_FILE_NAME");
  }
}
