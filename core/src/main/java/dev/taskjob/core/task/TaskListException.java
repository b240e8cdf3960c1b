package dev.taskjob.core.task;

/** A task list is malformed. The message names the element/line and the reason. */
public class TaskListException extends RuntimeException {

  private final String source;
  private final long element;
  private final long line;
  private final String reason;

  public TaskListException(String source, long element, long line, String reason, Throwable cause) {
    super(format(source, element, line, reason), cause);
    this.source = source;
    this.element = element;
    this.line = line;
    this.reason = reason;
  }

  public TaskListException(String source, long element, long line, String reason) {
    this(source, element, line, reason, null);
  }

  private static String format(String source, long element, long line, String reason) {
    StringBuilder sb = new StringBuilder();
    if (source != null) {
      sb.append(source).append(": ");
    }
    if (element >= 0) {
      sb.append("task ").append(element + 1);
      if (line > 0) {
        sb.append(" (line ").append(line).append(')');
      }
      sb.append(": ");
    } else if (line > 0) {
      sb.append("line ").append(line).append(": ");
    }
    return sb.append(reason).toString();
  }

  /** The source's name (file, ConfigMap/key), or null. */
  public String source() {
    return source;
  }

  /** Zero-based element number within the source, or -1 when the error is not about one element. */
  public long element() {
    return element;
  }

  /** One-based line number, or 0 when unknown. */
  public long line() {
    return line;
  }

  public String reason() {
    return reason;
  }
}
