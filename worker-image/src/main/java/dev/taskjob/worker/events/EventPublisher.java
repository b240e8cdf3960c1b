package dev.taskjob.worker.events;

import dev.taskjob.core.Json;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.core.queue.TaskQueue;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends events to a JSON Lines file and/or the job's event queue from its own thread, so the
 * supervisor only enqueues an object per event. Events are written in batches (whatever piled up
 * since the last write); a failed queue send is retried with back-off while the worker runs.
 *
 * <p>An event may carry an action to run once it has been sent: the supervisor acknowledges a
 * finished task only then, so a worker killed in between leaves the task leased (it runs again and
 * the ledger counts a duplicate) instead of acknowledged with its result never reported.
 */
public final class EventPublisher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EventPublisher.class);
  private static final int MAX_BATCH = 500;
  private static final Entry END = new Entry(TaskEvent.builder(dev.taskjob.core.event.EventType.WORKER_STOPPING).build(),
      null);

  /** An event and what to do once it was sent (null: nothing). */
  private record Entry(TaskEvent event, Runnable afterSent) {}

  private final Path file;
  private final boolean rmsNames;
  private final TaskQueue queue;
  private final LinkedBlockingQueue<Entry> pending = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final BufferedWriter writer;
  private volatile boolean closing;
  private long dropped;

  /**
   * @param file the JSON Lines file to append to, or null
   * @param queue the queue whose event queue receives the events, or null
   */
  public EventPublisher(Path file, TaskQueue queue) throws IOException {
    this(file, false, queue);
  }

  /**
   * @param file the JSON Lines file to append to, or null
   * @param rmsNames write rms-cloud-tasks' event type names to the file ({@code task_exited}, {@code keep_alive},
   *     {@code spot_termination}); the queue always gets taskjob's, which the operator reads
   * @param queue the queue whose event queue receives the events, or null
   */
  public EventPublisher(Path file, boolean rmsNames, TaskQueue queue) throws IOException {
    this.file = file;
    this.rmsNames = rmsNames;
    this.queue = queue;
    if (file != null) {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    } else {
      writer = null;
    }
    thread = new Thread(this::run, "taskjob-events");
    thread.setDaemon(true);
    thread.start();
  }

  public Path file() {
    return file;
  }

  public boolean toQueue() {
    return queue != null;
  }

  /** Queues the event for sending; never blocks. */
  public void publish(TaskEvent event) {
    pending.add(new Entry(event, null));
  }

  /**
   * Queues the event for sending and runs {@code afterSent} on the sending thread once it has been sent;
   * never if it is dropped. Never blocks.
   */
  public void publish(TaskEvent event, Runnable afterSent) {
    pending.add(new Entry(event, afterSent));
  }

  private void run() {
    List<Entry> batch = new ArrayList<>();
    while (true) {
      try {
        Entry first = pending.take();
        batch.add(first);
        pending.drainTo(batch, MAX_BATCH - 1);
        boolean end = batch.removeIf(e -> e == END);
        if (!batch.isEmpty()) {
          write(batch);
        }
        batch.clear();
        if (end) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void write(List<Entry> entries) throws InterruptedException {
    List<TaskEvent> batch = entries.stream().map(Entry::event).toList();
    if (writer != null) {
      try {
        for (TaskEvent e : batch) {
          writer.write(rmsNames ? Json.eventToRmsJson(e) : Json.eventToJson(e));
          writer.write('\n');
        }
        writer.flush();
      } catch (IOException e) {
        LOG.warn("Could not write {} events to {}: {}", batch.size(), file, e.getMessage());
      }
    }
    if (queue != null && !sendToQueue(batch)) {
      return;
    }
    for (Entry e : entries) {
      if (e.afterSent() != null) {
        try {
          e.afterSent().run();
        } catch (RuntimeException failure) {
          LOG.warn("After sending a {} event: {}", e.event().eventType(), failure.toString());
        }
      }
    }
  }

  /** Sends the batch, retrying while that can help; false when it was dropped. */
  private boolean sendToQueue(List<TaskEvent> batch) throws InterruptedException {
    long backoffMillis = 500;
    for (int attempt = 1; ; attempt++) {
      try {
        queue.publishEvents(batch);
        return true;
      } catch (QueueException | UnsupportedOperationException e) {
        boolean retryable = e instanceof QueueException q && q.isRetryable();
        if (!retryable || (closing && attempt >= 3)) {
          dropped += batch.size();
          LOG.warn("Dropped {} events the event queue did not take: {}", batch.size(), e.getMessage());
          return false;
        }
        LOG.debug("Event queue send failed (attempt {}), retrying in {} ms: {}", attempt, backoffMillis, e.getMessage());
        TimeUnit.MILLISECONDS.sleep(backoffMillis);
        backoffMillis = Math.min(30_000, backoffMillis * 2);
      }
    }
  }

  /** Events not delivered to the event queue so far. */
  public long dropped() {
    return dropped;
  }

  /** Sends everything queued so far, then stops; waits at most {@code timeout}. */
  public void close(Duration timeout) {
    closing = true;
    pending.add(END);
    try {
      thread.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.warn("Gave up sending {} pending events after {} s", pending.size(), timeout.toSeconds());
      thread.interrupt();
    }
    if (writer != null) {
      try {
        writer.close();
      } catch (IOException e) {
        LOG.warn("Could not close the event log {}: {}", file, e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }
}
