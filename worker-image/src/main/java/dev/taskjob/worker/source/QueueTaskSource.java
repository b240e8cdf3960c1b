package dev.taskjob.worker.source;

import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.core.queue.TaskQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tasks leased from a job's queue. Acks and releases are network calls, so they run on a small pool
 * off the supervisor's dispatcher thread; {@link #close()} waits for them. A failed ack only means the
 * task may be delivered again (the ledger counts the duplicate), so it is logged, not fatal.
 */
public final class QueueTaskSource implements TaskSource {

  private static final Logger LOG = LoggerFactory.getLogger(QueueTaskSource.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final TaskQueue queue;
  private final String description;
  private final ExecutorService acks;
  /** Retries waiting for their delay; they hand their send to {@link #acks}. */
  private final ScheduledThreadPoolExecutor delayed;
  private final Set<SourcedTask> waiting = ConcurrentHashMap.newKeySet();
  private final AtomicInteger sending = new AtomicInteger();
  private volatile long lastRetrySent = Long.MIN_VALUE;
  /** How much longer than a retry's delay its failed delivery's lease is held. */
  private static final Duration LEASE_MARGIN = Duration.ofSeconds(60);

  public QueueTaskSource(TaskQueue queue, String description) {
    this.queue = queue;
    this.description = description;
    this.acks = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "taskjob-queue-acks");
      t.setDaemon(true);
      return t;
    });
    this.delayed = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "taskjob-retry-delays");
      t.setDaemon(true);
      return t;
    });
  }

  /** The queue behind this source (events go to its event queue). */
  public TaskQueue queue() {
    return queue;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public boolean isQueue() {
    return true;
  }

  @Override
  public List<SourcedTask> take(int max, Duration wait) {
    List<LeasedTask> leased = queue.receive(max, wait);
    List<SourcedTask> out = new ArrayList<>(leased.size());
    for (LeasedTask t : leased) {
      // redeliveries after an interruption are not attempts; only the failures the message carries are
      out.add(new SourcedTask(t.task(), t.task().failedAttempts() + 1, t));
    }
    return out;
  }

  @Override
  public boolean exhausted() {
    return false;
  }

  @Override
  public void completed(SourcedTask task) {
    acks.execute(() -> {
      try {
        queue.ack(task.lease());
      } catch (RuntimeException e) {
        LOG.warn("Could not acknowledge task {}; the queue may deliver it again: {}", task.task().id(), e.getMessage());
      }
    });
  }

  /**
   * After {@code delay} (the failed delivery's lease held meanwhile, so no other worker runs it early):
   * sends the task again with this attempt counted, then acks the delivery that failed. A crash in
   * between leaves both (the ledger counts the duplicate); a send that fails releases the delivery, so
   * the task still runs again, with this attempt uncounted. Retries still waiting when the source closes
   * are sent at once, so none is lost.
   */
  @Override
  public void retry(SourcedTask task, Duration delay) {
    if (delay.isZero() || delay.isNegative()) {
      resend(task);
      return;
    }
    try {
      queue.extendLease(task.lease(), delay.plus(LEASE_MARGIN));
    } catch (RuntimeException e) {
      LOG.warn("Could not hold task {} for its retry delay; sending its next attempt now: {}", task.task().id(),
          e.getMessage());
      resend(task);
      return;
    }
    waiting.add(task);
    delayed.schedule(() -> {
      sending.incrementAndGet(); // counted before it stops waiting, so it is never seen as neither
      if (waiting.remove(task)) {
        resend(task);
      }
      sending.decrementAndGet();
    }, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Retries waiting for their delay or for their send; the queue does not hold them yet. */
  @Override
  public int pendingRetries() {
    return waiting.size() + sending.get();
  }

  @Override
  public long lastRetrySentNanos() {
    return lastRetrySent;
  }

  private void resend(SourcedTask task) {
    sending.incrementAndGet();
    acks.execute(() -> {
      try {
        sendNextAttempt(task);
      } finally {
        lastRetrySent = System.nanoTime();
        sending.decrementAndGet();
      }
    });
  }

  private void sendNextAttempt(SourcedTask task) {
    try {
      queue.send(List.of(task.task().withFailedAttempts(task.attempt())));
    } catch (RuntimeException e) {
      LOG.warn("Could not send task {} for attempt {}; releasing it instead: {}", task.task().id(),
          task.attempt() + 1, e.getMessage());
      releaseNow(task);
      return;
    }
    try {
      queue.ack(task.lease());
    } catch (RuntimeException e) {
      LOG.warn("Could not acknowledge task {} after sending its next attempt; it may run twice: {}",
          task.task().id(), e.getMessage());
    }
  }

  @Override
  public void release(SourcedTask task) {
    acks.execute(() -> releaseNow(task));
  }

  private void releaseNow(SourcedTask task) {
    try {
      queue.release(task.lease());
    } catch (RuntimeException e) {
      LOG.warn("Could not release task {}; it returns when its lease lapses: {}", task.task().id(), e.getMessage());
    }
  }

  @Override
  public void stopReceiving() {
    queue.stopReceiving();
  }

  @Override
  public Duration leaseDuration() {
    return queue.settings().leaseDuration();
  }

  @Override
  public void extendLease(SourcedTask task, Duration leaseFromNow) {
    queue.extendLease(task.lease(), leaseFromNow);
  }

  @Override
  public void close() {
    delayed.shutdownNow();
    for (SourcedTask task : List.copyOf(waiting)) {
      if (waiting.remove(task)) {
        resend(task); // a retry still waiting is sent now rather than lost
      }
    }
    acks.shutdown();
    try {
      if (!acks.awaitTermination(CLOSE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        LOG.warn("Gave up waiting for queue acknowledgements after {} s", CLOSE_TIMEOUT.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      queue.close();
    } catch (QueueException e) {
      LOG.debug("Closing the queue failed", e);
    }
  }
}
