package dev.taskjob.operator.reconciler;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueDepth;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.ReceivedEvent;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.Task;
import dev.taskjob.testing.ForwardingProviderModule;
import java.time.Duration;
import java.util.List;

/**
 * A real provider whose queue takes {@code delay} longer per send call, so a test can stop the
 * operator while a load is in progress. Everything else is the wrapped provider's.
 */
final class SlowSendingQueues extends ForwardingProviderModule {

  private final Duration delay;

  SlowSendingQueues(ProviderModule real, Duration delay) {
    super(real);
    this.delay = delay;
  }

  @Override
  public TaskQueue queue(ProviderConfig config, QueueSettings settings) {
    TaskQueue q = real.queue(config, settings);
    return new TaskQueue() {
      @Override public QueueSettings settings() { return q.settings(); }
      @Override public void ensure() { q.ensure(); }
      @Override public boolean exists() { return q.exists(); }
      @Override public void delete() { q.delete(); }

      @Override
      public void send(List<Task> tasks) {
        try {
          Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new dev.taskjob.core.queue.QueueException("interrupted", true, e);
        }
        q.send(tasks);
      }

      @Override public List<LeasedTask> receive(int maxTasks, Duration wait) { return q.receive(maxTasks, wait); }
      @Override public void extendLease(LeasedTask task, Duration leaseFromNow) { q.extendLease(task, leaseFromNow); }
      @Override public void ack(LeasedTask task) { q.ack(task); }
      @Override public void release(LeasedTask task) { q.release(task); }
      @Override public QueueDepth depth() { return q.depth(); }
      @Override public void purge() { q.purge(); }
      @Override public void publishEvents(List<TaskEvent> events) { q.publishEvents(events); }
      @Override public List<ReceivedEvent> receiveEvents(int max, Duration wait) { return q.receiveEvents(max, wait); }
      @Override public void ackEvents(List<ReceivedEvent> events) { q.ackEvents(events); }
      @Override public Duration eventRedelivery() { return q.eventRedelivery(); }
      @Override public List<LeasedTask> receiveDeadLetters(int max, Duration wait) { return q.receiveDeadLetters(max, wait); }
      @Override public void close() { q.close(); }
    };
  }
}
