package dev.taskjob.operator.reconciler.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.progress.Heartbeats;
import dev.taskjob.operator.progress.JobProgress;
import dev.taskjob.operator.reconciler.pool.ManualClock;
import dev.taskjob.provider.local.LocalTaskQueue;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Until when the consumer knows events may be hidden in the event queue (received, never acknowledged):
 * what the drain's fallback waits for. On the real local queue, with a clock the test turns.
 */
class EventConsumerHiddenEventsTest {

  private static final Duration EVENT_LEASE = Duration.ofSeconds(45);

  @TempDir
  Path root;

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));

  private LocalTaskQueue queue() {
    LocalTaskQueue queue = new LocalTaskQueue(root, new QueueSettings("hidden", Duration.ofMinutes(5), 3), EVENT_LEASE);
    queue.ensure();
    return queue;
  }

  private EventConsumer consumer(TaskQueue queue, boolean resumed) {
    return new EventConsumer("default/hidden", queue, new JobProgress(new Ledger(1), new Heartbeats(),
        Duration.ofMinutes(1)), image -> { }, null, () -> { }, Duration.ZERO, Duration.ofSeconds(5), clock, resumed);
  }

  @Test
  void aResumedJobCountsEventsAsHiddenForOneRedeliveryFromItsResumption() {
    LocalTaskQueue queue = queue();

    assertThat(consumer(queue, false).eventsHiddenUntil()).as("a job this process started").isNull();
    assertThat(consumer(queue, true).eventsHiddenUntil()).isEqualTo(clock.instant().plus(EVENT_LEASE));
  }

  @Test
  void aReceiveWhoseAnswerWasLostHidesItsEventsUntilTheirRedelivery() {
    LocalTaskQueue real = queue();
    real.publishEvents(List.of(TaskEvent.builder(EventType.TASK_COMPLETED).job("hidden").taskId("t-0").taskIndex(0)
        .attempt(1).finalAttempt(true).exitCode(0).timestamp(clock.instant()).build()));
    TaskQueue answerLost = (TaskQueue) Proxy.newProxyInstance(TaskQueue.class.getClassLoader(),
        new Class<?>[] {TaskQueue.class}, (proxy, method, args) -> {
          try {
            Object result = method.invoke(real, args);
            if (method.getName().equals("receiveEvents")) {
              throw new QueueException("connection reset reading the answer", true, null);
            }
            return result;
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    EventConsumer consumer = consumer(answerLost, false);
    clock.advance(Duration.ofSeconds(7));

    assertThatThrownBy(consumer::round).isInstanceOf(QueueException.class);

    assertThat(consumer.eventsHiddenUntil()).isEqualTo(clock.instant().plus(EVENT_LEASE));
    assertThat(real.receiveEvents(10, Duration.ZERO)).as("the event the lost answer carried is leased").isEmpty();
  }
}
