package dev.taskjob.operator.load;

import dev.taskjob.core.Json;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.core.queue.TaskMessage;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.Task;
import dev.taskjob.core.task.TaskListException;
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
 * <p>{@link #prepare} keeps the queue messages it encodes while validating (to measure them) for as many
 * tasks as fit in {@link LoadOptions#encodedBytes()}; those are sent as they are, so each of them is parsed
 * and encoded once, and only tasks past the kept ones are read again.
 *
 * <p>Memory stays flat: one task at a time is parsed, at most {@code concurrency} batches are held (plus
 * the kept messages, bounded as above), and duplicate detection costs 8 bytes per id. A load can resume
 * from a {@link LoadCheckpoint}:
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
    return scan(input, 0).total();
  }

  /**
   * The validated list: its size, and the queue messages of its first tasks (index 0 on) as
   * {@link Json#taskToJsonBytes} wrote them, which {@link #send(TaskQueue, TaskInput, Prepared, long, LoadCheckpoint,
   * Listener)} sends without reading those tasks again.
   */
  public record Prepared(long total, List<byte[]> messages) {
    public static Prepared of(long total) {
      return new Prepared(total, List.of());
    }
  }

  /**
   * As {@link #validate}, keeping the tasks' messages while they fit in {@link LoadOptions#encodedBytes()} (and in a
   * quarter of the heap). Generated tasks keep none: generating them again is cheaper than keeping them.
   */
  public Prepared prepare(TaskInput input) {
    long budget = Math.min(options.encodedBytes(), Runtime.getRuntime().maxMemory() / 4);
    return scan(input, budget);
  }

  private Prepared scan(TaskInput input, long keepBytes) {
    if (input instanceof TaskInput.Generated g) {
      long size = g.generator().size();
      if (size > 0) {
        checkSize("generate", g.generator().task(0));
        checkSize("generate", g.generator().task(size - 1));
      }
      return Prepared.of(size);
    }
    long count = 0;
    List<byte[]> kept = new ArrayList<>();
    long keptBytes = 0;
    boolean keeping = keepBytes > 0;
    try (TaskStream stream = TaskStream.open(input, options.maxDecompressedBytes())) {
      while (stream.hasNext()) {
        Task task = stream.next();
        if (keeping || options.maxMessageBytes() < Long.MAX_VALUE) {
          byte[] message = checkSize(null, task);
          // An array costs its header and a reference besides its bytes.
          keeping = keeping && keptBytes + message.length + 24 <= keepBytes;
          if (keeping) {
            kept.add(message);
            keptBytes += message.length + 24;
          }
        }
        count++;
      }
    }
    return new Prepared(count, kept);
  }

  /** The task's queue message, refused when larger than the queue accepts. */
  private byte[] checkSize(String source, Task task) {
    byte[] message = Json.taskToJsonBytes(task);
    long bytes = message.length;
    if (bytes > options.maxMessageBytes()) {
      throw new TaskListException(source, -1, 0, "task \"" + task.id() + "\" (index " + task.index() + ") is " + bytes
          + " bytes as a queue message; the queue accepts at most " + options.maxMessageBytes()
          + " (pass a reference to large data instead of the data)");
    }
    return message;
  }

  /** Validates, then sends every task from {@code from.offset()} on. */
  public LoadResult load(TaskQueue queue, TaskInput input, LoadCheckpoint from, Listener listener) {
    Prepared prepared = prepare(input);
    return send(queue, input, prepared, prepared.total(), from, listener);
  }

  /**
   * Sends without validating again: for callers that ran {@link #validate} and got the list's size. Tasks
   * from {@code from} up to index {@code total} (exclusive) are sent, so a smaller {@code total} loads a prefix.
   */
  public LoadResult send(TaskQueue queue, TaskInput input, long total, LoadCheckpoint from, Listener listener) {
    return send(queue, input, Prepared.of(total), total, from, listener);
  }

  /**
   * As {@link #send(TaskQueue, TaskInput, long, LoadCheckpoint, Listener)}, sending the messages {@link #prepare}
   * kept as they are ({@link TaskQueue#sendMessages}) and reading {@code input} again only past them.
   */
  public LoadResult send(TaskQueue queue, TaskInput input, Prepared prepared, long total, LoadCheckpoint from,
      Listener listener) {
    return new Run(queue, input, prepared.messages(), total, from == null ? LoadCheckpoint.START : from,
        listener == null ? Listener.NONE : listener).execute();
  }

  /** Tasks [start, end): parsed tasks, or their kept messages. */
  private record Batch(long start, long end, List<Task> tasks, List<TaskMessage> messages) {}

  /** One load: the dispatching thread's state. */
  private final class Run {
    private final TaskQueue queue;
    private final TaskInput input;
    private final List<byte[]> kept;
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

    Run(TaskQueue queue, TaskInput input, List<byte[]> kept, long total, LoadCheckpoint from, Listener listener) {
      this.queue = queue;
      this.input = input;
      this.kept = kept;
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
      // Opened when the kept messages run out; until then nothing is read again.
      TaskStream stream = null;
      try {
        while (true) {
          while (failure == null && inFlight < options.concurrency() && dispatchedEnd < total) {
            if (dispatchedEnd >= kept.size()) {
              if (stream == null) {
                stream = TaskStream.open(input, options.maxDecompressedBytes());
                stream.skip(dispatchedEnd);
              }
              if (!stream.hasNext()) {
                break;
              }
            }
            if (dispatchedEnd + options.batchSize() - reportedCheckpoint > options.window()) {
              if (checkpoint > reportedCheckpoint) {
                report(false); // the window is measured from the last reported checkpoint: move it
                continue;
              }
              break;
            }
            Batch batch = dispatchedEnd < kept.size() ? nextKeptBatch() : nextBatch(stream);
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
        if (stream != null) {
          stream.close();
        }
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
      return new Batch(tasks.get(0).index(), tasks.get(tasks.size() - 1).index() + 1, tasks, null);
    }

    private Batch nextKeptBatch() {
      long end = Math.min(Math.min(kept.size(), total), dispatchedEnd + options.batchSize());
      List<TaskMessage> messages = new ArrayList<>((int) (end - dispatchedEnd));
      for (long i = dispatchedEnd; i < end; i++) {
        messages.add(new TaskMessage(i, kept.get((int) i)));
      }
      return new Batch(dispatchedEnd, end, null, messages);
    }

    private Batch sendWithRetry(Batch batch) throws InterruptedException {
      long backoff = Math.max(1, options.initialBackoff().toMillis());
      for (int attempt = 0; ; attempt++) {
        try {
          if (batch.messages() != null) {
            queue.sendMessages(batch.messages());
          } else {
            queue.send(batch.tasks());
          }
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
      sentThisRun += batch.end() - batch.start();
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
