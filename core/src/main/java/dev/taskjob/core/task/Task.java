package dev.taskjob.core.task;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One unit of work: a unique id, the JSON object handed to the task process, and the task's
 * zero-based position in its task list. The index is what the ledger's bitmap is keyed by.
 */
public record Task(String id, ObjectNode data, long index) {

  public Task {
    Objects.requireNonNull(id, "id");
    if (data == null) {
      data = JsonNodeFactory.instance.objectNode();
    }
    if (index < 0) {
      throw new IllegalArgumentException("index must be >= 0, was " + index);
    }
  }
}
