package dev.taskjob.operator.tasks;

/**
 * A job's task source cannot be used. {@link #reason()} is the condition reason (CamelCase),
 * {@link #field()} the spec path at fault; the message says what is wrong and where (ConfigMap, key,
 * task number and line).
 */
public class TaskSourceException extends RuntimeException {

  /** A referenced ConfigMap or key does not exist (it may still be created). */
  public static final String CONFIG_MAP_NOT_FOUND = "ConfigMapNotFound";
  /** A task list cannot be parsed or a task is malformed. */
  public static final String INVALID_TASK_LIST = "InvalidTaskList";
  /** Two tasks share an id. */
  public static final String DUPLICATE_TASK_ID = "DuplicateTaskId";
  /** The task lists changed after loading started. */
  public static final String TASK_LIST_CHANGED = "TaskListChanged";

  private final String reason;
  private final String field;

  public TaskSourceException(String reason, String field, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.field = field;
  }

  public TaskSourceException(String reason, String field, String message) {
    this(reason, field, message, null);
  }

  public String reason() {
    return reason;
  }

  public String field() {
    return field;
  }

  /** True when the problem may go away without changing the TaskJob (a ConfigMap created later). */
  public boolean mayResolveItself() {
    return CONFIG_MAP_NOT_FOUND.equals(reason);
  }
}
