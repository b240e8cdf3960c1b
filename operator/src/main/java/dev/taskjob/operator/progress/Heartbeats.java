package dev.taskjob.operator.progress;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When each instance was last heard from, across all jobs of this operator process. Job event
 * consumers write it; pool reconcilers read it for their startup and heartbeat timeouts, and are told of
 * news ({@link #onNews}). Thread-safe.
 * After an operator restart it is empty: pools then fall back to the heartbeats saved in their status.
 */
public final class Heartbeats {

  /** First and latest report of one instance, and the tasks it last said it runs. */
  public record Seen(Instant first, Instant last, int runningTasks) {}

  private static final Logger LOG = LoggerFactory.getLogger(Heartbeats.class);

  private final Map<String, Seen> seen = new ConcurrentHashMap<>();
  private final Map<String, String> startupFailures = new ConcurrentHashMap<>();
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

  /**
   * Tells {@code listener} the instance id of each report that may change what its pool does: a worker's
   * first report, a startup failure, and a worker that ran tasks and now runs none. Called on the
   * reporting thread; a steady worker's heartbeats tell nothing.
   */
  public void onNews(Consumer<String> listener) {
    listeners.add(listener);
  }

  public void record(String instanceId, Instant at, int runningTasks) {
    Seen before = seen.get(instanceId);
    seen.merge(instanceId, new Seen(at, at, runningTasks), (old, now) -> new Seen(old.first(),
        now.last().isAfter(old.last()) ? now.last() : old.last(), now.runningTasks()));
    if (before == null || before.runningTasks() > 0 && runningTasks == 0) {
      tell(instanceId);
    }
  }

  /** The instance's reports, or null if it never reported (to this process). */
  public Seen get(String instanceId) {
    return seen.get(instanceId);
  }

  /** The instance's worker ran no task: its machine cannot run the job's tasks, for this reason. */
  public void recordStartupFailure(String instanceId, String reason) {
    startupFailures.put(instanceId, reason);
    tell(instanceId);
  }

  /** Why the instance's worker could not start, or null. Not a report: such a worker never ran a task. */
  public String startupFailure(String instanceId) {
    return startupFailures.get(instanceId);
  }

  /** A listener's failure must not cost the job the event being applied: it is logged and skipped. */
  private void tell(String instanceId) {
    for (Consumer<String> listener : listeners) {
      try {
        listener.accept(instanceId);
      } catch (RuntimeException e) {
        LOG.warn("instance {}: could not pass on its report: {}", instanceId, e.toString());
      }
    }
  }

  public void forget(String instanceId) {
    seen.remove(instanceId);
    startupFailures.remove(instanceId);
  }
}
