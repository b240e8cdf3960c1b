package dev.taskjob.testing;

import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueDepth;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.ReceivedEvent;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.Task;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A real queue with failures injected into {@link #send}: {@code failureForCall} gets the 1-based
 * number of each send call (and, with {@link SendFault}, its tasks) and returns the exception to throw
 * instead of sending, or null to send. Everything else goes to the real queue.
 */
public final class FaultInjectingQueue implements TaskQueue {

  private final TaskQueue delegate;
  private final SendFault failureForCall;
  private final AtomicInteger calls = new AtomicInteger();

  /** Decides the fate of one send call from its number and its tasks. */
  @FunctionalInterface
  public interface SendFault {
    /** The exception to throw instead of sending, or null to send. */
    QueueException apply(int call, List<Task> tasks);
  }

  public FaultInjectingQueue(TaskQueue delegate, IntFunction<QueueException> failureForCall) {
    this(delegate, (call, tasks) -> failureForCall.apply(call));
  }

  public FaultInjectingQueue(TaskQueue delegate, SendFault failureForCall) {
    this.delegate = delegate;
    this.failureForCall = failureForCall;
  }

  public int sendCalls() {
    return calls.get();
  }

  @Override
  public void send(List<Task> tasks) {
    QueueException failure = failureForCall.apply(calls.incrementAndGet(), tasks);
    if (failure != null) {
      throw failure;
    }
    delegate.send(tasks);
  }

  @Override public QueueSettings settings() { return delegate.settings(); }
  @Override public void ensure() { delegate.ensure(); }
  @Override public boolean exists() { return delegate.exists(); }
  @Override public void prepareSend() { delegate.prepareSend(); }
  @Override public void delete() { delegate.delete(); }
  @Override public List<LeasedTask> receive(int maxTasks, Duration wait) { return delegate.receive(maxTasks, wait); }
  @Override public void extendLease(LeasedTask task, Duration leaseFromNow) { delegate.extendLease(task, leaseFromNow); }
  @Override public void ack(LeasedTask task) { delegate.ack(task); }
  @Override public void release(LeasedTask task) { delegate.release(task); }
  @Override public QueueDepth depth() { return delegate.depth(); }
  @Override public void purge() { delegate.purge(); }
  @Override public void publishEvents(List<TaskEvent> events) { delegate.publishEvents(events); }
  @Override public List<ReceivedEvent> receiveEvents(int maxEvents, Duration wait) { return delegate.receiveEvents(maxEvents, wait); }
  @Override public void ackEvents(List<ReceivedEvent> events) { delegate.ackEvents(events); }
  @Override public Duration eventRedelivery() { return delegate.eventRedelivery(); }
  @Override public List<LeasedTask> receiveDeadLetters(int maxTasks, Duration wait) { return delegate.receiveDeadLetters(maxTasks, wait); }
  @Override public void close() { delegate.close(); }
}
