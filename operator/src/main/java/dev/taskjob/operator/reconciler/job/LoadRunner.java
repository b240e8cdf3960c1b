package dev.taskjob.operator.reconciler.job;

import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.operator.load.LoadCheckpoint;
import dev.taskjob.operator.load.LoadResult;
import dev.taskjob.operator.load.TaskInput;
import dev.taskjob.operator.load.TaskLoader;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads one job's tasks on its own thread with the {@link TaskLoader}, saving every checkpoint the
 * loader reports (into {@code status.loaded}) before it sends further, so a restart resumes with at
 * most the loader's in-flight window sent twice. The reconciler looks at {@link #done()} and
 * {@link #failure()}.
 */
final class LoadRunner {

  private static final Logger LOG = LoggerFactory.getLogger(LoadRunner.class);

  private final String job;
  private final Thread thread;
  private volatile long saved;
  private volatile boolean done;
  private volatile RuntimeException failure;
  private volatile LoadResult result;

  /**
   * @param from the saved checkpoint (status.loaded)
   * @param save writes a checkpoint offset; called on the loader's thread before it sends further
   * @param finished called once the load ended, either way
   */
  LoadRunner(String job, TaskLoader loader, TaskQueue queue, TaskInput input, long total, long from,
      LongConsumer save, Runnable finished) {
    this.job = job;
    this.saved = from;
    LoadCheckpoint start = from == 0 ? LoadCheckpoint.START : new LoadCheckpoint(from, loader.options().window());
    this.thread = new Thread(() -> {
      try {
        result = loader.send(queue, input, total, start, progress -> {
          long offset = progress.checkpoint().offset();
          if (offset > saved) {
            save.accept(offset);
            saved = offset;
          }
        });
        if (saved < total) {
          save.accept(total);
          saved = total;
        }
        done = true;
        LOG.info("job {}: loaded {} tasks ({} this run, at most {} sent twice), {} tasks/s", job, total, result.sent(),
            result.possiblyDuplicated(), Math.round(result.tasksPerSecond()));
      } catch (RuntimeException e) {
        failure = e;
        LOG.warn("job {}: loading stopped at {}: {}", job, saved, e.toString());
      } finally {
        finished.run();
      }
    }, "load-" + job);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** The highest offset saved so far. */
  long saved() {
    return saved;
  }

  boolean done() {
    return done;
  }

  /** Why the load stopped, or null. */
  RuntimeException failure() {
    return failure;
  }

  boolean running() {
    return thread.isAlive();
  }

  /** Stops the load (operator shutdown or job deletion); what was sent stays sent. */
  void stop() {
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
