package dev.taskjob.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The task-list reader: every accepted encoding, and a clear "where and why" for every malformed input. */
class TaskListReaderTest {

  private static final String SOURCE = "configmap/tasks:tasks.json";

  // ---------------------------------------------------------------------------------------------
  // Malformed inputs: each must be refused with a message naming where (task N / line L) and why.
  // ---------------------------------------------------------------------------------------------

  static Stream<Arguments> malformedLists() {
    return Stream.of(
        malformed("missing id",
            "[{\"id\": \"a\"},\n {\"data\": {\"x\": 1}}]",
            "task 2 (line 2)", "missing \"id\""),
        malformed("null id",
            "{\"id\": \"a\"}\n{\"id\": null}\n",
            "task 2 (line 2)", "missing \"id\""),
        malformed("duplicate id",
            "{\"id\": \"a\"}\n{\"id\": \"b\"}\n{\"id\": \"a\"}\n",
            "task 3 (line 3)", "duplicate id \"a\""),
        malformed("data not an object",
            "[\n{\"id\": \"a\", \"data\": [1, 2]}\n]",
            "task 1 (line 2)", "\"data\" of task \"a\" must be an object, found a list"),
        malformed("data a string",
            "- id: a\n  data: hello\n",
            "task 1 (line 1)", "\"data\" of task \"a\" must be an object, found a string"),
        malformed("id not a string",
            "{\"id\": 7, \"data\": {}}\n",
            "task 1 (line 1)", "\"id\" must be a string, found a number (put the id in quotes)"),
        malformed("YAML id that is a number (010 would read as 8)",
            "- id: \"007\"\n- id: 010\n",
            "task 2 (line 2)", "\"id\" must be a string, found a number"),
        malformed("id an object",
            "[{\"id\": {\"name\": \"a\"}}]",
            "task 1 (line 1)", "\"id\" must be a string, found an object"),
        malformed("empty id",
            "[{\"id\": \"a\"}, {\"id\": \"\"}]",
            "task 2 (line 1)", "\"id\" is empty"),
        malformed("id with control characters",
            "{\"id\": \"a\"}\n{\"id\": \"line\\nbreak\"}\n",
            "task 2 (line 2)", "\"id\" contains a control character (U+000A)"),
        malformed("id too long",
            "[{\"id\": \"" + "x".repeat(TaskListReader.MAX_ID_LENGTH + 1) + "\"}]",
            "task 1 (line 1)", "\"id\" is longer than 512 characters"),
        malformed("both id and task_id",
            "{\"id\": \"a\"}\n{\"id\": \"b\", \"task_id\": \"b\"}\n",
            "task 2 (line 2)", "both \"id\" and \"task_id\" are given; they mean the same, keep one"),
        malformed("task_id not a string",
            "[{\"task_id\": 3, \"data\": {}}]",
            "task 1 (line 1)", "\"task_id\" must be a string, found a number (put the id in quotes)"),
        malformed("unknown field",
            "[{\"id\": \"a\"},\n{\"id\": \"b\", \"priority\": 3}]",
            "task 2 (line 2)", "unknown field \"priority\""),
        malformed("field given twice",
            "{\"id\": \"a\", \"id\": \"b\"}\n",
            "task 1 (line 1)", "a field appears twice: Duplicate field 'id'"),
        malformed("element not an object",
            "[{\"id\": \"a\"},\n 42]",
            "task 2 (line 2)", "must be an object with \"id\" and \"data\", found a number"),
        malformed("YAML element not a mapping",
            "- id: a\n- just-a-string\n",
            "task 2 (line 2)", "must be an object with \"id\" and \"data\", found a string"),
        malformed("JSON Lines element a list",
            "{\"id\": \"a\"}\n[\"b\"]\n",
            "task 2 (line 2)", "found a list"),
        malformed("unclosed JSON array",
            "[{\"id\": \"a\"},\n {\"id\": \"b\"}\n",
            "line 3", "unexpected end of input: the JSON array is not closed with ']'"),
        malformed("unclosed task object",
            "{\"id\": \"a\"}\n{\"id\": \"b\", \"data\": {\"x\": 1}\n",
            "task 2 (line 3)", "the input ends inside this task"),
        malformed("trailing garbage after the array",
            "[{\"id\": \"a\"}]\nxyz\n",
            "line 2", "unexpected content after the closing ']' of the task array"),
        malformed("a second array after the first",
            "[{\"id\": \"a\"}]\n[{\"id\": \"b\"}]\n",
            "line 2", "unexpected content after the closing ']' of the task array"),
        malformed("invalid JSON inside a task",
            "{\"id\": \"a\"}\n{\"id\": \"b\",}\n",
            "task 2 (line 2)", "not valid JSON Lines: Unexpected character ('}'"),
        malformed("invalid JSON between tasks",
            "[{\"id\": \"a\"} {\"id\": \"b\"}]",
            "line 1", "not valid JSON: Unexpected character ('{'"),
        malformed("YAML that is a mapping, not a sequence",
            "tasks:\n  - id: a\n",
            "line 1", "a YAML task list must be a sequence of tasks ('- id: ...'), found a mapping"),
        malformed("YAML with a second document",
            "- id: a\n---\n- id: b\n",
            "line 3", "unexpected content after the task sequence (a second YAML document?)"),
        malformed("invalid YAML",
            "- id: a\n- id: [b\n",
            "task 2 (line 2)", "not valid YAML: while parsing a flow sequence: expected ',' or ']', but got <stream end>"),
        malformed("invalid YAML on the first line",
            "\t- id: a\n",
            "line 1", "not valid YAML: while scanning for the next token: found character '\\t(TAB)' that cannot start any token"),
        malformed("YAML alias bomb",
            yamlAliasBomb(),
            "task 2 (line 5)", "YAML aliases are not supported in task lists (found *a0)"));
  }

  private static Arguments malformed(String name, String content, String where, String why) {
    return Arguments.of(name, content.getBytes(StandardCharsets.UTF_8), where, why);
  }

  /** A "billion laughs": nine levels of ten aliases each expand to 10^9 strings if anything resolves them. */
  private static String yamlAliasBomb() {
    StringBuilder yaml = new StringBuilder("- id: fine\n- id: bomb\n  data:\n    l0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int level = 1; level <= 9; level++) {
      String prev = "*a" + (level - 1);
      yaml.append("    l").append(level).append(": &a").append(level).append(" [")
          .append(String.join(", ", java.util.Collections.nCopies(10, prev))).append("]\n");
    }
    return yaml.toString();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedLists")
  @Timeout(30) // a guard against expansion or a hang, not a performance assertion
  void refusesMalformedListNamingWhereAndWhy(String name, byte[] content, String where, String why) {
    TaskListException e = catchThrowableOfType(TaskListException.class,
        () -> readAll(content, TaskListReader.Options.named(SOURCE)));

    assertThat(e).as("%s must be refused", name).isNotNull();
    assertThat(e.getMessage()).startsWith(SOURCE + ": ").contains(where).contains(why);
  }

  @Test
  void refusesNonUtf8BytesNamingTheLine() {
    byte[] latin1 = "{\"id\": \"a\"}\n{\"id\": \"caf\u00e9\"}\n".getBytes(StandardCharsets.ISO_8859_1);

    assertThatThrownBy(() -> readAll(latin1, TaskListReader.Options.named(SOURCE)))
        .isInstanceOf(TaskListException.class)
        .hasMessageContaining(SOURCE + ": task 2 (line 2)")
        .hasMessageContaining("not valid UTF-8 text");
  }

  @Test
  void refusesNonUtf8BytesInYaml() {
    byte[] latin1 = "- id: a\n- id: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);

    assertThatThrownBy(() -> readAll(latin1, TaskListReader.Options.named(SOURCE)))
        .isInstanceOf(TaskListException.class)
        .hasMessageStartingWith(SOURCE + ": ")
        .hasMessageContaining("not valid UTF-8 text");
  }

  @Test
  void refusesCorruptGzipNamingTheSource() {
    byte[] gzip = gzip(jsonLines(200));
    byte[] corrupt = Arrays.copyOf(gzip, gzip.length);
    for (int i = 20; i < 60; i++) {
      corrupt[i] ^= (byte) 0x5a; // damage the deflate stream after the 10-byte header
    }

    assertThatThrownBy(() -> readAll(corrupt, TaskListReader.Options.named("tasks.jsonl.gz")))
        .isInstanceOf(TaskListException.class)
        .hasMessageStartingWith("tasks.jsonl.gz: ")
        .hasMessageContaining("corrupt gzip data");
  }

  @Test
  void refusesTruncatedGzip() {
    byte[] gzip = gzip(jsonLines(200));
    byte[] truncated = Arrays.copyOf(gzip, gzip.length / 2);

    assertThatThrownBy(() -> readAll(truncated, TaskListReader.Options.named("tasks.jsonl.gz")))
        .isInstanceOf(TaskListException.class)
        .hasMessageStartingWith("tasks.jsonl.gz: ")
        .hasMessageContaining("corrupt gzip data");
  }

  @Test
  void refusesGzipBombBeyondTheDecompressedLimit() {
    // 20 MB of whitespace inside an array compresses to about 20 kB.
    byte[] bomb = gzip("[" + " ".repeat(20_000_000) + "]");
    assertThat(bomb.length).isLessThan(100_000);

    TaskListException e = catchThrowableOfType(TaskListException.class, () ->
        readAll(bomb, TaskListReader.Options.named("bomb.json.gz").withMaxDecompressedBytes(1_000_000)));

    assertThat(e).isNotNull();
    assertThat(e.getMessage()).isEqualTo("bomb.json.gz: task list is larger than 1000000 bytes once decompressed");
  }

  @Test
  void errorCarriesElementLineAndReason() {
    TaskListException e = catchThrowableOfType(TaskListException.class, () ->
        readAll("[{\"id\": \"a\"},\n{\"id\": \"a\"}]".getBytes(StandardCharsets.UTF_8),
            TaskListReader.Options.named(SOURCE)));

    assertThat(e.source()).isEqualTo(SOURCE);
    assertThat(e.element()).isEqualTo(1);
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.reason()).isEqualTo("duplicate id \"a\"");
  }

  // ---------------------------------------------------------------------------------------------
  // Accepted encodings.
  // ---------------------------------------------------------------------------------------------

  private static final String JSON_ARRAY = """
      [
        {"id": "addition-task-000001", "data": {"num1": -39, "num2": 55}},
        {"id": "addition-task-000002", "data": {"num1": 12, "num2": 7, "label": "caf\u00e9"}},
        {"id": "addition-task-000003"}
      ]
      """;
  private static final String JSON_LINES = """
      {"id": "addition-task-000001", "data": {"num1": -39, "num2": 55}}
      {"id": "addition-task-000002", "data": {"num1": 12, "num2": 7, "label": "caf\u00e9"}}

      {"id": "addition-task-000003", "data": null}
      """;
  private static final String YAML = """
      # the sample as YAML
      - id: addition-task-000001
        data: {num1: -39, num2: 55}
      - id: addition-task-000002
        data:
          num1: 12
          num2: 7
          label: caf\u00e9
      - id: addition-task-000003
      """;

  static Stream<Arguments> sampleLists() {
    return Stream.of(
        Arguments.of("JSON array", JSON_ARRAY, TaskListFormat.JSON_ARRAY),
        Arguments.of("JSON Lines", JSON_LINES, TaskListFormat.JSON_LINES),
        Arguments.of("YAML", YAML, TaskListFormat.YAML));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sampleLists")
  void readsPlainList(String name, String content, TaskListFormat format) {
    assertSample(content.getBytes(StandardCharsets.UTF_8), format);
  }

  @ParameterizedTest(name = "{0}, gzip")
  @MethodSource("sampleLists")
  void readsGzipList(String name, String content, TaskListFormat format) {
    assertSample(gzip(content), format);
  }

  @ParameterizedTest(name = "{0} with a byte order mark")
  @MethodSource("sampleLists")
  void readsListStartingWithByteOrderMark(String name, String content, TaskListFormat format) {
    assertSample(("\uFEFF" + content).getBytes(StandardCharsets.UTF_8), format);
  }

  private static void assertSample(byte[] content, TaskListFormat format) {
    try (TaskListReader reader = TaskListReader.open(new ByteArrayInputStream(content), TaskListReader.Options.named(SOURCE))) {
      List<Task> tasks = drain(reader);

      assertThat(reader.format()).isEqualTo(format);
      assertThat(reader.count()).isEqualTo(3);
      assertThat(tasks).extracting(Task::id)
          .containsExactly("addition-task-000001", "addition-task-000002", "addition-task-000003");
      assertThat(tasks).extracting(Task::index).containsExactly(0L, 1L, 2L);
      assertThat(tasks.get(0).data().get("num1").asInt()).isEqualTo(-39);
      assertThat(tasks.get(0).data().get("num2").asInt()).isEqualTo(55);
      assertThat(tasks.get(1).data().get("label").asText()).isEqualTo("caf\u00e9");
      assertThat(tasks.get(2).data().isEmpty()).as("a task without data gets an empty object").isTrue();
    }
  }

  @Test
  void readsEmptyArrayAsNoTasks() {
    for (String empty : List.of("[]", "  [ ]\n", "[\n]\n")) {
      try (TaskListReader reader = open(empty)) {
        assertThat(reader.hasNext()).as("'%s'", empty).isFalse();
        assertThat(reader.count()).isZero();
      }
    }
  }

  @Test
  void readsEmptyYamlSequenceAsNoTasks() {
    try (TaskListReader reader = open("# nothing yet\n[]\n")) {
      assertThat(reader.hasNext()).isFalse();
    }
  }

  @Test
  void continuesIndexesFromFirstIndex() {
    TaskListReader.Options options = TaskListReader.Options.named("part-2").withFirstIndex(1000);
    try (TaskListReader reader = TaskListReader.open(stream("{\"id\": \"x\"}\n{\"id\": \"y\"}\n"), options)) {
      assertThat(drain(reader)).extracting(Task::index).containsExactly(1000L, 1001L);
    }
  }

  @Test
  void findsDuplicateAcrossTwoListsSharingAnIdSet() {
    TaskIdSet ids = new TaskIdSet();
    List<Task> first;
    try (TaskListReader reader = TaskListReader.open(stream("[{\"id\": \"a\"}, {\"id\": \"b\"}]"),
        TaskListReader.Options.named("tasks-1/tasks.json").withIds(ids))) {
      first = drain(reader);
    }
    assertThat(first).extracting(Task::id).containsExactly("a", "b");

    TaskListReader.Options second = TaskListReader.Options.named("tasks-2/tasks.json")
        .withIds(ids).withFirstIndex(first.size());
    List<Task> read = new ArrayList<>();
    assertThatThrownBy(() -> {
      try (TaskListReader reader = TaskListReader.open(stream("- id: c\n- id: a\n"), second)) {
        reader.forEachRemaining(read::add);
      }
    }).isInstanceOf(TaskListException.class)
        .hasMessage("tasks-2/tasks.json: task 2 (line 2): duplicate id \"a\"");
    assertThat(read).extracting(Task::id, Task::index).containsExactly(org.assertj.core.groups.Tuple.tuple("c", 2L));
  }

  @Test
  void stopsAfterAnError() {
    try (TaskListReader reader = open("{\"id\": \"a\"}\n{\"id\": \"a\"}\n{\"id\": \"c\"}\n")) {
      assertThat(reader.next().id()).isEqualTo("a");
      assertThatThrownBy(reader::next).isInstanceOf(TaskListException.class);
      assertThat(reader.hasNext()).as("no task is handed out after a refused one").isFalse();
    }
  }

  @Test
  void readsRmsCloudTasksFilesWithTaskIdAsTheId() {
    String rms = "{\"task_id\": \"addition-task-000001\", \"data\": {\"num1\": 1, \"num2\": 2}}\n"
        + "{\"id\": \"addition-task-000002\", \"data\": {\"num1\": 3, \"num2\": 4}}\n";
    try (TaskListReader reader = open(rms)) {
      List<Task> tasks = drain(reader);
      assertThat(tasks).extracting(Task::id).containsExactly("addition-task-000001", "addition-task-000002");
      assertThat(tasks.get(0).data().path("num2").asInt()).isEqualTo(2);
    }
    try (TaskListReader reader = open("- task_id: a\n- task_id: a\n")) {
      assertThatThrownBy(() -> drain(reader)).hasMessageContaining("duplicate id \"a\"");
    }
  }

  @Test
  void acceptsIdsWithUnicodeAndSpaces() {
    try (TaskListReader reader = open("- id: \"\u00e9t\u00e9 2024/run 1\"\n- id: \"\u6f22\u5b57\"\n")) {
      assertThat(drain(reader)).extracting(Task::id).containsExactly("\u00e9t\u00e9 2024/run 1", "\u6f22\u5b57");
    }
  }

  // ---------------------------------------------------------------------------------------------

  static List<Task> readAll(byte[] content, TaskListReader.Options options) {
    try (TaskListReader reader = TaskListReader.open(new ByteArrayInputStream(content), options)) {
      return drain(reader);
    }
  }

  private static List<Task> drain(TaskListReader reader) {
    List<Task> tasks = new ArrayList<>();
    reader.forEachRemaining(tasks::add);
    return tasks;
  }

  private static TaskListReader open(String content) {
    return TaskListReader.open(stream(content), TaskListReader.Options.named(SOURCE));
  }

  private static ByteArrayInputStream stream(String content) {
    return new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8));
  }

  private static String jsonLines(int count) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      sb.append("{\"id\": \"task-").append(i).append("\", \"data\": {\"n\": ").append(i).append("}}\n");
    }
    return sb.toString();
  }

  static byte[] gzip(String content) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
