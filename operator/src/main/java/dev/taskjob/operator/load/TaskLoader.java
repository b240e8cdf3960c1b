package dev.taskjob.operator.load;

import dev.taskjob.core.Json;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.Task;
import dev.taskjob.core.task.TaskListException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Loads a job's tasks into its queue: validates everything first (a malformed list or a duplicate id
 * anywhere is reported before a single task is sent), then streams the tasks again and sends them in
 * batches with bounded concurrency, retrying retryable queue errors with exponential backoff.
 *
 * <p>Memory stays flat: one task at a time is parsed, at most {@code concurrency} batches are held,
 * and duplicate detection costs 8 bytes per id. A load can resume from a {@link LoadCheckpoint}:
 * the loader never has more than {@link LoadOptions#window()} tasks sent past the last checkpoint it
 * reported, so a listener that saves every reported checkpoint bounds the re-sent tasks by that window
 * (the count is in {@link LoadResult#possiblyDuplicated()}).
 *
 * <p>One loader may run several loads at once; each load uses its own threads.
 */
public final class TaskLoader {

  /** Receives progress reports, on the thread that called {@link #load}. */
  @FunctionalInterface
  public interface Listener {
    void progress(LoadProgress progress);

    Listener NONE = p -> {};
  }

  private static final AtomicInteger LOADS = new AtomicInteger();

  private final LoadOptions options;

  public TaskLoader(LoadOptions options) {
    this.options = options;
  }

  public LoadOptions options() {
    return options;
  }

  /**
   * Reads every task once and returns how many there are. Throws {@link TaskListException} naming the
   * list, the task and the reason for the first problem: malformed input, a duplicate id across all
   * lists, or a task too large for the queue.
   */
  public long validate(TaskInput input) {
    if (input instanceof TaskInput.Generated g) {
      long size = g.generator().size();
      if (size > 0) {
        checkSize("generate", g.generator().task(0));
        checkSize("generate", g.generator().task(size - 1));
      }
      return size;
    }
    long count = 0;
    try (TaskStream stream = TaskStream.open(input, options.maxDecompressedBytes())) {
      while (stream.hasNext()) {
        Task task = stream.next();
        if (options.maxMessageBytes() < Long.MAX_VALUE) {
          checkSize(null, task);
        }
        count++;
      }
    }
    return count;
  }

  private void checkSize(String source, Task task) {
    long bytes = Json.taskToJson(task).getBytes(StandardCharsets.UTF_8).length;
    if (bytes > options.maxMessageBytes()) {
      throw new TaskListException(source, -1, 0, "task \"" + task.id() + "\" (index " + task.index() + ") is " + bytes
          + " bytes as a queue message; the queue accepts at most " + options.maxMessageBytes()
          + " (pass a reference to large data instead of the data)");
    }
  }

  /** Validates, then sends every task from {@code from.offset()} on. */
  public LoadResult load(TaskQueue queue, TaskInput input, LoadCheckpoint from, Listener listener) {
    long total = validate(input);
    return send(queue, input, total, from, listener);
  }

  /**
   * Sends without validating again: for callers that ran {@link #validate} and got the list's size. Tasks
   * from {@code from} up to index {@code total} (exclusive) are sent, so a smaller {@code total} loads a prefix.
   */
  public LoadResult send(TaskQueue queue, TaskInput input, long total, LoadCheckpoint from, Listener listener) {
    return new Run(queue, input, total, from == null ? LoadCheckpoint.START : from, listener == null ? Listener.NONE : listener)
        .execute();
  }

  private record Batch(long start, long end, List<Task> tasks) {}

  /** One load: the dispatching thread's state. */
  private final class Run {
    private final TaskQueue queue;
    private final TaskInput input;
    private final long total;
    private final LoadCheckpoint from;
    private final Listener listener;
    private final AtomicLong retries = new AtomicLong();
    private final TreeMap<Long, Long> finishedOutOfOrder = new TreeMap<>();
    private final long startNanos = System.nanoTime();
    private long checkpoint;
    private long reportedCheckpoint;
    private long dispatchedEnd;
    private long sentThisRun;
    private long lastReportNanos;
    private boolean reportedOnce;

    Run(TaskQueue queue, TaskInput input, long total, LoadCheckpoint from, Listener listener) {
      this.queue = queue;
      this.input = input;
      this.total = total;
      this.from = from;
      this.listener = listener;
      this.checkpoint = Math.min(from.offset(), total);
      this.reportedCheckpoint = checkpoint;
      this.dispatchedEnd = checkpoint;
    }

    LoadResult execute() {
      int id = LOADS.incrementAndGet();
      AtomicInteger threadNumber = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(options.concurrency(), r -> {
        Thread t = new Thread(r, "taskjob-load-" + id + "-" + threadNumber.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      CompletionService<Batch> completions = new ExecutorCompletionService<>(pool);
      Throwable failure = null;
      int inFlight = 0;
      try (TaskStream stream = TaskStream.open(input, options.maxDecompressedBytes())) {
        stream.skip(checkpoint);
        while (true) {
          while (failure == null && inFlight < options.concurrency() && dispatchedEnd < total && stream.hasNext()) {
            if (dispatchedEnd + options.batchSize() - reportedCheckpoint > options.window()) {
              if (checkpoint > reportedCheckpoint) {
                report(false); // the window is measured from the last reported checkpoint: move it
                continue;
              }
              break;
            }
            Batch batch = nextBatch(stream);
            completions.submit(() -> sendWithRetry(batch));
            dispatchedEnd = batch.end();
            inFlight++;
          }
          if (inFlight == 0) {
            break;
          }
          Future<Batch> done = completions.take();
          inFlight--;
          try {
            finished(done.get());
          } catch (ExecutionException e) {
            if (failure == null) {
              failure = e.getCause();
            }
          }
          if (failure == null && (!reportedOnce || System.nanoTime() - lastReportNanos >= options.progressInterval().toNanos())) {
            report(false);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = e;
      } catch (TaskListException | QueueException e) {
        failure = e;
      } catch (RuntimeException e) {
        failure = e;
      } finally {
        pool.shutdownNow();
      }
      if (failure != null) {
        throw failed(failure);
      }
      report(true);
      Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
      return new LoadResult(total, from.offset(), sentThisRun, from.possiblyDuplicated(total), elapsed, rate(elapsed),
          retries.get());
    }

    private Batch nextBatch(TaskStream stream) {
      List<Task> tasks = new ArrayList<>(options.batchSize());
      while (tasks.size() < options.batchSize() && dispatchedEnd + tasks.size() < total && stream.hasNext()) {
        tasks.add(stream.next());
      }
      return new Batch(tasks.get(0).index(), tasks.get(tasks.size() - 1).index() + 1, tasks);
    }

    private Batch sendWithRetry(Batch batch) throws InterruptedException {
      long backoff = Math.max(1, options.initialBackoff().toMillis());
      for (int attempt = 0; ; attempt++) {
        try {
          queue.send(batch.tasks());
          return batch;
        } catch (QueueException e) {
          if (!e.isRetryable() || attempt >= options.maxRetries()) {
            throw e;
          }
          retries.incrementAndGet();
          // Full jitter: concurrent senders throttled together do not retry together.
          Thread.sleep(ThreadLocalRandom.current().nextLong(backoff / 2, backoff + 1));
          backoff = Math.min(backoff * 2, Math.max(1, options.maxBackoff().toMillis()));
        }
      }
    }

    private void finished(Batch batch) {
      sentThisRun += batch.tasks().size();
      finishedOutOfOrder.put(batch.start(), batch.end());
      Long end;
      while ((end = finishedOutOfOrder.remove(checkpoint)) != null) {
        checkpoint = end;
      }
    }

    private void report(boolean done) {
      Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
      listener.progress(new LoadProgress(total, Math.min(total, from.offset() + sentThisRun),
          new LoadCheckpoint(checkpoint, options.window()), rate(elapsed), elapsed, retries.get(), done));
      reportedCheckpoint = checkpoint;
      lastReportNanos = System.nanoTime();
      reportedOnce = true;
    }

    private double rate(Duration elapsed) {
      double seconds = elapsed.toNanos() / 1e9;
      return seconds <= 0 ? 0 : sentThisRun / seconds;
    }

    private LoadException failed(Throwable cause) {
      LoadCheckpoint at = new LoadCheckpoint(checkpoint, options.window());
      if (cause instanceof TaskListException e) {
        return new LoadException("task list changed while loading: " + e.getMessage(), at, false, e);
      }
      if (cause instanceof InterruptedException) {
        return new LoadException("load interrupted at task " + checkpoint + " of " + total, at, true, cause);
      }
      boolean retryable = cause instanceof QueueException q && q.isRetryable();
      return new LoadException("load stopped at task " + checkpoint + " of " + total + ": " + cause.getMessage(), at,
          retryable, cause);
    }
  }
}
