package dev.taskjob.operator.simulation;

import dev.taskjob.operator.reconciler.pool.ManualClock;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.core.task.Task;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A worker on every running VM: it takes tasks into its free slots, runs each for its program's
 * duration, and reports the outcome the program decides, as the worker does: a failure is final when
 * the failures the message carries reached {@code maxAttempts}; otherwise the task is sent again with
 * this failure counted and the delivery acked. A send the queue refuses is tried again at the worker's
 * next step while the failed delivery is held, its lease extended (QueueTaskSource with RefusedResend).
 * A worker whose VM is gone vanishes with the tasks it ran and the deliveries it held; their leases
 * lapse in the queue. On a VM asked to terminate ({@code TERMINATING}, see
 * {@link SimulatedCloud#workersStopOnTerminate}) the worker stops as on SIGTERM: it takes no new task,
 * gives running ones the shutdown grace period and then releases them (an interruption, not an attempt),
 * and tries its held re-sends for {@link #CLOSE_TIMEOUT} more before releasing them (the count is then lost).
 */
final class SimulatedWorkers {

  /** What a task's program does: fail this many times, then succeed (MAX_VALUE: always fail). */
  record Program(int failuresBeforeSuccess, Duration duration) {
    boolean succeedsWithin(int maxAttempts) {
      return failuresBeforeSuccess < maxAttempts;
    }
  }

  private static final class Running {
    final LeasedTask leased;
    final Instant ends;
    final Duration length;

    Running(LeasedTask leased, Instant ends, Duration length) {
      this.leased = leased;
      this.ends = ends;
      this.length = length;
    }
  }

  /** One worker process. */
  static final class Worker {
    final String vmId;
    final Instant firstReport;
    Instant lastReport;
    final List<Running> running = new ArrayList<>();
    /** Failed deliveries whose re-send the queue refused, with the task as it is to be sent again. */
    final Map<LeasedTask, Task> heldForResend = new LinkedHashMap<>();
    /** Once stopping: when its last running task ended or was released. */
    Instant closingSince;
    /** Once it has seen a spot notice: when the grace it gives its running tasks is over. */
    Instant noticeGraceOver;
    /** It stopped on a spot notice and waits, idle, for its VM to power off. */
    boolean exited;
    /** Task slots, fixed when the worker starts (as the real worker's simultaneous tasks). */
    int slots;

    Worker(String vmId, Instant started) {
      this.vmId = vmId;
      this.firstReport = started;
      this.lastReport = started;
    }

    int runningTasks() {
      return running.size();
    }
  }

  /** How long a stopping worker still tries its pending re-sends once its tasks are done (QueueTaskSource). */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
  /** What the worker keeps back from a spot notice's deadline to release leases (Supervisor.PREEMPTION_MARGIN). */
  static final Duration PREEMPTION_MARGIN = Duration.ofSeconds(10);

  private final SimulatedCloud cloud;
  private final SimulatedQueue queue;
  private final List<Program> programs;
  private final int slots;
  private final int maxAttempts;
  private final ManualClock clock;
  private final Duration shutdownGrace;
  private final Faults faults;
  private final Trace trace;
  private final Map<String, Worker> workers = new LinkedHashMap<>();
  /** Failures each task's program has produced so far, across all its runs. */
  private final int[] ownFailures;
  /** VMs whose worker takes no new task (told to stop, e.g. the job's budget ran out); running ones finish. */
  private final java.util.Set<String> stopped = new java.util.HashSet<>();
  /** How long one run of a task takes, from its program's duration: runs of one task may differ. */
  private java.util.function.BiFunction<LeasedTask, Duration, Duration> runLength = (task, programs) -> programs;
  /** Slots of the worker on a VM (auto-sizing gives VMs launched later more). */
  private java.util.function.ToIntFunction<String> slotsOf;
  /** Adds what a task used to its result event, as the real worker measures it (off: nothing measured). */
  private java.util.function.BiConsumer<Integer, TaskEvent.Builder> measure = (index, event) -> { };
  /** Whether workers report task_started, as the real worker does (off: the invariant runs never read them). */
  private boolean reportStarts;
  /** Tasks started after their job finished (the invariant's witness). */
  private long startedAfterFinish;

  SimulatedWorkers(SimulatedCloud cloud, SimulatedQueue queue, List<Program> programs, int slots, int maxAttempts,
      ManualClock clock, Faults faults, Trace trace) {
    this(cloud, queue, programs, slots, maxAttempts, clock, Duration.ZERO, faults, trace);
  }

  /** @param shutdownGrace what a worker stopping on a {@code TERMINATING} VM gives its running tasks */
  SimulatedWorkers(SimulatedCloud cloud, SimulatedQueue queue, List<Program> programs, int slots, int maxAttempts,
      ManualClock clock, Duration shutdownGrace, Faults faults, Trace trace) {
    this.shutdownGrace = shutdownGrace;
    this.cloud = cloud;
    this.queue = queue;
    this.programs = programs;
    this.slots = slots;
    this.slotsOf = vmId -> slots;
    this.maxAttempts = maxAttempts;
    this.clock = clock;
    this.faults = faults;
    this.trace = trace;
    this.ownFailures = new int[programs.size()];
  }

  /** One step: start workers on booted VMs, drop those whose VM is gone, finish and take tasks. */
  void tick(boolean jobFinished) {
    Instant now = clock.instant();
    for (SimulatedCloud.Vm vm : cloud.vms()) {
      if (vm.state == InstanceState.RUNNING && !workers.containsKey(vm.id)) {
        Worker started = new Worker(vm.id, now);
        started.slots = slotsOf.applyAsInt(vm.id);
        workers.put(vm.id, started);
      }
    }
    for (Iterator<Worker> it = workers.values().iterator(); it.hasNext(); ) {
      Worker w = it.next();
      SimulatedCloud.Vm vm = Objects.requireNonNull(cloud.vm(w.vmId), w.vmId);
      boolean reclaimed = vm.stopsAt != null && !now.isBefore(vm.stopsAt);
      if (vm.state == InstanceState.TERMINATING && !reclaimed) {
        if (stop(w, vm.ended.plus(shutdownGrace), now)) {
          cloud.stopped(vm);
          it.remove();
        }
        continue;
      }
      if (!vm.powered(now) || reclaimed) {
        gone(w);
        if (vm.state == InstanceState.TERMINATING) {
          cloud.stopped(vm);
        }
        it.remove();
        continue;
      }
      if (vm.noticeAt != null) {
        onNotice(w, vm, now);
        continue;
      }
      step(w, now, jobFinished);
    }
  }

  private void step(Worker w, Instant now, boolean jobFinished) {
    w.lastReport = now;
    try {
      for (Iterator<Map.Entry<LeasedTask, Task>> it = w.heldForResend.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<LeasedTask, Task> held = it.next();
        if (resend(held.getKey(), held.getValue())) {
          it.remove();
        }
      }
      for (Iterator<Running> it = w.running.iterator(); it.hasNext(); ) {
        Running r = it.next();
        if (now.isBefore(r.ends)) {
          queue.extendLease(r.leased, queue.settings().leaseDuration());
          continue;
        }
        finish(w, r);
        it.remove();
      }
      int free = stopped.contains(w.vmId) ? 0 : w.slots - w.running.size();
      if (free > 0) {
        for (LeasedTask t : queue.receive(free, Duration.ZERO)) {
          if (jobFinished) {
            startedAfterFinish++;
          }
          Program p = programs.get((int) t.task().index());
          Duration length = runLength.apply(t, p.duration());
          w.running.add(new Running(t, now.plus(length), length));
          if (reportStarts) {
            queue.publishEvents(List.of(TaskEvent.builder(EventType.TASK_STARTED).timestamp(now).job("sim")
                .instanceId(w.vmId).taskId(t.task().id()).taskIndex(t.task().index())
                .attempt(t.task().failedAttempts() + 1).hedge(t.task().hedge()).build()));
          }
        }
      }
    } catch (QueueException e) {
      // A throttled queue: the worker tries again at its next step, as the real one does.
    }
  }

  /** The worker dies with its VM: what it ran or held comes back when the leases lapse. */
  private void gone(Worker w) {
    if (!w.running.isEmpty()) {
      trace.add("worker " + w.vmId + ": gone with " + w.running.size() + " running tasks "
          + w.running.stream().map(r -> r.leased.task().id() + "#" + r.leased.deliveryAttempt()).toList());
    }
    if (!w.heldForResend.isEmpty()) {
      trace.add("worker " + w.vmId + ": gone before the re-send of "
          + w.heldForResend.keySet().stream().map(t -> t.task().id()).toList() + " went through; its failure uncounted");
    }
  }

  /**
   * A step of a worker whose VM has a spot notice, as Supervisor.preempted handles it: no new task; running
   * tasks get the time to the deadline less a margin (at most the shutdown grace period), then the stop goes
   * on as on SIGTERM, until the worker exits or its VM powers off.
   */
  private void onNotice(Worker w, SimulatedCloud.Vm vm, Instant now) {
    if (w.exited) {
      return;
    }
    if (w.noticeGraceOver == null) {
      Duration untilTermination = Duration.between(now, vm.stopsAt);
      Duration margin = PREEMPTION_MARGIN.compareTo(untilTermination.dividedBy(2)) < 0
          ? PREEMPTION_MARGIN : untilTermination.dividedBy(2);
      Duration grace = untilTermination.minus(margin);
      if (grace.compareTo(shutdownGrace) > 0) {
        grace = shutdownGrace;
      }
      w.noticeGraceOver = now.plus(grace);
      trace.add("worker " + w.vmId + ": spot notice, " + w.running.size() + " running tasks get " + grace.toSeconds()
          + "s" + (w.heldForResend.isEmpty() ? "" : ", " + w.heldForResend.size() + " re-sends held"));
    }
    w.lastReport = now;
    w.exited = stop(w, w.noticeGraceOver, now);
  }

  /**
   * One step of a worker stopping (a terminate request, a spot notice): running tasks finish until the grace
   * period is over and are released then; held re-sends are tried until {@link #CLOSE_TIMEOUT} after that.
   *
   * @return whether the worker has stopped
   */
  private boolean stop(Worker w, Instant graceOver, Instant now) {
    try {
      for (Iterator<Map.Entry<LeasedTask, Task>> it = w.heldForResend.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<LeasedTask, Task> held = it.next();
        if (resend(held.getKey(), held.getValue())) {
          it.remove();
        }
      }
      for (Iterator<Running> it = w.running.iterator(); it.hasNext(); ) {
        Running r = it.next();
        if (!now.isBefore(r.ends)) {
          finish(w, r);
          it.remove();
        } else if (!now.isBefore(graceOver)) {
          queue.release(r.leased);
          trace.add("worker " + w.vmId + ": grace over, released " + r.leased.task().id());
          it.remove();
        } else {
          queue.extendLease(r.leased, queue.settings().leaseDuration());
        }
      }
    } catch (QueueException e) {
      // throttled: tried again at the next step
    }
    if (!w.running.isEmpty()) {
      return false;
    }
    if (w.closingSince == null) {
      w.closingSince = now;
    }
    if (!w.heldForResend.isEmpty() && now.isBefore(w.closingSince.plus(CLOSE_TIMEOUT))) {
      return false;
    }
    for (LeasedTask held : w.heldForResend.keySet()) {
      trace.add("worker " + w.vmId + ": stopped before the re-send of " + held.task().id() + " went through;"
          + " released, its failure uncounted");
      try {
        queue.release(held);
      } catch (QueueException e) {
        // its lease lapses instead
      }
    }
    return true;
  }

  private void finish(Worker w, Running r) {
    int index = (int) r.leased.task().index();
    Program p = programs.get(index);
    boolean fails = ownFailures[index] < p.failuresBeforeSuccess();
    // The worker's rule (QueueTaskSource): the attempt is the failures the message carries plus one, so a
    // redelivery after an interruption is not an attempt.
    int attempt = r.leased.task().failedAttempts() + 1;
    boolean last = attempt >= maxAttempts;
    TaskEvent.Builder result = TaskEvent.builder(fails ? EventType.TASK_FAILED : EventType.TASK_COMPLETED)
        .timestamp(clock.instant()).job("sim").instanceId(w.vmId).taskId(r.leased.task().id()).taskIndex(index)
        .attempt(attempt).finalAttempt(!fails || last).retry(fails && !last).exitCode(fails ? 1 : 0)
        .elapsedTime(r.length.toSeconds()).hedge(r.leased.task().hedge());
    measure.accept(index, result);
    TaskEvent event = result.build();
    queue.publishEvents(List.of(event));
    if (fails) {
      ownFailures[index]++;
      faults.count(Faults.Kind.TASK_FAILURE);
    }
    if (fails && !last) {
      Task next = r.leased.task().withFailedAttempts(attempt);
      if (!resend(r.leased, next)) {
        w.heldForResend.put(r.leased, next);
      }
      return;
    }
    queue.ack(r.leased);
  }

  /** Runs of a task last as {@code length} says (given the run and its program's duration). */
  void runLengths(java.util.function.BiFunction<LeasedTask, Duration, Duration> length) {
    this.runLength = length;
  }

  /** Workers report each task's start (task_started), as the real worker does. */
  void reportStarts() {
    this.reportStarts = true;
  }

  /** Slots of the worker started on each VM, from then on. */
  void slotsPerVm(java.util.function.ToIntFunction<String> slots) {
    this.slotsOf = slots;
  }

  /** Adds what each task used to its result events. */
  void measureTasks(java.util.function.BiConsumer<Integer, TaskEvent.Builder> measure) {
    this.measure = measure;
  }

  /** The worker on this VM finishes what it runs and takes nothing new. */
  void stopLeasing(String vmId) {
    stopped.add(vmId);
  }

  /** Sends the next attempt and acks the failed delivery; a refused send holds the delivery instead. */
  private boolean resend(LeasedTask failed, Task next) {
    try {
      queue.send(List.of(next));
    } catch (QueueException e) {
      try {
        queue.extendLease(failed, queue.settings().leaseDuration());
      } catch (QueueException ignored) {
        // tried again at the next step
      }
      return false;
    }
    queue.ack(failed);
    return true;
  }

  Map<String, Worker> workers() {
    return workers;
  }

  long startedAfterFinish() {
    return startedAfterFinish;
  }

  int ownFailures(int index) {
    return ownFailures[index];
  }
}
