package dev.taskjob.operator.reconciler.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.taskjob.core.Json;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueDepth;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.ReceivedEvent;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An event queue in memory, so that the benchmark measures the operator's side alone: events travel as the
 * JSON a worker sends (encoded by the sender, decoded on the operator's thread, as every real queue does),
 * but no broker, file or network is involved. Only the event half of {@link TaskQueue} is implemented.
 */
final class MemoryEventQueue implements TaskQueue {

  private final QueueSettings settings;
  private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();

  MemoryEventQueue(QueueSettings settings) {
    this.settings = settings;
  }

  @Override
  public void publishEvents(List<TaskEvent> events) {
    for (TaskEvent event : events) {
      try {
        messages.add(Json.MAPPER.writeValueAsString(event));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Override
  public List<ReceivedEvent> receiveEvents(int maxEvents, Duration wait) {
    List<String> batch = new ArrayList<>(maxEvents);
    try {
      String first = messages.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
      if (first == null) {
        return List.of();
      }
      batch.add(first);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueException("interrupted while waiting for events", true, e);
    }
    messages.drainTo(batch, maxEvents - 1);
    List<ReceivedEvent> events = new ArrayList<>(batch.size());
    for (String json : batch) {
      try {
        events.add(new ReceivedEvent(Json.MAPPER.readValue(json, TaskEvent.class), "m"));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    return events;
  }

  @Override
  public void ackEvents(List<ReceivedEvent> events) {}

  /** A received event is gone for good: nothing is ever hidden. */
  @Override
  public Duration eventRedelivery() {
    return Duration.ZERO;
  }

  @Override
  public List<LeasedTask> receiveDeadLetters(int maxTasks, Duration wait) {
    return List.of();
  }

  @Override
  public QueueSettings settings() {
    return settings;
  }

  @Override
  public void ensure() {}

  @Override
  public boolean exists() {
    return true;
  }

  @Override
  public void delete() {
    messages.clear();
  }

  @Override
  public void send(List<Task> tasks) {
    throw new UnsupportedOperationException("an event queue only");
  }

  @Override
  public List<LeasedTask> receive(int maxTasks, Duration wait) {
    throw new UnsupportedOperationException("an event queue only");
  }

  @Override
  public void extendLease(LeasedTask task, Duration leaseFromNow) {
    throw new UnsupportedOperationException("an event queue only");
  }

  @Override
  public void ack(LeasedTask task) {
    throw new UnsupportedOperationException("an event queue only");
  }

  @Override
  public void release(LeasedTask task) {
    throw new UnsupportedOperationException("an event queue only");
  }

  @Override
  public QueueDepth depth() {
    throw new UnsupportedOperationException("an event queue only");
  }

  @Override
  public void purge() {
    messages.clear();
  }

  @Override
  public void close() {}
}
