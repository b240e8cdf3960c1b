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

/**
 * A worker on every running VM: it takes tasks into its free slots, runs each for its program's
 * duration, and reports the outcome the program decides, as the worker does: a failure is final when
 * the failures the message carries reached {@code maxAttempts}; otherwise the task is sent again with
 * this failure counted and the delivery acked. A send the queue refuses is tried again at the worker's
 * next step while the failed delivery is held, its lease extended (QueueTaskSource with RefusedResend).
 * A worker whose VM is gone vanishes with the tasks it ran and the deliveries it held; their leases
 * lapse in the queue.
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

    Running(LeasedTask leased, Instant ends) {
      this.leased = leased;
      this.ends = ends;
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

    Worker(String vmId, Instant started) {
      this.vmId = vmId;
      this.firstReport = started;
      this.lastReport = started;
    }

    int runningTasks() {
      return running.size();
    }
  }

  private final SimulatedCloud cloud;
  private final SimulatedQueue queue;
  private final List<Program> programs;
  private final int slots;
  private final int maxAttempts;
  private final ManualClock clock;
  private final Faults faults;
  private final Trace trace;
  private final Map<String, Worker> workers = new LinkedHashMap<>();
  /** Failures each task's program has produced so far, across all its runs. */
  private final int[] ownFailures;
  /** VMs whose worker takes no new task (told to stop, e.g. the job's budget ran out); running ones finish. */
  private final java.util.Set<String> stopped = new java.util.HashSet<>();
  /** Tasks started after their job finished (the invariant's witness). */
  private long startedAfterFinish;
  /** Whether a task's start is reported ({@code task_started}), as the real worker does; off unless asked. */
  private boolean reportStarts;

  SimulatedWorkers(SimulatedCloud cloud, SimulatedQueue queue, List<Program> programs, int slots, int maxAttempts,
      ManualClock clock, Faults faults, Trace trace) {
    this.cloud = cloud;
    this.queue = queue;
    this.programs = programs;
    this.slots = slots;
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
        workers.put(vm.id, new Worker(vm.id, now));
      }
    }
    for (Iterator<Worker> it = workers.values().iterator(); it.hasNext(); ) {
      Worker w = it.next();
      SimulatedCloud.Vm vm = cloud.vms().stream().filter(v -> v.id.equals(w.vmId)).findFirst().orElseThrow();
      if (!vm.state.isAlive()) {
        if (!w.running.isEmpty()) {
          trace.add("worker " + w.vmId + ": gone with " + w.running.size() + " running tasks "
              + w.running.stream().map(r -> r.leased.task().id() + "#" + r.leased.deliveryAttempt()).toList());
        }
        it.remove();
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
      int free = stopped.contains(w.vmId) ? 0 : slots - w.running.size();
      if (free > 0) {
        for (LeasedTask t : queue.receive(free, Duration.ZERO)) {
          if (jobFinished) {
            startedAfterFinish++;
          }
          Program p = programs.get((int) t.task().index());
          w.running.add(new Running(t, now.plus(p.duration())));
          if (reportStarts) {
            queue.publishEvents(List.of(TaskEvent.builder(EventType.TASK_STARTED).timestamp(now).job("sim")
                .instanceId(w.vmId).taskId(t.task().id()).taskIndex(t.task().index())
                .attempt(t.task().failedAttempts() + 1).build()));
          }
        }
      }
    } catch (QueueException e) {
      // A throttled queue: the worker tries again at its next step, as the real one does.
    }
  }

  private void finish(Worker w, Running r) {
    int index = (int) r.leased.task().index();
    Program p = programs.get(index);
    boolean fails = ownFailures[index] < p.failuresBeforeSuccess();
    // The worker's rule (QueueTaskSource): the attempt is the failures the message carries plus one, so a
    // redelivery after an interruption is not an attempt.
    int attempt = r.leased.task().failedAttempts() + 1;
    boolean last = attempt >= maxAttempts;
    TaskEvent event = TaskEvent.builder(fails ? EventType.TASK_FAILED : EventType.TASK_COMPLETED)
        .timestamp(clock.instant()).job("sim").instanceId(w.vmId).taskId(r.leased.task().id()).taskIndex(index)
        .attempt(attempt).finalAttempt(!fails || last).retry(fails && !last).exitCode(fails ? 1 : 0)
        .elapsedTime(p.duration().toSeconds()).build();
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

  /** From now on each task's start is reported as a {@code task_started} event. */
  void reportStarts() {
    reportStarts = true;
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
