package dev.taskjob.worker;

import dev.taskjob.core.Json;
import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.worker.events.EventPublisher;
import dev.taskjob.worker.process.ProcessTree;
import dev.taskjob.worker.process.TaskDirectories;
import dev.taskjob.worker.process.TaskLauncher;
import dev.taskjob.worker.process.TaskNotStartableException;
import dev.taskjob.worker.process.TaskRun;
import dev.taskjob.worker.source.SourcedTask;
import dev.taskjob.worker.source.TaskSource;
import dev.taskjob.worker.spot.PreemptionMonitor;
import dev.taskjob.worker.spot.PreemptionNotice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link WorkerSettings#slots()} task processes running until the source runs dry or the worker
 * is told to stop, applying the retry policy, the maximum runtime and the shutdown rules.
 *
 * <p>One dispatcher thread owns all scheduling state. Everything else (process exits seen by the exit
 * watcher threads, one per running task, tasks received from a queue by the fetcher thread, signals, the
 * preemption monitor) posts a message to the dispatcher's inbox. Timeouts run on one scheduler
 * thread; lease extension and heartbeats on another, since they call the network.
 *
 * <p>Fetching ahead: while this worker's recent tasks are short, the fetcher receives from a queue for the free
 * slots plus a few more tasks ({@link HeldTasks}), so a slot whose task's process has exited starts the next
 * task at once, with the ended task's settling (the scan for leftover processes, the result, the report) after
 * that start. The exit watcher that sees the exit starts that held task itself ({@link #restartSlot}) and
 * posts both to the dispatcher, which takes the slot for it: on a busy machine a slot would otherwise stay
 * empty until the dispatcher thread is scheduled and has started the tasks before it.
 *
 * <p>Stopping: a stop request (signal, spot interruption, empty queue, fatal error) stops taking tasks,
 * writes the stop notice for running tasks and gives them until a deadline; then their process trees get
 * SIGTERM, SIGKILL after the kill grace period, and, for a queue, their leases are released. A second
 * signal kills at once. How an attempt ended is decided by {@link TaskOutcome}, whether it runs again
 * by {@link RetryPolicy}.
 */
public final class Supervisor {

  private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
  /** Per-task lines; {@code --quiet} turns this logger down. */
  static final Logger TASK_LOG = LoggerFactory.getLogger("dev.taskjob.worker.tasks");
  /** Exit codes of {@link #run()}. */
  public static final int EXIT_OK = 0;
  public static final int EXIT_TASKS_FAILED = 1;
  public static final int EXIT_WORKER_ERROR = 3;
  /** Time kept back from a spot notice's deadline for killing tasks and releasing leases. */
  static final Duration PREEMPTION_MARGIN = Duration.ofSeconds(10);
  /** How long a task that died of SIGTERM/SIGKILL waits for the worker's own stop signal to arrive. */
  static final Duration SIGNAL_SETTLE = Duration.ofMillis(500);
  /** How long a worker told to stop waits for the fetcher's receive to end before closing the queue under it. */
  static final Duration FETCHER_STOP_WAIT = Duration.ofMillis(150);
  /**
   * The least time between the starts of two passes over /proc for ended queue tasks. A pass reads the stat of
   * every process on the machine, a few milliseconds of CPU on a busy one, and tasks of 0.2 s on 8 slots end
   * every 25 ms: spaced this far, a pass serves several of them (docs/benchmarks.md, "The README's local job").
   * The price: what a task left running lives up to this much longer, and its report comes up to this much later.
   */
  static final Duration SETTLE_PASS_SPACING = Duration.ofMillis(100);
  /** How often tasks' resident memory is compared with the per-task limit. */
  static final Duration MEMORY_CHECK_PERIOD = Duration.ofMillis(200);
  /**
   * For benchmarks only (bench/worker/sampling.sh): {@code -Dtaskjob.bench.rightSizingSamples=false} leaves out the
   * samples taken only for right-sizing (peak memory and CPU per task); a per-task memory limit is still enforced.
   */
  static final boolean RIGHT_SIZING_SAMPLES = !"false".equals(System.getProperty("taskjob.bench.rightSizingSamples"));

  /** A list task's start: it has no lease. */
  private static final long NOT_LEASED = Long.MIN_VALUE;

  private final WorkerSettings settings;
  private final TaskSource source;
  private final TaskLauncher launcher;
  private final EventPublisher events;
  private final PreemptionMonitor preemption;

  private final LinkedBlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
  private final Set<TaskRun> active = ConcurrentHashMap.newKeySet();
  private final ScheduledThreadPoolExecutor timeouts;
  private final ScheduledThreadPoolExecutor background;
  /** Kills what ended queue tasks left running, off the dispatcher thread. */
  private final ScheduledThreadPoolExecutor settler;
  /** One thread per running task, waiting for its process to exit ({@link #watchExit}). */
  private final ExecutorService exitWatchers;
  /** Batches handed to the settler and not yet taken by a pass over /proc ({@link #settlePending}). */
  private final ConcurrentLinkedQueue<SettlingBatch> toSettle = new ConcurrentLinkedQueue<>();
  /** When the settler's last pass began (System.nanoTime), read by the dispatcher to space the passes. */
  private volatile long lastSettlePassNanos = System.nanoTime() - SETTLE_PASS_SPACING.toNanos();
  private final AtomicInteger signals = new AtomicInteger();
  /** Set at once by a signal or spot notice, before the dispatcher sees the stop request. */
  private final AtomicBoolean stoppedFromOutside = new AtomicBoolean();
  private final AtomicLong finishedCount = new AtomicLong();
  /** Held tasks an exit watcher took for the slot it saw free ({@link #restartSlot}). */
  private final AtomicLong restartsOnExit = new AtomicLong();
  private final RunSummary summary = new RunSummary();

  // dispatcher-thread state
  private final TaskRun[] slots;
  private final BitSet busySlots = new BitSet();
  private int running;
  private long taken;
  /** Set on the dispatcher, under {@link #heldLock}; read by exit watchers before they take a held task. */
  private volatile boolean stopping;
  private String stopReason;
  private long graceDeadlineNanos;
  private boolean graceKillDone;
  private int exitCode = EXIT_OK;
  private long lastActivityNanos;
  /** Ids of queue tasks whose process exited and whose report is still to come (see {@link #settleEnded}). */
  private final List<String> unsettledIds = new ArrayList<>();
  /** Batches of ended tasks on the settler thread, each to report back through the inbox. */
  private int settlingBatches;
  /** Tasks whose process exited in this round of the inbox, settled together by {@link #settleEnded}. */
  private final List<Ended> ended = new ArrayList<>();

  /** Queue tasks received while every slot was busy, started as slots free. */
  private final HeldTasks held = new HeldTasks();
  /**
   * Orders taking a held task (the dispatcher's {@link #startHeld}, an exit watcher's {@link #claimHeld}) against the
   * stop: once {@link #stopping} is set under it, no held task starts.
   */
  private final Object heldLock = new Object();
  /** Ids of held tasks an exit watcher took and is starting (guarded by {@link #heldLock}). */
  private final Set<String> startingIds = new HashSet<>();
  /** Whether an exit watcher may start a held task in the slot whose task it saw end ({@link #restartSlot}). */
  private final boolean restartOnExit;
  private final HeldTasks.RecentRunTimes recentRunTimes = new HeldTasks.RecentRunTimes();
  /** How many tasks the fetcher may receive beyond the free slots now ({@link HeldTasks#ahead}). */
  private volatile int aheadWanted;
  /** One permit per task the fetcher may still receive: the free slots plus room for the tasks held ahead. */
  private final Semaphore freeSlots;
  private Fetcher fetcher;

  /**
   * @param preemption the spot-notice poller, or null; started by {@link #run()}
   */
  public Supervisor(WorkerSettings settings, TaskSource source, TaskLauncher launcher, EventPublisher events,
      PreemptionMonitor preemption) {
    this.settings = settings;
    this.source = source;
    this.launcher = launcher;
    this.events = events;
    this.preemption = preemption;
    this.slots = new TaskRun[settings.slots()];
    this.freeSlots = new Semaphore(settings.slots() + HeldTasks.limit(settings.slots()));
    this.timeouts = scheduler("taskjob-timeouts", 1);
    this.background = scheduler("taskjob-background", 2);
    this.settler = scheduler("taskjob-settler", 1);
    this.exitWatchers = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "taskjob-exit-watch");
      t.setDaemon(true);
      return t;
    });
    // A task list's slot, or one with a scratch directory, is reused only once its task is settled.
    this.restartOnExit = source.isQueue() && !launcher.hasScratch();
  }

  private static ScheduledThreadPoolExecutor scheduler(String name, int threads) {
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(threads, r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
    s.setRemoveOnCancelPolicy(true);
    return s;
  }

  /** Runs until done; returns the worker's exit code. */
  public int run() {
    lastActivityNanos = System.nanoTime();
    events.publish(workerEvent(EventType.WORKER_STARTED)
        .message("slots=" + settings.slots() + "; source=" + source.description()).build());
    startBackgroundWork();
    try {
      loop();
    } finally {
      finish();
    }
    return exitCode;
  }

  private void startBackgroundWork() {
    Duration hb = settings.heartbeatInterval();
    if (hb != null && !hb.isZero()) {
      background.scheduleAtFixedRate(this::heartbeat, hb.toMillis(), hb.toMillis(), TimeUnit.MILLISECONDS);
    }
    Duration lease = source.leaseDuration();
    if (lease != null) {
      long period = Math.max(250, lease.toMillis() / 6);
      background.scheduleWithFixedDelay(this::extendLeases, period, period, TimeUnit.MILLISECONDS);
    }
    if (preemption != null) {
      preemption.start();
    }
    if (settings.maxMemoryPerTaskBytes() != null
        || (RIGHT_SIZING_SAMPLES && launcher.tracksTrees() && ProcessTree.procAvailable())) {
      background.scheduleWithFixedDelay(this::sampleTasks, MEMORY_CHECK_PERIOD.toMillis(),
          MEMORY_CHECK_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }
    if (source.isQueue()) {
      fetcher = new Fetcher();
      fetcher.start();
    }
  }

  private void loop() {
    while (true) {
      if (!stopping && !source.isQueue()) {
        fillFromList();
      }
      if (running == 0 && settlingBatches == 0 && (stopping || sourceDone())) {
        return;
      }
      try {
        Runnable message = inbox.poll(pollMillis(), TimeUnit.MILLISECONDS);
        while (message != null) {
          message.run();
          message = inbox.poll();
        }
        settleEnded();
      } catch (InterruptedException e) {
        requestStop("interrupted", Duration.ZERO, EXIT_WORKER_ERROR);
      }
      checkDeadlines();
    }
  }

  private boolean sourceDone() {
    if (source.isQueue()) {
      return taken >= settings.maxTasks() && inbox.isEmpty() && held.isEmpty();
    }
    return source.exhausted();
  }

  private long pollMillis() {
    long millis = 1000;
    if (stopping && !graceKillDone) {
      millis = Math.min(millis, Math.max(1, TimeUnit.NANOSECONDS.toMillis(graceDeadlineNanos - System.nanoTime())));
    }
    return millis;
  }

  private void checkDeadlines() {
    long now = System.nanoTime();
    if (stopping && !graceKillDone && running > 0 && now - graceDeadlineNanos >= 0) {
      graceKillDone = true;
      LOG.warn("Shutdown grace period is over; stopping {} running task(s): SIGTERM now, SIGKILL after {}", running,
          DurationText.format(settings.killGracePeriod()));
      for (TaskRun run : active) {
        stopTask(run, TaskRun.Kill.INTERRUPTED);
      }
    }
    Duration empty = settings.exitWhenEmpty();
    if (source.pendingRetries() > 0) {
      lastActivityNanos = now; // a retry on its way back to the queue: not idle
    }
    if (source.lastRetrySentNanos() != Long.MIN_VALUE && source.lastRetrySentNanos() - lastActivityNanos > 0) {
      lastActivityNanos = source.lastRetrySentNanos(); // idle from when the retry reached the queue
    }
    if (!stopping && source.isQueue() && empty != null && running == 0 && settlingBatches == 0 && inbox.isEmpty()
        && held.isEmpty() && source.pendingRetries() == 0
        && now - Math.max(lastActivityNanos, fetcher.lastReceivedNanos) >= empty.toNanos()) {
      requestStop("no tasks in the queue for " + DurationText.format(empty), Duration.ZERO, EXIT_OK);
    }
  }

  // ---- starting tasks ----

  private void fillFromList() {
    while (running < slots.length && !stopping) {
      List<SourcedTask> next;
      try {
        next = source.take(slots.length - running, Duration.ZERO);
      } catch (RuntimeException e) {
        LOG.error("Cannot read the next task: {}", e.getMessage());
        requestStop("the task list cannot be read", settings.shutdownGracePeriod(), EXIT_WORKER_ERROR);
        return;
      }
      if (next.isEmpty()) {
        return;
      }
      for (SourcedTask t : next) {
        start(t);
      }
    }
  }

  /** Queue tasks from one receive, leased since {@code leasedSinceNanos}: each starts, waits or goes back. */
  private void arrived(List<SourcedTask> tasks, long leasedSinceNanos) {
    lastActivityNanos = System.nanoTime();
    for (SourcedTask t : tasks) {
      switch (HeldTasks.place(stopping, running, slots.length, held.size())) {
        case RELEASE -> {
          source.handBack(t);
          freeSlots.release();
        }
        case START -> start(t, leasedSinceNanos);
        case HOLD -> held.add(t, leasedSinceNanos);
      }
    }
    startHeld();
  }

  /** Starts held tasks in the free slots, in order, up to a copy of a task still being settled. */
  private void startHeld() {
    while (!stopping && running < slots.length) {
      HeldTasks.Held next;
      synchronized (heldLock) {
        next = held.peek();
        if (next == null || unsettledIds.contains(next.task.task().id())) {
          return;
        }
        held.poll();
      }
      start(next.task, next.leaseExtendedNanos());
    }
  }

  private void start(SourcedTask task) {
    start(task, NOT_LEASED);
  }

  /** @param leasedSinceNanos when the task's lease was last set, or {@link #NOT_LEASED} */
  private void start(SourcedTask task, long leasedSinceNanos) {
    int slot = busySlots.nextClearBit(0);
    TaskRun run;
    try {
      run = launcher.launch(task, slot);
    } catch (TaskNotStartableException e) {
      couldNotStart(task, slot, e.getMessage());
      return;
    } catch (IOException | RuntimeException e) {
      cannotStart(task, e);
      return;
    }
    announce(run, leasedSinceNanos);
    occupy(run);
  }

  /**
   * A task's process started: its lease time, {@link #active}, the Started line and event. Touches no dispatcher
   * state, so an exit watcher may call it.
   */
  private void announce(TaskRun run, long leasedSinceNanos) {
    if (leasedSinceNanos != NOT_LEASED) {
      run.leaseExtendedAt(leasedSinceNanos); // the lease runs from the receive, not from the start
    }
    active.add(run);
    if (TASK_LOG.isInfoEnabled()) {
      TASK_LOG.info("Slot #{}: Started, processing task {} (attempt {}, PID {})", run.slot(), run.id(), run.attempt(),
          run.pid());
    }
    events.publish(taskEvent(EventType.TASK_STARTED, run).timestamp(run.startTime()).build());
  }

  /** A started task takes its slot: counted as running, its maximum runtime set, its exit watched. */
  private void occupy(TaskRun run) {
    int slot = run.slot();
    busySlots.set(slot);
    slots[slot] = run;
    running++;
    if (source.isQueue()) {
      taken++;
    }
    summary.started(run.startNanos());
    Duration max = settings.maxRuntime();
    if (max != null) {
      long left = Math.max(0, max.toNanos() - (System.nanoTime() - run.startNanos()));
      run.timeout(timeouts.schedule(() -> stopTask(run, TaskRun.Kill.TIMEOUT), left, TimeUnit.NANOSECONDS));
    }
    if (stopping && graceKillDone) {
      stopTask(run, TaskRun.Kill.INTERRUPTED); // started by an exit watcher just before the grace ran out
    }
    exitWatchers.execute(() -> watchExit(run));
  }

  /**
   * Waits on a thread of {@link #exitWatchers} for the task's process to exit. {@code Process.onExit()} would
   * complete on a thread of the common pool, or on a new thread per exit where that pool has one thread (2 CPUs).
   */
  private void watchExit(TaskRun run) {
    boolean interrupted = false;
    while (true) {
      try {
        run.process().waitFor();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // the exit is still reported; the worker's shutdown comes after every exit
      }
    }
    exited(run);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** The worker cannot start programs at all (its work directory, a missing program): it stops. */
  private void cannotStart(SourcedTask task, Exception e) {
    LOG.error("Cannot start task {}: {}", task.task().id(), e.getMessage());
    source.handBack(task);
    if (source.isQueue()) {
      freeSlots.release();
    }
    requestStop("tasks cannot be started", settings.shutdownGracePeriod(), EXIT_WORKER_ERROR);
  }

  /** Called on the exit watcher that saw the task's process exit. */
  private void exited(TaskRun run) {
    long end = System.nanoTime();
    if (mayBeKilledWithTheMachine(run)) {
      // The stop signal that came with it may not have reached this JVM yet: decide a moment later.
      try {
        timeouts.schedule(() -> inbox.add(() -> finished(run, end)), SIGNAL_SETTLE.toMillis(), TimeUnit.MILLISECONDS);
        return;
      } catch (RejectedExecutionException shuttingDown) {
        // decide now
      }
    }
    Runnable next = null;
    try {
      next = restartOnExit ? restartSlot(run) : null;
    } finally {
      Runnable then = next;
      inbox.add(then == null ? () -> finished(run, end) : () -> {
        finished(run, end);
        then.run();
      });
    }
  }

  /**
   * On the exit watcher that saw {@code ended}'s process exit: starts the held task first in line in the same
   * slot, unless the worker is stopping or a copy of that task is running or still being settled (a hedge
   * shares its directory). Returns what the dispatcher does next, after the ended task's exit: take the slot
   * for the new process, or report that it could not start; null when nothing was taken.
   */
  private Runnable restartSlot(TaskRun ended) {
    HeldTasks.Held next = claimHeld();
    if (next == null) {
      return null;
    }
    SourcedTask task = next.task;
    int slot = ended.slot();
    try {
      TaskRun run;
      try {
        run = launcher.launch(task, slot);
      } catch (TaskNotStartableException e) {
        return () -> couldNotStart(task, slot, e.getMessage());
      } catch (IOException | RuntimeException e) {
        return () -> cannotStart(task, e);
      } catch (Error e) {
        // nothing started: the dispatcher starts it once it has the ended task's exit
        synchronized (heldLock) {
          held.putBack(next);
        }
        throw e;
      }
      announce(run, next.leaseExtendedNanos());
      return () -> occupy(run);
    } finally {
      synchronized (heldLock) {
        startingIds.remove(task.task().id()); // in active now, or not started
      }
    }
  }

  /** Takes the held task first in line for an exit watcher's start, or null (see {@link #restartSlot}). */
  private HeldTasks.Held claimHeld() {
    synchronized (heldLock) {
      HeldTasks.Held next = held.peek();
      String id = next == null ? null : next.task.task().id();
      boolean copy = id != null && (startingIds.contains(id) || active.stream().anyMatch(r -> r.id().equals(id)));
      // a signal or spot notice the dispatcher has not acted on yet counts as a stop: the machine is going away
      if (!HeldTasks.startsOnExit(stopping || stoppedFromOutside.get(), next != null, copy)) {
        return null;
      }
      held.poll();
      startingIds.add(id);
      restartsOnExit.incrementAndGet();
      return next;
    }
  }

  // ---- finishing tasks ----

  /** A task process exited; it is settled with the others that ended in this round of the inbox. */
  private void finished(TaskRun run, long endNanos) {
    run.cancelTimeout();
    ended.add(new Ended(run, endNanos));
    if (source.isQueue()) {
      // known now, not only at the report after the scan: the fetcher holds tasks ahead from the first exit
      recentRunTimes.add((endNanos - run.startNanos()) / 1e9);
      aheadWanted = HeldTasks.ahead(slots.length, recentRunTimes);
    }
  }

  /**
   * Settles the tasks whose process exited in this round: kills what they left running (processes with their
   * tags, one pass over /proc for all of them), then reports them and frees their slots.
   *
   * <p>Queue tasks reuse their slot first: the slot is freed and a held task started in it at once (unless the
   * exit's watcher has started one there already, {@link #restartSlot}), while the pass over /proc runs on the
   * settler thread, and the report follows in a later round. That is safe: the
   * slot cap is on task processes; each attempt's processes carry a tag of their own, so the pass kills the
   * ended tasks' leftovers, and only theirs, right after; and a new task has a directory of its own. A held
   * copy of a task still being settled (a hedge, which shares its directory) waits for that task's report.
   * With slot scratch directories, and for a task list, a slot is reused only once its task is settled
   * (a leftover could still write into the scratch directory the next task finds emptied).
   */
  private void settleEnded() {
    if (ended.isEmpty()) {
      return;
    }
    List<Ended> batch = new ArrayList<>(ended);
    ended.clear();
    if (!source.isQueue() || launcher.hasScratch()) {
      killLeftovers(batch);
      for (Ended e : batch) {
        freeSlot(e.run());
        settle(e.run(), e.endNanos());
      }
      return;
    }
    for (Ended e : batch) {
      freeSlot(e.run());
      unsettledIds.add(e.run().id());
    }
    startHeld();
    settlingBatches++;
    Runnable report = () -> {
      settlingBatches--;
      for (Ended e : batch) {
        unsettledIds.remove(e.run().id());
        settle(e.run(), e.endNanos());
      }
      startHeld();
    };
    toSettle.add(new SettlingBatch(batch, report));
    long wait = stopping ? 0 : lastSettlePassNanos + SETTLE_PASS_SPACING.toNanos() - System.nanoTime();
    try {
      settler.schedule(() -> settlePending(inbox::add), Math.max(0, wait), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      settlePending(Runnable::run);
    }
  }

  /** Ended tasks to settle together, and the report that frees them on the dispatcher thread. */
  private record SettlingBatch(List<Ended> ended, Runnable report) {}

  /**
   * One pass over /proc for every batch handed over since the last pass, then each batch's report. Batches that
   * arrive while a pass runs, or within {@link #SETTLE_PASS_SPACING} of its start, wait for the next one, so the
   * passes do not grow with the rate at which tasks end (a pass reads the stat of every process on the machine).
   *
   * @param deliver where the reports go: the inbox from the settler thread, or run at once on the dispatcher's
   */
  private void settlePending(Consumer<Runnable> deliver) {
    List<SettlingBatch> batches = new ArrayList<>();
    List<Ended> all = new ArrayList<>();
    for (SettlingBatch b; (b = toSettle.poll()) != null; ) {
      batches.add(b);
      all.addAll(b.ended());
    }
    if (batches.isEmpty()) {
      return; // an earlier pass took them
    }
    lastSettlePassNanos = System.nanoTime();
    try {
      killLeftovers(all);
    } finally {
      batches.forEach(b -> deliver.accept(b.report()));
    }
  }

  private void killLeftovers(List<Ended> batch) {
    Set<String> trees = new HashSet<>();
    for (Ended e : batch) {
      e.run().awaitKill();
      if (e.run().tag() != null) {
        trees.add(e.run().tag());
      }
    }
    int leftovers = ProcessTree.killRestOfTrees(trees);
    if (leftovers > 0) {
      LOG.debug("Killed {} process(es) that ended tasks left running", leftovers);
    }
  }

  /**
   * The task's process has exited: its slot takes another task, and the fetcher may receive one more. An exit
   * watcher may have started a held task in the slot already ({@link #restartSlot}): the slot stays that task's.
   */
  private void freeSlot(TaskRun run) {
    if (slots[run.slot()] == run) {
      slots[run.slot()] = null;
      busySlots.clear(run.slot());
    }
    running--;
    if (source.isQueue()) {
      freeSlots.release();
    }
  }

  private record Ended(TaskRun run, long endNanos) {}

  private void settle(TaskRun run, long endNanos) {
    active.remove(run);
    lastActivityNanos = endNanos;
    finishedCount.incrementAndGet();
    double elapsed = (endNanos - run.startNanos()) / 1e9;
    int exit = run.process().exitValue();
    TaskOutcome outcome = TaskOutcome.classify(
        new TaskOutcome.AttemptEnd(true, exit, run.killReason(), stoppedFromOutside.get()));
    String result = switch (outcome) {
      case SUCCEEDED -> run.lastStdoutLine(settings.resultTailBytes());
      case MEMORY_LIMIT -> memoryLimitReason(run.residentBytesAtKill());
      default -> run.stderrTail(settings.resultTailBytes());
    };
    ended(run.task(), run.slot(), outcome, exit, elapsed, endNanos, result, run.directory(), run);
  }

  /** Called on an exit watcher: a task that died of a stop signal before the worker heard of any stop. */
  private boolean mayBeKilledWithTheMachine(TaskRun run) {
    return run.killReason() == TaskRun.Kill.NONE && !stoppedFromOutside.get()
        && TaskOutcome.diedOfStopSignal(run.process().exitValue());
  }

  /** The task's data keeps its program from starting: that task fails for good, the worker goes on. */
  private void couldNotStart(SourcedTask task, int slot, String reason) {
    long now = System.nanoTime();
    finishedCount.incrementAndGet();
    lastActivityNanos = now;
    if (source.isQueue()) {
      taken++;
    }
    summary.started(now);
    if (source.isQueue()) {
      freeSlots.release();
    }
    ended(task, slot, TaskOutcome.COULD_NOT_START, -1, 0, now, "could not start: " + reason,
        launcher.tasksRoot().resolve(TaskDirectories.name(task.task().id())), null);
  }

  private String memoryLimitReason(long residentBytes) {
    return "memory limit: its processes held " + mebibytes(residentBytes) + " MiB, over the limit of "
        + mebibytes(settings.maxMemoryPerTaskBytes()) + " MiB per task";
  }

  private static String mebibytes(long bytes) {
    return Long.toString(bytes >> 20);
  }

  /** Reports an attempt's end, applies the retry policy and settles the task with its source. */
  private void ended(SourcedTask task, int slot, TaskOutcome outcome, int exit, double elapsed, long endNanos,
      String result, Path directory, TaskRun measured) {
    if (outcome == TaskOutcome.INTERRUPTED) {
      source.release(task);
      summary.interrupted(endNanos);
      String where = source.isQueue() ? "released to the queue" : "not rerun by this worker";
      String why = stopReason == null ? "stop signal" : stopReason;
      TASK_LOG.warn("Slot #{}: Task {} interrupted after {} seconds ({}); {}", slot, task.task().id(),
          seconds(elapsed), why, where);
      events.publish(taskEvent(EventType.TASK_RETRIED, task, slot).elapsedTime(elapsed).retry(source.isQueue())
          .message("interrupted: " + why + "; " + where).build());
    } else {
      RetryPolicy.Decision d = settings.retry().decide(outcome, exit, task.attempt());
      // A hedged copy runs once and its failure decides nothing: the original's own attempts do.
      boolean hedgeFailed = task.task().hedge() && outcome != TaskOutcome.SUCCEEDED;
      if (hedgeFailed) {
        d = new RetryPolicy.Decision(outcome, false);
      }
      Duration retryDelay = d.retry()
          ? settings.retryBackoff().delay(task.attempt(), Duration.ofNanos((long) (elapsed * 1e9))) : Duration.ZERO;
      if (d.retry()) {
        source.retry(task, retryDelay);
      }
      EventType type = outcome.eventType();
      summary.attemptEnded(type, d.retry(), elapsed, endNanos);
      TaskEvent.Builder event = taskEvent(type, task, slot).elapsedTime(elapsed).retry(d.retry())
          .finalAttempt(d.isFinal() && !hedgeFailed);
      if (outcome == TaskOutcome.SUCCEEDED || outcome == TaskOutcome.FAILED) {
        event.exitCode(exit);
      }
      if (result != null) {
        event.result(result);
      }
      if (measured != null && measured.wasSampled()) {
        event.peakMemoryBytes(measured.peakResidentBytes()).cpuSeconds(measured.cpuSeconds());
      }
      if (d.retry()) {
        events.publish(event.build());
      } else {
        // acknowledged only once its result is sent: a worker killed in between must not lose the result
        events.publish(event.build(), () -> source.completed(task));
      }
      logResult(task, slot, d, exit, elapsed, result, directory);
      if (!retryDelay.isZero()) {
        TASK_LOG.info("Task {}: failed within {}, attempt {} starts in {} at the earliest", task.task().id(),
            DurationText.format(settings.retryBackoff().fastFailure()), task.attempt() + 1,
            DurationText.format(retryDelay));
      }
      if (d.isFinal()) {
        cleanUp(directory, outcome);
      }
    }
  }

  /** Timeout or shutdown: SIGTERM to the task's processes now, SIGKILL after the kill grace period. */
  private void stopTask(TaskRun run, TaskRun.Kill reason) {
    if (!run.terminate(reason)) {
      return;
    }
    LOG.debug("Sent SIGTERM to task {} ({}); SIGKILL follows in {}", run.id(), reason,
        DurationText.format(settings.killGracePeriod()));
    Runnable forceKill = () -> run.kill(reason);
    try {
      timeouts.schedule(forceKill, settings.killGracePeriod().toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      forceKill.run();
    }
  }

  private void logResult(SourcedTask task, int slot, RetryPolicy.Decision d, int exit, double elapsed, String result,
      Path directory) {
    String id = task.task().id();
    int maxAttempts = settings.retry().maxAttempts();
    switch (d.outcome()) {
      case SUCCEEDED -> {
        if (TASK_LOG.isInfoEnabled()) {
          TASK_LOG.info("Slot #{}: Completed task {} in {} seconds, retry false{}", slot, id,
              seconds(elapsed), result == null ? "" : "; result: " + result);
        }
      }
      case FAILED -> TASK_LOG.warn("Slot #{}: Task {} failed with exit code {} after {} seconds, retry {} "
              + "(attempt {} of {}); logs: {}", slot, id, exit, seconds(elapsed), d.retry(), task.attempt(), maxAttempts,
          directory);
      case TIMED_OUT -> TASK_LOG.warn("Slot #{}: Task {} timed out after {} seconds (maximum runtime {}), retry {} "
              + "(attempt {} of {}); logs: {}", slot, id, seconds(elapsed), DurationText.format(settings.maxRuntime()),
          d.retry(), task.attempt(), maxAttempts, directory);
      case MEMORY_LIMIT -> TASK_LOG.warn("Slot #{}: Task {} killed after {} seconds: {}; not retried; logs: {}", slot,
          id, seconds(elapsed), result, directory);
      case COULD_NOT_START -> TASK_LOG.warn("Slot #{}: Task {} failed: {}; not retried; the worker goes on", slot, id,
          result);
      case INTERRUPTED -> TASK_LOG.warn("Slot #{}: Task {} interrupted", slot, id);
    }
  }

  private void cleanUp(Path directory, TaskOutcome outcome) {
    boolean delete = switch (settings.keepTaskDirs()) {
      case ALL -> false;
      case FAILED -> outcome == TaskOutcome.SUCCEEDED;
      case NONE -> true;
    };
    if (delete) {
      TaskDirectories.deleteQuietly(directory);
    }
  }

  private static String seconds(double s) {
    return String.format("%.3f", s);
  }

  // ---- stopping ----

  /**
   * Stops taking tasks; running tasks get {@code grace} to finish. Safe from any thread.
   *
   * @param exit the worker's exit code unless a worse one is set
   */
  public void stop(String reason, Duration grace, int exit) {
    inbox.add(() -> requestStop(reason, grace, exit));
  }

  /** A SIGTERM/SIGINT: the first stops gracefully, a second kills running tasks at once. Safe from any thread. */
  public void signal(String name, int exit) {
    stoppedFromOutside.set(true);
    int n = signals.incrementAndGet();
    if (n == 1) {
      LOG.info("Received SIG{}; finishing running tasks (up to {}), then exiting. Send it again to stop at once.",
          name, DurationText.format(settings.shutdownGracePeriod()));
      stop("SIG" + name, settings.shutdownGracePeriod(), exit);
    } else {
      LOG.warn("Received SIG{} again; killing running tasks now", name);
      killAll(); // from this thread too, in case the dispatcher is busy
      inbox.add(() -> {
        requestStop("SIG" + name, Duration.ZERO, exit);
        graceKillDone = true;
        killAll();
      });
    }
  }

  private void requestStop(String reason, Duration grace, int exit) {
    if (exit != EXIT_OK && (exitCode == EXIT_OK || exit == EXIT_WORKER_ERROR)) {
      exitCode = exit;
    }
    if (stopping) {
      long newDeadline = System.nanoTime() + grace.toNanos();
      if (newDeadline - graceDeadlineNanos < 0) {
        graceDeadlineNanos = newDeadline; // a more urgent stop shortens the grace
      }
      return;
    }
    stopStarting();
    stopReason = reason;
    graceDeadlineNanos = System.nanoTime() + grace.toNanos();
    stopReceiving();
    handBackHeld();
    if (running > 0) {
      LOG.info("Stopping ({}): waiting up to {} for {} running task(s)", reason, DurationText.format(grace), running);
      writeNotice(reason, Instant.now().plus(grace));
    } else {
      LOG.info("Stopping ({})", reason);
    }
  }

  /**
   * Tells running tasks that the worker is stopping: the file named by {@code TASKJOB_NOTICE_FILE} appears,
   * holding the reason and when the tasks get SIGTERM. Written whole (temporary file, then rename).
   */
  private void writeNotice(String reason, Instant sigtermAt) {
    Path file = settings.noticeFile();
    if (file == null) {
      return;
    }
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, Json.MAPPER.writeValueAsString(Map.of("reason", reason, "sigterm_at", sigtermAt.toString()))
          + "\n");
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      LOG.warn("Could not write the stop notice for running tasks to {}: {}", file, e.getMessage());
    }
  }

  /**
   * Samples each running task's processes: keeps their peak memory and CPU time for the task's result event
   * (right-sizing) and kills every task holding more resident memory than the per-task limit.
   */
  private void sampleTasks() {
    Long limit = settings.maxMemoryPerTaskBytes();
    Map<String, TaskRun> byTag = new HashMap<>();
    for (TaskRun run : active) {
      if (run.tag() != null) {
        byTag.put(run.tag(), run);
      }
    }
    if (byTag.isEmpty()) {
      return;
    }
    ProcessTree.usageByTag(byTag.keySet()).forEach((tag, usage) -> {
      TaskRun run = byTag.get(tag);
      run.sampled(usage);
      long bytes = usage.residentBytes();
      if (limit != null && bytes > limit && run.killForMemory(bytes)) {
        LOG.debug("Task {} holds {} bytes, over its limit of {}; killed it", run.id(), bytes, limit);
      }
    });
  }

  private void killAll() {
    for (TaskRun run : active) {
      run.kill(TaskRun.Kill.INTERRUPTED);
    }
  }

  /** Called on the preemption monitor's thread. */
  private void preempted(PreemptionNotice notice) {
    if (notice.scaleIn()) {
      // the pool waits for the tasks (it terminates the VM once the worker is idle or after this grace)
      LOG.warn("Stop notice from the pool ({}): no new tasks, running tasks get {}", notice.detail(),
          DurationText.format(settings.shutdownGracePeriod()));
      stop("scale-in stop notice", settings.shutdownGracePeriod(), EXIT_OK);
      return;
    }
    stoppedFromOutside.set(true);
    Duration untilTermination = Duration.between(Instant.now(), notice.terminationTime());
    Duration margin = PREEMPTION_MARGIN.compareTo(untilTermination.dividedBy(2)) < 0
        ? PREEMPTION_MARGIN : untilTermination.dividedBy(2);
    Duration grace = untilTermination.minus(margin);
    if (grace.isNegative()) {
      grace = Duration.ZERO;
    }
    if (grace.compareTo(settings.shutdownGracePeriod()) > 0) {
      grace = settings.shutdownGracePeriod();
    }
    LOG.warn("Spot interruption notice: the VM stops at {} ({}); no new tasks, running tasks get {}",
        notice.terminationTime(), notice.detail(), DurationText.format(grace));
    events.publish(workerEvent(EventType.SPOT_INTERRUPTION)
        .message("termination at " + notice.terminationTime() + "; " + notice.detail()).build());
    stop("spot interruption", grace, EXIT_OK);
  }

  /** The callback to give the preemption monitor. */
  public java.util.function.Consumer<PreemptionNotice> preemptionHandler() {
    return this::preempted;
  }

  /**
   * Takes no more tasks. When the machine is going away (a signal, a spot notice) the receive in
   * progress is ended too rather than waited out: a message the queue hands it in that instant comes
   * back after its lease, as it would had the machine stopped a moment later. Any other stop (the
   * queue stayed empty, an error) lets the receive finish, so that nothing it gets is held up.
   */
  private void stopReceiving() {
    if (fetcher == null) {
      return;
    }
    fetcher.stopped = true;
    if (stoppedFromOutside.get()) {
      source.stopReceiving();
    }
  }

  /** No task starts from here on, on the dispatcher or on an exit watcher. */
  private void stopStarting() {
    synchronized (heldLock) {
      stopping = true;
    }
  }

  /** Gives the tasks held for a slot back to the queue at once: they never started, so none was interrupted. */
  private void handBackHeld() {
    int n = held.handBackAll(source);
    if (n > 0) {
      freeSlots.release(n);
      LOG.info("Handed {} received task(s) that had not started back to the queue", n);
    }
  }

  private void finish() {
    if (fetcher != null) {
      stopReceiving();
      try {
        // A receive the queue could not end returns when the queue is closed below; what it got
        // then is released by the fetcher.
        fetcher.join(stoppedFromOutside.get() ? FETCHER_STOP_WAIT.toMillis()
            : settings.receiveWait().toMillis() + 5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      stopStarting();
      Runnable message;
      while ((message = inbox.poll()) != null) {
        message.run(); // tasks that arrived while stopping are released
      }
      handBackHeld();
      settleEnded();
      while (settlingBatches > 0) {
        try {
          inbox.take().run(); // the settler's reports
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    settler.shutdown();
    exitWatchers.shutdown();
    if (preemption != null) {
      preemption.close();
    }
    timeouts.shutdownNow();
    background.shutdownNow();
    int leftovers = launcher.tracksTrees() ? ProcessTree.killLeftovers(launcher.tagPrefix()) : 0;
    if (leftovers > 0) {
      LOG.info("Killed {} process(es) that finished tasks left running in the background", leftovers);
    }
    if (summary.finallyFailed() > 0 && exitCode == EXIT_OK) {
      exitCode = EXIT_TASKS_FAILED;
    }
    events.publish(workerEvent(EventType.WORKER_STOPPING)
        .message(stopping ? stopReason : "all tasks done").build());
    events.close(Duration.ofSeconds(30)); // before the source closes the queue the events go to
    source.close();
    for (String line : summary.lines()) {
      LOG.info(line);
    }
  }

  // ---- background work ----

  private void heartbeat() {
    events.publish(workerEvent(EventType.WORKER_HEARTBEAT).build());
  }

  private void extendLeases() {
    Duration lease = source.leaseDuration();
    long now = System.nanoTime();
    held.extendLeases(source, lease, now);
    long due = lease.toNanos() / 3;
    for (TaskRun run : active) {
      if (now - run.leaseExtendedNanos() >= due && run.process().isAlive()) {
        try {
          source.extendLease(run.task(), lease);
          run.leaseExtendedAt(now);
          LOG.debug("Extended the lease of task {} by {}", run.id(), lease);
        } catch (QueueException e) {
          if (active.contains(run)) {
            LOG.warn("Could not extend the lease of task {}: {}", run.id(), e.getMessage());
          }
        }
      }
    }
  }

  // ---- events ----

  private TaskEvent.Builder workerEvent(EventType type) {
    return TaskEvent.builder(type).job(settings.job()).instanceId(settings.instanceId())
        .hostname(settings.hostname()).runningTasks(active.size()).completedTasks(finishedCount.get());
  }

  private TaskEvent.Builder taskEvent(EventType type, TaskRun run) {
    return taskEvent(type, run.task(), run.slot());
  }

  private TaskEvent.Builder taskEvent(EventType type, SourcedTask task, int slot) {
    return TaskEvent.builder(type).job(settings.job()).instanceId(settings.instanceId())
        .hostname(settings.hostname()).taskId(task.task().id()).taskIndex(task.task().index())
        .attempt(task.attempt()).slot(slot).hedge(task.task().hedge());
  }

  /** How many held tasks an exit watcher took for the slot it saw free, rather than the dispatcher. */
  long restartsOnExit() {
    return restartsOnExit.get();
  }

  /** How many received tasks wait for a slot now. */
  int heldCount() {
    return held.size();
  }

  /** The run's counts, for tests and the caller's final report. */
  public RunSummary summary() {
    return summary;
  }

  /**
   * Receives queue tasks for free slots and for the tasks held ahead. Holds one permit per requested task, so
   * it never has more tasks out than the slots plus {@link HeldTasks#limit}; the dispatcher returns a permit
   * when a task ends or goes back to the queue.
   */
  private final class Fetcher extends Thread {
    volatile boolean stopped;
    volatile long lastReceivedNanos = System.nanoTime();
    private long received;

    Fetcher() {
      super("taskjob-fetcher");
      setDaemon(true);
    }

    @Override
    public void run() {
      long backoffMillis = 500;
      int kept = 0; // permits kept after a receive for held tasks alone found nothing: wait for a slot to free
      while (!stopped) {
        // the permits for tasks not to be held now: taken first and not used for this receive
        int reserve = HeldTasks.limit(slots.length) - aheadWanted;
        int needed = Math.max(1, reserve + 1 - kept);
        int permits;
        try {
          if (!freeSlots.tryAcquire(needed, 200, TimeUnit.MILLISECONDS)) {
            continue;
          }
        } catch (InterruptedException e) {
          return;
        }
        permits = kept + needed + freeSlots.drainPermits();
        kept = 0;
        long left = settings.maxTasks() - received;
        int want = (int) Math.min(Math.min(permits - reserve, 10), left);
        if (stopped || want <= 0) {
          freeSlots.release(permits);
          if (want <= 0) {
            return;
          }
          continue;
        }
        List<SourcedTask> got;
        Duration wait = HeldTasks.receiveWait(permits, slots.length, settings.receiveWait());
        long receiveStart = System.nanoTime(); // the leases of what it gets run from no earlier than this
        try {
          got = source.take(want, wait);
          backoffMillis = 500;
        } catch (QueueException e) {
          freeSlots.release(permits);
          if (stopped) {
            return; // the queue was stopped or closed under the receive
          }
          if (!e.isRetryable()) {
            LOG.error("Cannot receive tasks from the queue: {}", e.getMessage());
            Supervisor.this.stop("the queue cannot be read", settings.shutdownGracePeriod(), EXIT_WORKER_ERROR);
            return;
          }
          LOG.warn("Receiving tasks failed, retrying in {} ms: {}", backoffMillis, e.getMessage());
          sleepQuietly(backoffMillis);
          backoffMillis = Math.min(30_000, backoffMillis * 2);
          continue;
        } catch (RuntimeException e) {
          freeSlots.release(permits);
          if (stopped) {
            return;
          }
          LOG.error("Cannot receive tasks from the queue", e);
          Supervisor.this.stop("the queue cannot be read", settings.shutdownGracePeriod(), EXIT_WORKER_ERROR);
          return;
        }
        if (got.isEmpty() && wait.isZero()) {
          kept = permits;
          continue;
        }
        freeSlots.release(permits - got.size());
        if (stopped && !got.isEmpty()) {
          // received after the dispatcher stopped listening: give the tasks back at once
          for (SourcedTask t : got) {
            try {
              source.handBack(t);
            } catch (RuntimeException closed) {
              LOG.debug("Task {} received while stopping returns when its lease lapses: {}", t.task().id(),
                  closed.getMessage());
            }
          }
          return;
        }
        if (!got.isEmpty()) {
          received += got.size();
          lastReceivedNanos = System.nanoTime();
          List<SourcedTask> batch = new ArrayList<>(got);
          inbox.add(() -> arrived(batch, receiveStart));
        }
      }
    }

    private void sleepQuietly(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        stopped = true;
      }
    }
  }
}
