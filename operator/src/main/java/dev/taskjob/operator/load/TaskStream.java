package dev.taskjob.operator.load;

import dev.taskjob.core.task.Task;
import dev.taskjob.core.task.TaskIdSet;
import dev.taskjob.core.task.TaskListException;
import dev.taskjob.core.task.TaskListReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The tasks of a {@link TaskInput} in order, one at a time: list after list with indexes continuing
 * and ids checked for duplicates across all lists, or the generator's tasks.
 */
final class TaskStream implements Iterator<Task>, AutoCloseable {

  private final TaskInput input;
  private final long maxDecompressedBytes;
  private final TaskIdSet ids = new TaskIdSet();
  private Iterator<Task> generated;
  private int sourceIndex;
  private TaskListReader reader;
  private long nextIndex;
  private Task next;

  private TaskStream(TaskInput input, long maxDecompressedBytes) {
    this.input = input;
    this.maxDecompressedBytes = maxDecompressedBytes;
    if (input instanceof TaskInput.Generated g) {
      generated = g.generator().iterator();
    }
  }

  static TaskStream open(TaskInput input, long maxDecompressedBytes) {
    return new TaskStream(input, maxDecompressedBytes);
  }

  /** Skips to the task with index {@code offset}. Generated input jumps there; lists are read past. */
  void skip(long offset) {
    if (input instanceof TaskInput.Generated g) {
      generated = g.generator().iterator(Math.min(offset, g.generator().size()));
      return;
    }
    while (hasNext() && next.index() < offset) {
      next = null;
    }
  }

  @Override
  public boolean hasNext() {
    if (next != null) {
      return true;
    }
    if (generated != null) {
      if (generated.hasNext()) {
        next = generated.next();
      }
      return next != null;
    }
    TaskInput.Lists lists = (TaskInput.Lists) input;
    while (true) {
      if (reader != null && reader.hasNext()) {
        next = reader.next();
        return true;
      }
      if (reader != null) {
        nextIndex += reader.count();
        reader.close();
        reader = null;
      }
      if (sourceIndex >= lists.sources().size()) {
        return false;
      }
      TaskSource source = lists.sources().get(sourceIndex++);
      InputStream in;
      try {
        in = source.open();
      } catch (IOException e) {
        throw new TaskListException(source.name(), -1, 0, "cannot read: " + e.getMessage(), e);
      }
      reader = TaskListReader.open(in, TaskListReader.Options.named(source.name())
          .withFirstIndex(nextIndex).withIds(ids).withMaxDecompressedBytes(maxDecompressedBytes));
    }
  }

  @Override
  public Task next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Task t = next;
    next = null;
    return t;
  }

  @Override
  public void close() {
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }
}
