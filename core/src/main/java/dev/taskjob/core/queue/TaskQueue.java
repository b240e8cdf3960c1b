package dev.taskjob.core.queue;

import dev.taskjob.core.Json;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.task.Task;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A job's queues: the task queue (with its dead-letter queue) and the event queue.
 *
 * <p>Delivery is at least once. A received task is leased for {@link QueueSettings#leaseDuration()};
 * it reappears if not acked or extended in time. A task delivered {@link QueueSettings#maxAttempts()}
 * times without an ack moves to the dead-letter queue. Implementations are thread-safe.
 */
public interface TaskQueue extends AutoCloseable {

  QueueSettings settings();

  /** Creates the task, dead-letter and event queues if absent. Idempotent. */
  void ensure();

  /** True when the task queue exists. */
  boolean exists();

  /** Deletes the task, dead-letter and event queues. Idempotent. */
  void delete();

  /**
   * Deletes the queues of the given parts only: {@link QueuePart#TASKS} the task and dead-letter queues,
   * {@link QueuePart#EVENTS} the event queue. Idempotent. Implementations that keep their queues together
   * delete all or refuse.
   */
  default void delete(Set<QueuePart> parts) {
    if (parts.containsAll(EnumSet.allOf(QueuePart.class))) {
      delete();
    } else if (!parts.isEmpty()) {
      throw new UnsupportedOperationException(getClass().getSimpleName() + " deletes its queues only together");
    }
  }

  /**
   * Sends tasks, split into the provider's batch size. Returns once every task is accepted; entries
   * the service rejects are resent individually. Throws {@link QueueException} when it gives up.
   */
  void send(List<Task> tasks);

  /**
   * Sends tasks given as their messages, as {@link #send} does. This default decodes them and calls
   * {@link #send}; a queue that can send the bytes as they are overrides it.
   */
  default void sendMessages(List<TaskMessage> messages) {
    List<Task> tasks = new ArrayList<>(messages.size());
    for (TaskMessage m : messages) {
      tasks.add(Json.taskFromJson(new String(m.body(), StandardCharsets.UTF_8)));
    }
    send(tasks);
  }

  /**
   * Readies the sending path ahead of the first {@link #send} (a client library's publisher, say), so a
   * loader can pay for it while it reads its tasks. Creates nothing in the cloud. Optional.
   */
  default void prepareSend() {}

  /** Receives up to {@code maxTasks}, waiting up to {@code wait} for the first (long poll). */
  List<LeasedTask> receive(int maxTasks, Duration wait);

  /**
   * Makes task receives return at once from now on, with nothing, including one waiting on another
   * thread where the service allows it; sends, acks, releases and events keep working. A worker that
   * is told to stop calls it, so that it does not wait out a long poll. {@link #close()} ends a receive
   * that this cannot.
   */
  default void stopReceiving() {}

  /** Sets the lease of a received task to expire {@code leaseFromNow} from now. */
  void extendLease(LeasedTask task, Duration leaseFromNow);

  /** Removes a task for good (it reached a final result). */
  void ack(LeasedTask task);

  /** Ends the lease now so the task is delivered again (retry, shutdown, preemption). */
  void release(LeasedTask task);

  /** Approximate counts; see {@link QueueDepth}. */
  QueueDepth depth();

  /** Removes every task and dead letter (not the queues). */
  void purge();

  /**
   * Removes every event waiting in the event queue (not the queue). This default receives and acks
   * until a receive comes back empty; providers with a purge call use it.
   */
  default void purgeEvents() {
    for (int round = 0; round < 100_000; round++) {
      List<ReceivedEvent> got = receiveEvents(100, Duration.ZERO);
      if (got.isEmpty()) {
        return;
      }
      ackEvents(got);
    }
  }

  /** Sends events to the event queue. */
  void publishEvents(List<TaskEvent> events);

  /** Receives events; each must be acked with {@link #ackEvents} once recorded. */
  List<ReceivedEvent> receiveEvents(int maxEvents, Duration wait);

  void ackEvents(List<ReceivedEvent> events);

  /**
   * How long an event received and not acknowledged stays hidden before the queue delivers it again. A
   * reader that stops between the two (an operator restart, a receive whose answer was lost) leaves its
   * events hidden this long, so until then an event queue that looks quiet may still hold results.
   */
  Duration eventRedelivery();

  /** Receives tasks from the dead-letter queue (acked with {@link #ack}). */
  List<LeasedTask> receiveDeadLetters(int maxTasks, Duration wait);

  @Override
  void close();
}
