package dev.taskjob.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskjob.core.Json;
import dev.taskjob.core.task.TaskGenerator.Range;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Parameter sweeps: ids, order, values, caps, and refusals of impossible sweeps. */
class TaskGeneratorTest {

  static Stream<Arguments> ids() {
    return Stream.of(
        Arguments.of("task-", 1L, 0L, "task-1"),
        Arguments.of("task-", 9L, 8L, "task-9"),
        Arguments.of("task-", 10L, 0L, "task-01"),
        Arguments.of("task-", 10L, 9L, "task-10"),
        Arguments.of("addition-task-", 100_000L, 0L, "addition-task-000001"),
        Arguments.of("addition-task-", 100_000L, 99_999L, "addition-task-100000"),
        Arguments.of("run/", 1_000_000L, 41L, "run/0000042"),
        Arguments.of("", 12L, 2L, "03"),
        Arguments.of(null, 3L, 0L, "task-1"));
  }

  @ParameterizedTest(name = "prefix {0}, count {1}, index {2} -> {3}")
  @MethodSource("ids")
  void namesTasksWithPrefixAndOneBasedNumberPaddedToTheLargest(String prefix, long count, long index, String id) {
    TaskGenerator generator = new TaskGenerator(prefix, count, Map.of());

    assertThat(generator.task(index).id()).isEqualTo(id);
    assertThat(generator.task(index).index()).isEqualTo(index);
  }

  @Test
  void plainCountGivesEachTaskItsIndexAsN() {
    TaskGenerator generator = TaskGenerator.ofCount(3);

    assertThat(generator.size()).isEqualTo(3);
    assertThat(list(generator)).extracting(t -> Json.taskToJson(t)).containsExactly(
        "{\"id\":\"task-1\",\"index\":0,\"data\":{\"n\":0}}",
        "{\"id\":\"task-2\",\"index\":1,\"data\":{\"n\":1}}",
        "{\"id\":\"task-3\",\"index\":2,\"data\":{\"n\":2}}");
  }

  @Test
  void expandsCartesianProductWithTheLastParameterFastest() {
    Map<String, Range> parameters = new LinkedHashMap<>();
    parameters.put("num1", Range.of(1, 2));
    parameters.put("num2", new Range(BigDecimal.valueOf(10), BigDecimal.valueOf(30), BigDecimal.TEN));

    TaskGenerator generator = new TaskGenerator("add-", null, parameters);

    assertThat(generator.size()).isEqualTo(6);
    assertThat(list(generator)).extracting(t -> t.data().toString()).containsExactly(
        "{\"num1\":1,\"num2\":10}", "{\"num1\":1,\"num2\":20}", "{\"num1\":1,\"num2\":30}",
        "{\"num1\":2,\"num2\":10}", "{\"num1\":2,\"num2\":20}", "{\"num1\":2,\"num2\":30}");
  }

  static Stream<Arguments> ranges() {
    return Stream.of(
        Arguments.of("0", "1", "0.25", "[0.0, 0.25, 0.5, 0.75, 1.0]"),
        Arguments.of("0.1", "0.5", "0.1", "[0.1, 0.2, 0.3, 0.4, 0.5]"),
        Arguments.of("0", "1", "0.3", "[0.0, 0.3, 0.6, 0.9]"),
        Arguments.of("-1.5", "1.5", "1.5", "[-1.5, 0.0, 1.5]"),
        Arguments.of("1.0", "3.0", "1.0", "[1, 2, 3]"),
        Arguments.of("-2", "2", "2", "[-2, 0, 2]"),
        Arguments.of("5", "5", "1", "[5]"),
        Arguments.of("0", "10", "4", "[0, 4, 8]"));
  }

  @ParameterizedTest(name = "{0}..{1} step {2} -> {3}")
  @MethodSource("ranges")
  void writesWholeRangesAsIntegersAndOthersAsDecimalsThroughout(String from, String to, String step, String values) {
    TaskGenerator generator = new TaskGenerator("x-", null,
        Map.of("x", new Range(new BigDecimal(from), new BigDecimal(to), new BigDecimal(step))));

    List<String> written = new ArrayList<>();
    generator.forEach(t -> written.add(t.data().get("x").toString()));
    assertThat(written.toString()).isEqualTo(values);
  }

  @Test
  void capsTheProductAtCount() {
    Map<String, Range> parameters = new LinkedHashMap<>();
    parameters.put("a", Range.of(0, 9));
    parameters.put("b", Range.of(0, 9));

    assertThat(new TaskGenerator("t", 15L, parameters).size()).isEqualTo(15);
    assertThat(new TaskGenerator("t", 15L, parameters).task(14).data().toString()).isEqualTo("{\"a\":1,\"b\":4}");
    assertThat(new TaskGenerator("t", 1000L, parameters).size()).isEqualTo(100);
    assertThat(new TaskGenerator("t", null, parameters).size()).isEqualTo(100);
    assertThat(new TaskGenerator("t", 0L, parameters).size()).isEqualTo(100);
  }

  @Test
  void randomAccessMatchesIterationFromAnyStart() {
    Map<String, Range> parameters = new LinkedHashMap<>();
    parameters.put("x", new Range(new BigDecimal("0"), new BigDecimal("1"), new BigDecimal("0.1")));
    parameters.put("seed", Range.of(1, 13));
    TaskGenerator generator = new TaskGenerator("sweep-", 120L, parameters);

    List<Task> iterated = list(generator);
    assertThat(iterated).hasSize(120);
    for (int i = 0; i < iterated.size(); i++) {
      assertThat(generator.task(i)).isEqualTo(iterated.get(i));
    }
    List<Task> resumed = new ArrayList<>();
    generator.iterator(117).forEachRemaining(resumed::add);
    assertThat(resumed).containsExactlyElementsOf(iterated.subList(117, 120));
    Set<String> ids = new HashSet<>();
    iterated.forEach(t -> ids.add(t.id()));
    assertThat(ids).hasSize(120);
  }

  @Test
  void computesAnyTaskOfAMillionWithoutIteration() {
    TaskGenerator generator = TaskGenerator.ofCount(1_000_000);

    assertThat(generator.task(999_999).id()).isEqualTo("task-1000000");
    assertThat(generator.task(999_999).data().get("n").asLong()).isEqualTo(999_999);
    assertThat(generator.iterator(1_000_000).hasNext()).isFalse();
  }

  static Stream<Arguments> impossibleSweeps() {
    return Stream.of(
        Arguments.of("step zero", (Runnable) () -> new Range(BigDecimal.ZERO, BigDecimal.ONE, BigDecimal.ZERO),
            "step must be > 0, was 0"),
        Arguments.of("step negative", (Runnable) () -> new Range(BigDecimal.ZERO, BigDecimal.ONE, new BigDecimal("-1")),
            "step must be > 0, was -1"),
        Arguments.of("to below from", (Runnable) () -> Range.of(5, 1), "to (1) must be >= from (5)"),
        Arguments.of("no parameters and no count", (Runnable) () -> new TaskGenerator("t", null, Map.of()),
            "count must be > 0 when no parameters are given"),
        Arguments.of("no parameters and count 0", (Runnable) () -> new TaskGenerator("t", 0L, null),
            "count must be > 0 when no parameters are given"),
        Arguments.of("id prefix with a control character", (Runnable) () -> new TaskGenerator("a\tb", 3L, null),
            "idPrefix: \"id\" contains a control character (U+0009)"),
        Arguments.of("product beyond a long", (Runnable) () -> {
          Map<String, Range> huge = new LinkedHashMap<>();
          huge.put("a", Range.of(0, 9_999_999));
          huge.put("b", Range.of(0, 9_999_999));
          huge.put("c", Range.of(0, 9_999_999));
          new TaskGenerator("t", null, huge);
        }, "the parameter ranges give more than 9223372036854775807 tasks"),
        Arguments.of("index past the end", (Runnable) () -> TaskGenerator.ofCount(10).task(10),
            "task index 10 outside 0..9"),
        Arguments.of("negative index", (Runnable) () -> TaskGenerator.ofCount(10).task(-1),
            "task index -1 outside 0..9"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("impossibleSweeps")
  void refusesImpossibleSweepsSayingWhy(String name, Runnable attempt, String message) {
    assertThatThrownBy(attempt::run).isInstanceOf(RuntimeException.class).hasMessage(message);
  }

  private static List<Task> list(TaskGenerator generator) {
    List<Task> tasks = new ArrayList<>();
    generator.forEach(tasks::add);
    return tasks;
  }
}
