package dev.taskjob.operator.progress;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each worker last reported, keyed by instance id, timed by the operator's clock (worker clocks
 * may drift). Feeds the job's running count and drain fallback, and the pool's heartbeat timeouts.
 * Not thread-safe; {@link JobProgress} serialises access.
 */
public final class WorkerActivity {

  /** One worker's latest state. */
  public record Worker(String instanceId, Instant firstSeen, Instant lastSeen, int runningTasks,
      long completedTasks, boolean stopping, boolean interrupted) {}

  /** Why a worker could not start at all, as it reported in its {@code worker_stopping} event. */
  public record StartupError(String instanceId, String reason, Instant at) {}

  private final Map<String, Worker> workers = new LinkedHashMap<>();
  private StartupError startupError;
  private Instant lastActivity;

  /**
   * Records any event from a worker. Activity is work: a task event, or a worker reporting tasks running.
   * An idle worker's heartbeats are not, or one idle worker polling an empty queue would keep the
   * queue-empty fallback from ever ending a job whose last results were lost.
   */
  public void record(TaskEvent event, Instant now) {
    boolean working = event.eventType() != null && (event.eventType().isTaskEvent()
        || event.runningTasks() != null && event.runningTasks() > 0);
    if (working) {
      lastActivity = lastActivity == null || now.isAfter(lastActivity) ? now : lastActivity;
    }
    String id = event.instanceId();
    if (id == null || id.isBlank() || event.eventType() == null) {
      return;
    }
    Worker w = workers.get(id);
    if (w == null) {
      w = new Worker(id, now, now, 0, 0, false, false);
    }
    int running = w.runningTasks();
    long completed = w.completedTasks();
    boolean stopping = w.stopping();
    boolean interrupted = w.interrupted();
    EventType type = event.eventType();
    switch (type) {
      case TASK_STARTED -> running++;
      case TASK_COMPLETED, TASK_FAILED, TASK_TIMED_OUT -> {
        running = Math.max(0, running - 1);
        completed++;
      }
      case WORKER_STARTED -> {
        running = 0;
        stopping = false;
        startupError = null; // a worker started: whatever stopped an earlier one is no longer the story
      }
      case WORKER_STOPPING -> {
        stopping = true;
        if (event.message() != null && event.message().startsWith(TaskEvent.STARTUP_ERROR_PREFIX)) {
          startupError = new StartupError(id, event.message().substring(TaskEvent.STARTUP_ERROR_PREFIX.length()), now);
        }
      }
      case SPOT_INTERRUPTION -> interrupted = true;
      default -> { }
    }
    if (!type.isTaskEvent() && event.runningTasks() != null) {
      running = event.runningTasks();
    }
    if (!type.isTaskEvent() && event.completedTasks() != null) {
      completed = Math.max(completed, event.completedTasks());
    }
    workers.put(id, new Worker(id, w.firstSeen(), now.isAfter(w.lastSeen()) ? now : w.lastSeen(), running, completed,
        stopping, interrupted));
  }

  /** The latest start-up error a worker reported, unless a worker started since; or null. */
  public StartupError startupError() {
    return startupError;
  }

  /** The last time any worker reported work (see {@link #record}), or null. */
  public Instant lastActivity() {
    return lastActivity;
  }

  public Worker worker(String instanceId) {
    return workers.get(instanceId);
  }

  public Collection<Worker> workers() {
    return List.copyOf(workers.values());
  }

  /** Tasks running on workers heard from within {@code silentAfter}. */
  public int runningTasks(Instant now, Duration silentAfter) {
    return workers.values().stream()
        .filter(w -> !w.stopping() && Duration.between(w.lastSeen(), now).compareTo(silentAfter) <= 0)
        .mapToInt(Worker::runningTasks)
        .sum();
  }

  /** Workers heard from within {@code silentAfter} that are not stopping. */
  public int liveWorkers(Instant now, Duration silentAfter) {
    return (int) workers.values().stream()
        .filter(w -> !w.stopping() && Duration.between(w.lastSeen(), now).compareTo(silentAfter) <= 0)
        .count();
  }
}
