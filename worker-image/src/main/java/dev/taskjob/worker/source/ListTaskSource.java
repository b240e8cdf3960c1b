package dev.taskjob.worker.source;

import dev.taskjob.core.task.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.LongSupplier;

/**
 * Tasks from a task file or a generator, each handed out once; a task to retry is handed out again
 * once its delay is over (before new tasks), with its attempt number raised. Not thread-safe: the supervisor's dispatcher
 * thread is its only user.
 */
public final class ListTaskSource implements TaskSource {

  private final Iterator<Task> tasks;
  private final String description;
  private final long maxTasks;
  /** A retry and when it may run, on {@link #nanoClock}'s scale. */
  private record Delayed(SourcedTask task, long readyAtNanos, long order) {}

  private final PriorityQueue<Delayed> retries = new PriorityQueue<>(
      Comparator.comparingLong(Delayed::readyAtNanos).thenComparingLong(Delayed::order));
  private final LongSupplier nanoClock;
  private long retryCount;
  private final AutoCloseable resource;
  private long handedOut;

  /**
   * @param tasks the tasks, already positioned at the first one to run
   * @param maxTasks how many distinct tasks to hand out at most ({@code Long.MAX_VALUE} for all)
   * @param description for the configuration summary
   * @param resource closed with this source (the open task file), or null
   */
  public ListTaskSource(Iterator<Task> tasks, long maxTasks, String description, AutoCloseable resource) {
    this(tasks, maxTasks, description, resource, System::nanoTime);
  }

  /** @param nanoClock the time retries wait on (tests turn it by hand) */
  public ListTaskSource(Iterator<Task> tasks, long maxTasks, String description, AutoCloseable resource,
      LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.tasks = tasks;
    this.maxTasks = maxTasks;
    this.description = description;
    this.resource = resource;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public boolean isQueue() {
    return false;
  }

  @Override
  public List<SourcedTask> take(int max, Duration wait) {
    List<SourcedTask> out = new ArrayList<>(Math.min(max, 16));
    long now = nanoClock.getAsLong();
    while (out.size() < max && !retries.isEmpty() && now - retries.peek().readyAtNanos() >= 0) {
      out.add(retries.poll().task());
    }
    while (out.size() < max && handedOut < maxTasks && tasks.hasNext()) {
      out.add(new SourcedTask(tasks.next(), 1, null));
      handedOut++;
    }
    return out;
  }

  @Override
  public boolean exhausted() {
    return retries.isEmpty() && (handedOut >= maxTasks || !tasks.hasNext());
  }

  @Override
  public void completed(SourcedTask task) {
    // nothing to acknowledge: the list is read once
  }

  @Override
  public void retry(SourcedTask task, Duration delay) {
    retries.add(new Delayed(new SourcedTask(task.task(), task.attempt() + 1, null),
        nanoClock.getAsLong() + delay.toNanos(), retryCount++));
  }

  @Override
  public int pendingRetries() {
    return retries.size();
  }

  @Override
  public void release(SourcedTask task) {
    // an interrupted task is not rerun by this worker; the summary lists it as interrupted
  }

  @Override
  public Duration leaseDuration() {
    return null;
  }

  @Override
  public void extendLease(SourcedTask task, Duration leaseFromNow) {
    throw new UnsupportedOperationException("tasks from a list are not leased");
  }

  /** Tasks handed out for a first attempt so far. */
  public long handedOut() {
    return handedOut;
  }

  @Override
  public void close() {
    if (resource != null) {
      try {
        resource.close();
      } catch (Exception e) {
        // the list was only read; nothing is lost
      }
    }
  }
}
