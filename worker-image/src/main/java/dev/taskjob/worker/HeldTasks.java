package dev.taskjob.worker;

import dev.taskjob.core.queue.QueueException;
import dev.taskjob.worker.source.SourcedTask;
import dev.taskjob.worker.source.TaskSource;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queue tasks received ahead of a free slot ("fetching ahead"): while every slot is busy and its recent tasks
 * are short ({@link #ahead}) the worker keeps up to {@link #limit(int)} received tasks here, so a slot that
 * frees starts its next task without waiting for a receive. A held task keeps its lease as a running one does
 * ({@link #extendLeases}); a stopping worker hands every held task back to the queue at once
 * ({@link #handBackAll}, through {@link TaskSource#handBack}). A held task is not a running task: it has no
 * slot, no process and no event, and the worker's reports do not count it.
 *
 * <p>The dispatcher adds, takes and releases; an exit watcher takes the task first in line for the slot it saw
 * free ({@link #startsOnExit}); the lease thread only extends. A held task's monitor orders an
 * extension against its release, so no extension lands after the release and hides the task again.
 */
final class HeldTasks {

  private static final Logger LOG = LoggerFactory.getLogger(HeldTasks.class);
  /** The most tasks a worker holds ahead, whatever its slots. */
  static final int MAX_AHEAD = 4;

  /**
   * Tasks are fetched ahead only while the median of this worker's recent run times is below this. A held task
   * waits for a slot of its own worker even while another worker has a free one, so it can end the job up to
   * one task's run time later; with short tasks that is little, and the receive it saves is a real share of
   * each task.
   */
  static final Duration SHORT_TASK = Duration.ofSeconds(2);
  /** How many of the latest run times the median is taken over. */
  static final int RECENT_TASKS = 16;

  /** Where a task the fetcher delivered goes. */
  enum Placement { START, HOLD, RELEASE }

  /** A received task waiting for a slot. */
  static final class Held {
    final SourcedTask task;
    /** {@link System#nanoTime()} when its lease was last set (before the receive that got it, at first). */
    private volatile long leaseExtendedNanos;
    private boolean released;

    Held(SourcedTask task, long leasedSinceNanos) {
      this.task = task;
      this.leaseExtendedNanos = leasedSinceNanos;
    }

    /** Read without the monitor: a start need not wait for an extension in progress (an older time is safe). */
    long leaseExtendedNanos() {
      return leaseExtendedNanos;
    }
  }

  private final ConcurrentLinkedDeque<Held> held = new ConcurrentLinkedDeque<>();

  /**
   * How many tasks a worker of {@code slots} slots holds ahead: half of its slots, at least one, at most
   * {@link #MAX_AHEAD}. A slot takes a held task the moment its task ends, and the receive that replaces it
   * goes through the dispatcher and the queue, tens of milliseconds on a busy machine: holding a quarter of 8
   * slots, a quarter of the README job's task ends found none held and waited for a receive (docs/benchmarks.md).
   */
  static int limit(int slots) {
    return Math.min(MAX_AHEAD, Math.max(1, slots / 2));
  }

  /**
   * How many tasks a worker of {@code slots} slots holds ahead now: none before a task of its own has ended
   * (nothing is known of the run times yet) or while its recent tasks are not short, else {@link #limit}.
   */
  static int ahead(int slots, RecentRunTimes recent) {
    if (recent.count() == 0 || recent.median() >= SHORT_TASK.toNanos() / 1e9) {
      return 0;
    }
    return limit(slots);
  }

  /** The run times of a worker's latest {@link #RECENT_TASKS} ended tasks, in seconds (dispatcher thread only). */
  static final class RecentRunTimes {
    private final double[] seconds = new double[RECENT_TASKS];
    private int count;
    private int next;

    void add(double runSeconds) {
      seconds[next] = runSeconds;
      next = (next + 1) % seconds.length;
      count = Math.min(count + 1, seconds.length);
    }

    int count() {
      return count;
    }

    /** The median (the upper one of an even count); NaN when there are none. */
    double median() {
      if (count == 0) {
        return Double.NaN;
      }
      double[] sorted = Arrays.copyOf(seconds, count);
      Arrays.sort(sorted);
      return sorted[count / 2];
    }
  }

  /** A delivered task starts in a free slot unless a held one is ahead of it, else waits; none when stopping. */
  static Placement place(boolean stopping, int running, int slots, int alreadyHeld) {
    if (stopping) {
      return Placement.RELEASE;
    }
    return running < slots && alreadyHeld == 0 ? Placement.START : Placement.HOLD;
  }

  /**
   * Whether the exit watcher that saw a slot's task end starts the held task first in line in that slot, there
   * and then: not once the worker is stopping or told to stop, and not while a copy of that task (a hedge shares
   * its directory) is running, ended and not yet reported, or being started by another exit watcher. Otherwise
   * the dispatcher decides, as it does for every slot when nothing is held.
   */
  static boolean startsOnExit(boolean stopping, boolean anyHeld, boolean copyRunningOrStarting) {
    return !stopping && anyHeld && !copyRunningOrStarting;
  }

  /**
   * How long the fetcher's receive may wait, holding {@code permits} of the {@code slots} + {@link #limit} there
   * are: the long poll while a permit stands for a free slot, none when every slot has a task and the receive
   * is only for held tasks. Such a receive takes what the queue has now, and when it has nothing the fetcher
   * waits for a slot to free rather than keep a poll open: a poll still open when the worker stops could be
   * handed a task after it was cancelled (the Pub/Sub emulator did that to a released task, which then came
   * back only after its lease).
   */
  static Duration receiveWait(int permits, int slots, Duration longPoll) {
    return permits > limit(slots) ? longPoll : Duration.ZERO;
  }

  void add(SourcedTask task, long leasedSinceNanos) {
    held.addLast(new Held(task, leasedSinceNanos));
  }

  /** Puts a task taken with {@link #poll} back in front, first in line again. */
  void putBack(Held task) {
    held.addFirst(task);
  }

  /** The task held longest, left held, or null. */
  Held peek() {
    return held.peekFirst();
  }

  /** The task held longest, or null. */
  Held poll() {
    return held.pollFirst();
  }

  int size() {
    return held.size();
  }

  boolean isEmpty() {
    return held.isEmpty();
  }

  /** Hands every held task back to the queue (visible again at once); returns how many. */
  int handBackAll(TaskSource source) {
    int n = 0;
    Held h;
    while ((h = held.pollFirst()) != null) {
      synchronized (h) {
        h.released = true;
      }
      source.handBack(h.task);
      n++;
    }
    return n;
  }

  /**
   * Extends the lease of every held task whose lease was last set {@code lease / 3} or more before {@code now}
   * (the rule for running tasks). Called on the lease thread.
   */
  void extendLeases(TaskSource source, Duration lease, long now) {
    long due = lease.toNanos() / 3;
    for (Held h : held) {
      synchronized (h) {
        if (h.released || now - h.leaseExtendedNanos < due) {
          continue;
        }
        try {
          source.extendLease(h.task, lease);
          h.leaseExtendedNanos = now;
          LOG.debug("Extended the lease of held task {} by {}", h.task.task().id(), lease);
        } catch (QueueException e) {
          LOG.warn("Could not extend the lease of task {}, received and waiting for a slot: {}", h.task.task().id(),
              e.getMessage());
        }
      }
    }
  }
}
