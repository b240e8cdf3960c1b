package dev.taskjob.core;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.task.Task;
import java.io.UncheckedIOException;

/** The one shared JSON mapper and the wire formats of tasks and events in queues and files. */
public final class Json {

  /** Thread-safe; ISO-8601 timestamps; tolerant of fields added by newer workers. */
  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private Json() {}

  /**
   * A task as a queue message body: {@code {"id":..,"index":..,"data":{..}}}, plus
   * {@code "failedAttempts":n} once an attempt failed (absent means 0), and {@code "hedge":true} on a
   * hedged copy.
   */
  public static String taskToJson(Task task) {
    return taskNode(task).toString();
  }

  /** {@link #taskToJson} as UTF-8 bytes, written straight to bytes (no String in between). */
  public static byte[] taskToJsonBytes(Task task) {
    try {
      return MAPPER.writeValueAsBytes(taskNode(task));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ObjectNode taskNode(Task task) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("id", task.id());
    node.put("index", task.index());
    if (task.failedAttempts() > 0) {
      node.put("failedAttempts", task.failedAttempts());
    }
    if (task.hedge()) {
      node.put("hedge", true);
    }
    node.set("data", task.data());
    return node;
  }

  public static Task taskFromJson(String json) {
    try {
      ObjectNode node = (ObjectNode) MAPPER.readTree(json);
      return new Task(node.get("id").asText(), (ObjectNode) node.get("data"), node.path("index").asLong(0),
          node.path("failedAttempts").asInt(0), node.path("hedge").asBoolean(false));
    } catch (JsonProcessingException | ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException("not a task message: " + abbreviate(json), e);
    }
  }

  public static String eventToJson(TaskEvent event) {
    try {
      return MAPPER.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** As {@link #eventToJson}, with rms-cloud-tasks' name for the event type ({@link EventType#rmsName()}). */
  public static String eventToRmsJson(TaskEvent event) {
    ObjectNode node = MAPPER.valueToTree(event);
    node.put("event_type", event.eventType().rmsName());
    return node.toString();
  }

  public static TaskEvent eventFromJson(String json) {
    try {
      return MAPPER.readValue(json, TaskEvent.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a task event: " + abbreviate(json), e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
