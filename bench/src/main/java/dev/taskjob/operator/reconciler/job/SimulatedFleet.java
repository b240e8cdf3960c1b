package dev.taskjob.operator.reconciler.job;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The events of {@code vms x slotsPerVm} slots that each run tasks of one fixed duration back to back, as
 * their workers would report them: the slots' first tasks start evenly spread over one task duration, so
 * the fleet completes {@code slots / taskDuration} tasks a second from the first task's end. At each slot
 * step the slot reports the end of its previous task (if any) and the start of its next (while the run lasts).
 * Each VM also reports {@code worker_started} at its first slot step and a heartbeat every
 * {@code heartbeatInterval}, as the worker does.
 */
final class SimulatedFleet {

  private final String job;
  private final int vms;
  private final int slotsPerVm;
  private final long slots;
  private final long taskNanos;
  private final long heartbeatNanos;
  private final long runNanos;
  private final Instant epoch;
  /** Next slot step to report: slot = step % slots, round = step / slots. */
  private long nextStep;
  /** Next heartbeat to report: vm = beat % vms, round = beat / vms. */
  private long nextBeat;
  private long published;

  SimulatedFleet(String job, int vms, int slotsPerVm, Duration task, Duration heartbeatInterval, Duration run,
      Instant epoch) {
    this.job = job;
    this.vms = vms;
    this.slotsPerVm = slotsPerVm;
    this.slots = (long) vms * slotsPerVm;
    this.taskNanos = task.toNanos();
    this.heartbeatNanos = heartbeatInterval.toNanos();
    this.runNanos = run.toNanos();
    this.epoch = epoch;
  }

  /** Tasks that start within the run: the ledger's total. */
  long tasksStarted() {
    long total = 0;
    for (long slot = 0; slot < slots; slot++) {
      long offset = slotOffset(slot);
      total += offset >= runNanos ? 0 : (runNanos - offset + taskNanos - 1) / taskNanos;
    }
    return total;
  }

  /** Events per second once every slot has finished its first task (one start and one end per task). */
  double steadyEventsPerSecond() {
    return 2.0 * slots * 1e9 / taskNanos + (double) vms * 1e9 / heartbeatNanos;
  }

  long published() {
    return published;
  }

  /** Whether every event of the run, the last task ends included, has been reported. */
  boolean finished() {
    return stepTime(nextStep) > runNanos + taskNanos && beatTime(nextBeat) > runNanos;
  }

  /** Adds to {@code out} every event due at or before {@code simulatedNanos} since the epoch, in time order. */
  void eventsUntil(long simulatedNanos, List<TaskEvent> out) {
    int before = out.size();
    while (true) {
      long step = stepTime(nextStep);
      long beat = beatTime(nextBeat);
      if (Math.min(step, beat) > simulatedNanos) {
        published += out.size() - before;
        return;
      }
      if (step <= beat) {
        slotStep(nextStep++, step, out);
      } else {
        heartbeat(nextBeat++, beat, out);
      }
    }
  }

  private void slotStep(long step, long at, List<TaskEvent> out) {
    long slot = step % slots;
    long round = step / slots;
    String vm = vmName(slot / slotsPerVm);
    int vmSlot = (int) (slot % slotsPerVm);
    if (round == 0 && vmSlot == 0) {
      out.add(worker(EventType.WORKER_STARTED, vm, at, 0).build());
    }
    if (round > 0 && at - taskNanos < runNanos) {
      long index = (round - 1) * slots + slot;
      out.add(task(EventType.TASK_COMPLETED, vm, vmSlot, index, at).elapsedTime(taskNanos / 1e9).exitCode(0).build());
    }
    if (at < runNanos) {
      out.add(task(EventType.TASK_STARTED, vm, vmSlot, round * slots + slot, at).build());
    }
  }

  private void heartbeat(long beat, long at, List<TaskEvent> out) {
    out.add(worker(EventType.WORKER_HEARTBEAT, vmName(beat % vms), at, slotsPerVm).build());
  }

  private TaskEvent.Builder task(EventType type, String vm, int vmSlot, long index, long at) {
    return TaskEvent.builder(type).timestamp(epoch.plusNanos(at)).job(job).instanceId(vm).hostname(vm)
        .taskId("task-" + index).taskIndex(index).attempt(1).slot(vmSlot);
  }

  private TaskEvent.Builder worker(EventType type, String vm, long at, int running) {
    return TaskEvent.builder(type).timestamp(epoch.plusNanos(at)).job(job).instanceId(vm).hostname(vm)
        .runningTasks(running).completedTasks(0L);
  }

  private long slotOffset(long slot) {
    return slot * taskNanos / slots;
  }

  private long stepTime(long step) {
    return (step / slots) * taskNanos + slotOffset(step % slots);
  }

  private long beatTime(long beat) {
    long vm = beat % vms;
    return (beat / vms + 1) * heartbeatNanos + vm * heartbeatNanos / vms;
  }

  private static String vmName(long vm) {
    return String.format("sim-vm-%04d", vm);
  }
}
