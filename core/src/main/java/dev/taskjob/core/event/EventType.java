package dev.taskjob.core.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The kinds of event a worker reports. The JSON value is the lower-case name, as rms-cloud-tasks writes it. */
public enum EventType {
  TASK_STARTED,
  TASK_COMPLETED,
  TASK_FAILED,
  TASK_TIMED_OUT,
  TASK_RETRIED,
  WORKER_STARTED,
  WORKER_HEARTBEAT,
  WORKER_STOPPING,
  SPOT_INTERRUPTION;

  @JsonValue
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static EventType fromJson(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }

  /**
   * The name rms-cloud-tasks gives the same event where it has one ({@code task_exited}, {@code keep_alive},
   * {@code spot_termination}), else {@link #jsonName()}; for event logs read by scripts written for that tool.
   */
  public String rmsName() {
    return switch (this) {
      case TASK_FAILED -> "task_exited";
      case WORKER_HEARTBEAT -> "keep_alive";
      case SPOT_INTERRUPTION -> "spot_termination";
      default -> jsonName();
    };
  }

  /** True for events that end a task for good (the ledger marks its index). */
  public boolean isTerminalForTask() {
    return this == TASK_COMPLETED || this == TASK_FAILED || this == TASK_TIMED_OUT;
  }

  public boolean isTaskEvent() {
    return name().startsWith("TASK_");
  }
}
