package dev.taskjob.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.task.Task;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The wire formats of tasks (queue messages) and events (event queue, event log); see docs/events.md. */
class JsonTest {

  private static final Instant AT = Instant.parse("2025-06-11T22:05:05.119663Z");

  @Test
  void writesTaskAsIdIndexAndData() throws Exception {
    ObjectNode data = (ObjectNode) Json.MAPPER.readTree("{\"num1\": -39, \"num2\": 55, \"nested\": {\"a\": [1, 2]}}");
    Task task = new Task("addition-task-000001", data, 41);

    String json = Json.taskToJson(task);

    assertThat(json).isEqualTo(
        "{\"id\":\"addition-task-000001\",\"index\":41,\"data\":{\"num1\":-39,\"num2\":55,\"nested\":{\"a\":[1,2]}}}");
    assertThat(Json.taskFromJson(json)).isEqualTo(task);
  }

  @Test
  void carriesTheFailedAttemptsOfATaskSentAgain() throws Exception {
    Task retried = new Task("t-7", (ObjectNode) Json.MAPPER.readTree("{\"x\": 1}"), 7).withFailedAttempts(2);

    String json = Json.taskToJson(retried);

    assertThat(json).isEqualTo("{\"id\":\"t-7\",\"index\":7,\"failedAttempts\":2,\"data\":{\"x\":1}}");
    assertThat(Json.taskFromJson(json)).isEqualTo(retried);
    assertThat(Json.taskFromJson("{\"id\": \"t\"}").failedAttempts()).as("a first send").isZero();
  }

  @Test
  void marksAHedgedCopy() throws Exception {
    Task copy = new Task("t-7", (ObjectNode) Json.MAPPER.readTree("{\"x\": 1}"), 7).withFailedAttempts(2).asHedge();

    String json = Json.taskToJson(copy);

    assertThat(json).isEqualTo("{\"id\":\"t-7\",\"index\":7,\"hedge\":true,\"data\":{\"x\":1}}");
    assertThat(Json.taskFromJson(json)).isEqualTo(copy);
    assertThat(Json.taskFromJson("{\"id\": \"t\"}").hedge()).as("an original").isFalse();
  }

  @Test
  void readsTaskWithoutDataOrIndex() {
    Task task = Json.taskFromJson("{\"id\": \"t\"}");

    assertThat(task.id()).isEqualTo("t");
    assertThat(task.index()).isZero();
    assertThat(task.data().isEmpty()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "not json", "[]", "null", "{\"data\": {}}", "{\"id\": \"a\", \"data\": 5}"})
  void refusesMessageThatIsNotATask(String body) {
    assertThatThrownBy(() -> Json.taskFromJson(body))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not a task message: ");
  }

  @Test
  void writesEveryEventFieldUnderItsDocumentedName() throws Exception {
    TaskEvent event = TaskEvent.builder(EventType.TASK_FAILED)
        .timestamp(AT).job("research/frames").instanceId("i-0abc").hostname("ip-10-0-0-1")
        .taskId("frame-0042").taskIndex(41).attempt(3).finalAttempt(true).retry(false)
        .elapsedTime(1.25).exitCode(2).result("Traceback: ...").slot(4)
        .runningTasks(7).completedTasks(120).message("m")
        .build();

    JsonNode json = Json.MAPPER.readTree(Json.eventToJson(event));

    assertThat(fieldNames(json)).containsExactly(
        "timestamp", "event_type", "job", "instance_id", "hostname", "task_id", "task_index", "attempt",
        "final", "retry", "elapsed_time", "exit_code", "result", "slot", "running_tasks", "completed_tasks",
        "message");
    assertThat(json.get("timestamp").asText()).isEqualTo("2025-06-11T22:05:05.119663Z");
    assertThat(json.get("event_type").asText()).isEqualTo("task_failed");
    assertThat(json.get("task_index").isIntegralNumber()).isTrue();
    assertThat(json.get("final").isBoolean()).isTrue();
    assertThat(json.get("elapsed_time").asDouble()).isEqualTo(1.25);
    assertThat(Json.eventFromJson(Json.eventToJson(event))).isEqualTo(event);
  }

  @Test
  void carriesTheTasksMeasuredUseAndReadsEventsWithoutIt() {
    TaskEvent measured = TaskEvent.builder(EventType.TASK_COMPLETED).timestamp(AT).taskId("a").taskIndex(0)
        .peakMemoryBytes(512L << 20).cpuSeconds(3.5).build();
    String json = Json.eventToJson(measured);

    assertThat(json).contains("\"peak_memory_bytes\":536870912", "\"cpu_seconds\":3.5");
    assertThat(Json.eventFromJson(json)).isEqualTo(measured);
    TaskEvent old = Json.eventFromJson("{\"timestamp\": \"2025-06-11T22:05:05Z\", \"event_type\": \"task_completed\","
        + " \"task_id\": \"a\", \"task_index\": 0}");
    assertThat(old.peakMemoryBytes()).isNull();
    assertThat(old.cpuSeconds()).isNull();
  }

  @Test
  void omitsFieldsThatAreNotSet() {
    TaskEvent event = TaskEvent.builder(EventType.WORKER_STARTED)
        .timestamp(AT).job("default/sum").instanceId("local-1").hostname("laptop").build();

    assertThat(Json.eventToJson(event)).isEqualTo(
        "{\"timestamp\":\"2025-06-11T22:05:05.119663Z\",\"event_type\":\"worker_started\","
            + "\"job\":\"default/sum\",\"instance_id\":\"local-1\",\"hostname\":\"laptop\"}");
  }

  @Test
  void readsEventWithFieldsAddedByANewerWorker() {
    TaskEvent event = Json.eventFromJson("{\"timestamp\": \"2025-06-11T22:05:05Z\", \"event_type\": \"task_completed\","
        + " \"task_id\": \"a\", \"attempt\": 1, \"gpu_seconds\": 12.5}");

    assertThat(event.eventType()).isEqualTo(EventType.TASK_COMPLETED);
    assertThat(event.taskId()).isEqualTo("a");
    assertThat(event.attempt()).isEqualTo(1);
    assertThat(event.timestamp()).isEqualTo(Instant.parse("2025-06-11T22:05:05Z"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"event_type\": \"task_exploded\"}", "{\"event_type\": 5, \"timestamp\": []}", "nonsense"})
  void refusesTextThatIsNotAnEvent(String body) {
    assertThatThrownBy(() -> Json.eventFromJson(body))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not a task event: ");
  }

  @Test
  void writesEveryEventTypeInLowerCaseAndReadsItBack() {
    for (EventType type : EventType.values()) {
      String json = Json.eventToJson(TaskEvent.builder(type).timestamp(AT).build());
      assertThat(json).contains("\"event_type\":\"" + type.name().toLowerCase() + "\"");
      assertThat(Json.eventFromJson(json).eventType()).isEqualTo(type);
    }
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @ParameterizedTest(name = "{0} is written as {1}")
  @org.junit.jupiter.params.provider.CsvSource({
      "TASK_STARTED, task_started", "TASK_COMPLETED, task_completed", "TASK_FAILED, task_exited",
      "TASK_TIMED_OUT, task_timed_out", "TASK_RETRIED, task_retried", "WORKER_STARTED, worker_started",
      "WORKER_HEARTBEAT, keep_alive", "WORKER_STOPPING, worker_stopping", "SPOT_INTERRUPTION, spot_termination"})
  void rmsNamesChangeOnlyTheEventType(EventType type, String rmsName) {
    TaskEvent event = TaskEvent.builder(type).timestamp(AT).instanceId("i-1").hostname("h").build();

    String rms = Json.eventToRmsJson(event);

    assertThat(rms).isEqualTo(Json.eventToJson(event)
        .replace("\"event_type\":\"" + type.jsonName() + "\"", "\"event_type\":\"" + rmsName + "\""));
    assertThat(type.rmsName()).isEqualTo(rmsName);
  }
}
