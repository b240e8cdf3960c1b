package dev.taskjob.worker.source;

import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.core.queue.TaskQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tasks leased from a job's queue. Acks and releases are network calls, so they run on a small pool
 * off the supervisor's dispatcher thread; {@link #close()} waits for them. A failed ack only means the
 * task may be delivered again (the ledger counts the duplicate), so it is logged, not fatal. A refused
 * re-send of a failed attempt is tried again as {@link RefusedResend} decides.
 */
public final class QueueTaskSource implements TaskSource {

  private static final Logger LOG = LoggerFactory.getLogger(QueueTaskSource.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final TaskQueue queue;
  private final String description;
  private final ScheduledExecutorService acks;
  /** Retries waiting for their delay; they hand their send to {@link #acks}. */
  private final ScheduledThreadPoolExecutor delayed;
  private final Set<SourcedTask> waiting = ConcurrentHashMap.newKeySet();
  private final AtomicInteger sending = new AtomicInteger();
  private volatile long lastRetrySent = Long.MIN_VALUE;
  /** How much longer than a retry's delay its failed delivery's lease is held. */
  private static final Duration LEASE_MARGIN = Duration.ofSeconds(60);
  /** Scales {@link RefusedResend}'s waits (tests use zero). */
  private final double resendWaitScale;
  /** Set by {@link #close()}: when a refused re-send stops being tried and its delivery is released. */
  private volatile Instant giveUpAt;

  public QueueTaskSource(TaskQueue queue, String description) {
    this(queue, description, 1.0);
  }

  QueueTaskSource(TaskQueue queue, String description, double resendWaitScale) {
    this.queue = queue;
    this.description = description;
    this.resendWaitScale = resendWaitScale;
    this.acks = Executors.newScheduledThreadPool(4, r -> {
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
   * between leaves both (the ledger counts the duplicate). A send the queue refuses is tried again while
   * the failed delivery is held ({@link RefusedResend}); a stopping worker releases it only when its wait
   * for pending acknowledgements runs out. Retries still waiting when the source closes are sent at once,
   * so none is lost.
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
    try {
      acks.execute(() -> resend(task, 0));
    } catch (RejectedExecutionException closed) {
      resend(task, 0);
    }
  }

  /** A re-send ended (sent, or released): it no longer counts as pending. */
  private void resendDone() {
    lastRetrySent = System.nanoTime();
    sending.decrementAndGet();
  }

  private void resend(SourcedTask task, int refusedBefore) {
    int refusals = refusedBefore;
    while (true) {
      try {
        queue.send(List.of(task.task().withFailedAttempts(task.attempt())));
        break;
      } catch (RuntimeException e) {
        refusals++;
        Instant giveUpAt = this.giveUpAt;
        RefusedResend.Next next = RefusedResend.after(refusals, giveUpAt == null ? null
            : Duration.between(Instant.now(), giveUpAt));
        if (!next.tryAgain()) {
          LOG.warn("Could not send task {} for attempt {} before the worker stopped; releasing it, so its next"
              + " delivery does not count attempt {}: {}", task.task().id(), task.attempt() + 1, task.attempt(),
              e.getMessage());
          releaseNow(task);
          resendDone();
          return;
        }
        LOG.warn("Could not send task {} for attempt {} ({} refusals); holding it and trying again in {} ms: {}",
            task.task().id(), task.attempt() + 1, refusals, next.delay().toMillis(), e.getMessage());
        try {
          queue.extendLease(task.lease(), queue.settings().leaseDuration());
        } catch (RuntimeException ignored) {
          // the next try extends it again; a lapsed lease only means a redelivery
        }
        long delayMillis = (long) (next.delay().toMillis() * resendWaitScale);
        if (!acks.isShutdown()) {
          int tried = refusals;
          try {
            acks.schedule(() -> resend(task, tried), delayMillis, TimeUnit.MILLISECONDS);
            return;
          } catch (RejectedExecutionException closing) {
            // closed in between: wait here instead
          }
        }
        // stopping: the pool takes no new work, so this thread waits (close waits for it)
        try {
          Thread.sleep(delayMillis);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          releaseNow(task);
          resendDone();
          return;
        }
      }
    }
    try {
      queue.ack(task.lease());
    } catch (RuntimeException e) {
      LOG.warn("Could not acknowledge task {} after sending its next attempt; it may run twice: {}",
          task.task().id(), e.getMessage());
    }
    resendDone();
  }

  @Override
  public void release(SourcedTask task) {
    acks.execute(() -> releaseNow(task));
  }

  /**
   * Releases the delivery unless it is the last one the queue allows: released, the next receive would move
   * a task that never started to the dead-letter queue, where the job reports it failed. That delivery is
   * sent again as a new message with the same failed attempts and then acknowledged; a crash in between
   * leaves both (the ledger counts the duplicate), and a refused send falls back to the release.
   */
  @Override
  public void handBack(SourcedTask task) {
    if (!isLastDelivery(task.lease().deliveryAttempt(), queue.settings().maxAttempts())) {
      release(task);
      return;
    }
    try {
      acks.execute(() -> sendAgainUnstarted(task));
    } catch (RejectedExecutionException closed) {
      sendAgainUnstarted(task);
    }
  }

  /** True when releasing a delivery numbered {@code deliveryAttempt} would dead-letter it (SQS and Pub/Sub alike). */
  static boolean isLastDelivery(int deliveryAttempt, int maxDeliveries) {
    return deliveryAttempt >= maxDeliveries;
  }

  private void sendAgainUnstarted(SourcedTask task) {
    try {
      queue.send(List.of(task.task()));
    } catch (RuntimeException e) {
      LOG.warn("Could not send task {} back to the queue as a new message; releasing its last delivery, which"
          + " moves it to the dead-letter queue: {}", task.task().id(), e.getMessage());
      releaseNow(task);
      return;
    }
    try {
      queue.ack(task.lease());
    } catch (RuntimeException e) {
      LOG.warn("Could not acknowledge task {} after sending it back unstarted; it may run twice: {}",
          task.task().id(), e.getMessage());
    }
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
    giveUpAt = Instant.now().plus(CLOSE_TIMEOUT).minusSeconds(5);
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
