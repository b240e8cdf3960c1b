package dev.taskjob.operator.reconciler.job;

import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueDepth;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.ReceivedEvent;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.Task;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** A queue that counts the events sent, received and acknowledged through it: the backlog is sent minus received. */
final class CountingEventQueue implements TaskQueue {

  private final TaskQueue queue;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();

  CountingEventQueue(TaskQueue queue) {
    this.queue = queue;
  }

  long sent() {
    return sent.get();
  }

  long received() {
    return received.get();
  }

  long acked() {
    return acked.get();
  }

  @Override
  public void publishEvents(List<TaskEvent> events) {
    queue.publishEvents(events);
    sent.addAndGet(events.size());
  }

  @Override
  public List<ReceivedEvent> receiveEvents(int maxEvents, Duration wait) {
    List<ReceivedEvent> events = queue.receiveEvents(maxEvents, wait);
    received.addAndGet(events.size());
    return events;
  }

  @Override
  public void ackEvents(List<ReceivedEvent> events) {
    queue.ackEvents(events);
    acked.addAndGet(events.size());
  }

  @Override
  public Duration eventRedelivery() {
    return queue.eventRedelivery();
  }

  @Override
  public List<LeasedTask> receiveDeadLetters(int maxTasks, Duration wait) {
    return queue.receiveDeadLetters(maxTasks, wait);
  }

  @Override
  public QueueSettings settings() {
    return queue.settings();
  }

  @Override
  public void ensure() {
    queue.ensure();
  }

  @Override
  public boolean exists() {
    return queue.exists();
  }

  @Override
  public void delete() {
    queue.delete();
  }

  @Override
  public void send(List<Task> tasks) {
    queue.send(tasks);
  }

  @Override
  public List<LeasedTask> receive(int maxTasks, Duration wait) {
    return queue.receive(maxTasks, wait);
  }

  @Override
  public void stopReceiving() {
    queue.stopReceiving();
  }

  @Override
  public void extendLease(LeasedTask task, Duration leaseFromNow) {
    queue.extendLease(task, leaseFromNow);
  }

  @Override
  public void ack(LeasedTask task) {
    queue.ack(task);
  }

  @Override
  public void release(LeasedTask task) {
    queue.release(task);
  }

  @Override
  public QueueDepth depth() {
    return queue.depth();
  }

  @Override
  public void purge() {
    queue.purge();
  }

  @Override
  public void close() {
    queue.close();
  }
}
