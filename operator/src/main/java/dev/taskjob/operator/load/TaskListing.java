package dev.taskjob.operator.load;

import dev.taskjob.core.task.Task;
import java.util.function.Consumer;

/** Reads every task of a {@link TaskInput} in index order, for tools that look at a job's tasks without loading them. */
public final class TaskListing {

  private TaskListing() {}

  /** Calls {@code each} for every task, in index order. */
  public static void forEach(TaskInput input, long maxDecompressedBytes, Consumer<Task> each) {
    try (TaskStream stream = TaskStream.open(input, maxDecompressedBytes)) {
      while (stream.hasNext()) {
        each.accept(stream.next());
      }
    }
  }
}
