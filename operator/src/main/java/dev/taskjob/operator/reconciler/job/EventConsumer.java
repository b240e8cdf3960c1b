package dev.taskjob.operator.reconciler.job;

import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.ReceivedEvent;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.operator.archive.JobArchive;
import dev.taskjob.operator.ledger.TaskResult;
import dev.taskjob.operator.progress.JobProgress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one job's event queue continuously on its own thread, outside any reconcile: applies events
 * to the job's {@link JobProgress}, polls the dead-letter queue, saves the ledger at most every
 * {@code saveInterval}, and only then acknowledges the events the save covers. A crash between the
 * save and the acknowledgement redelivers events the saved ledger already recognises. When the job
 * names an output location, the events and each task's final result are archived before each save.
 *
 * <p>It also knows until when events may still be hidden in the event queue, received by a reader that
 * never acknowledged them: a previous operator process (for a resumed job), or one of its own receives
 * that failed after the queue had handed events out. The drain's fallback waits for them.
 */
final class EventConsumer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EventConsumer.class);
  private static final int RECEIVE_BATCH = 100;
  /** Save early when this many events wait for acknowledgement. */
  private static final int MAX_UNSAVED = 2_000;

  private final String job;
  private final TaskQueue queue;
  private final JobProgress progress;
  private final Consumer<JobProgress.LedgerImage> saver;
  /** The job's archive, or null when the job names no output location. */
  private final JobArchive archive;
  private final Runnable onAllFinished;
  private final Duration wait;
  private final Duration saveInterval;
  private final Clock clock;
  private final Thread thread;
  private final List<ReceivedEvent> unacked = new ArrayList<>();
  private volatile boolean running = true;
  private volatile Instant lastSave;
  private volatile String lastError;
  /** When events received and never acknowledged are delivered again at the latest, or null. */
  private volatile Instant eventsHiddenUntil;
  private boolean dirty;
  private boolean reportedAllFinished;
  private Instant lastDeadLetterPoll = Instant.EPOCH;

  EventConsumer(String job, TaskQueue queue, JobProgress progress, Consumer<JobProgress.LedgerImage> saver,
      Runnable onAllFinished, Duration wait, Duration saveInterval, Clock clock) {
    this(job, queue, progress, saver, null, onAllFinished, wait, saveInterval, clock, false);
  }

  /**
   * @param resumed whether another reader (an earlier operator process) may have received events of this
   *     job and not acknowledged them: then they count as hidden for one redelivery time from now
   */
  EventConsumer(String job, TaskQueue queue, JobProgress progress, Consumer<JobProgress.LedgerImage> saver,
      JobArchive archive, Runnable onAllFinished, Duration wait, Duration saveInterval, Clock clock,
      boolean resumed) {
    this.job = job;
    this.archive = archive;
    this.queue = queue;
    this.progress = progress;
    this.saver = saver;
    this.onAllFinished = onAllFinished;
    this.wait = wait;
    this.saveInterval = saveInterval;
    this.clock = clock;
    this.lastSave = clock.instant();
    this.eventsHiddenUntil = resumed ? clock.instant().plus(queue.eventRedelivery()) : null;
    this.thread = new Thread(this::run, "events-" + job);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** The last failure reading or saving, or null when the last round went well. */
  String lastError() {
    return lastError;
  }

  /**
   * When events some reader received and never acknowledged are delivered again at the latest, or null
   * when no such events can exist.
   */
  Instant eventsHiddenUntil() {
    return eventsHiddenUntil;
  }

  private void run() {
    Duration backoff = Duration.ofMillis(200);
    while (running) {
      try {
        round();
        lastError = null;
        backoff = Duration.ofMillis(200);
      } catch (RuntimeException e) {
        if (!running) {
          break; // closing: the interrupt ended a long poll
        }
        lastError = e.getMessage();
        LOG.warn("job {}: reading events failed, retrying in {} ms: {}", job, backoff.toMillis(), e.toString());
        sleep(backoff);
        backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10)
            : backoff.multipliedBy(2);
      }
    }
  }

  /** One read: receive, apply, maybe save and acknowledge (package-private for tests that drive it). */
  void round() {
    List<ReceivedEvent> received;
    try {
      received = queue.receiveEvents(RECEIVE_BATCH, wait);
    } catch (RuntimeException e) {
      // The queue may have handed out events whose answer never arrived: they come back only later.
      Instant back = clock.instant().plus(queue.eventRedelivery());
      Instant before = eventsHiddenUntil;
      eventsHiddenUntil = before == null || back.isAfter(before) ? back : before;
      throw e;
    }
    Instant now = clock.instant();
    if (!received.isEmpty()) {
      List<TaskEvent> events = new ArrayList<>(received.size());
      received.forEach(r -> events.add(r.event()));
      List<TaskResult> finals = new ArrayList<>();
      if (progress.apply(events, now, finals) > 0) {
        dirty = true;
      }
      if (archive != null) {
        archive.add(events, finals);
      }
      unacked.addAll(received);
      dirty |= progress.unsavedEvents() > 0;
    }
    if (Duration.between(lastDeadLetterPoll, now).compareTo(saveInterval.multipliedBy(3)) >= 0) {
      lastDeadLetterPoll = now;
      pollDeadLetters(now);
    }
    dirty |= progress.hasUnsavedHedges(); // a hedged copy sent is saved even when no event came
    boolean due = Duration.between(lastSave, now).compareTo(saveInterval) >= 0;
    if ((dirty || !unacked.isEmpty()) && (due || progress.unsavedEvents() >= MAX_UNSAVED || received.isEmpty())) {
      flush();
    }
    if (!reportedAllFinished && progress.snapshot(now).allFinished()) {
      reportedAllFinished = true;
      flush();
      onAllFinished.run();
    }
  }

  /**
   * Tasks that exhausted their deliveries: final failures unless the ledger already has their result. A
   * hedged copy's dead letter is no failure: the task's original copy has its own deliveries.
   */
  private void pollDeadLetters(Instant now) {
    List<LeasedTask> dead = queue.receiveDeadLetters(RECEIVE_BATCH, Duration.ZERO);
    List<TaskResult> finals = new ArrayList<>();
    for (LeasedTask t : dead) {
      if (t.task().hedge()) {
        continue; // a hedged copy that kept losing its VM: the original still decides the task
      }
      if (progress.applyDeadLetter(t.task().index(), t.task().id(), t.deliveryAttempt(), now, finals)) {
        dirty = true;
      }
    }
    if (archive != null) {
      archive.add(List.of(), finals);
    }
    progress.deadLettersRead(now);
  }

  /**
   * Archives what was read, saves the ledger if it changed, then acknowledges the events the save
   * covers: the archive holds at least what the saved ledger counts.
   */
  synchronized void flush() {
    if (archive != null) {
      archive.flush();
    }
    if (dirty) {
      saver.accept(progress.ledgerImage());
      dirty = false;
    }
    lastSave = clock.instant();
    if (!unacked.isEmpty()) {
      try {
        queue.ackEvents(List.copyOf(unacked));
      } finally {
        unacked.clear();
        progress.checkpoint();
      }
    } else {
      progress.checkpoint();
    }
  }

  /** Stops reading and saves what was read. */
  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(Duration.ofSeconds(30).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      flush();
    } catch (RuntimeException e) {
      LOG.warn("job {}: final ledger save failed (events will be read again): {}", job, e.toString());
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
