package dev.taskjob.operator.progress;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each instance was last heard from, across all jobs of this operator process. Job event
 * consumers write it; pool reconcilers read it for their startup and heartbeat timeouts. Thread-safe.
 * After an operator restart it is empty: pools then fall back to the heartbeats saved in their status.
 */
public final class Heartbeats {

  /** First and latest report of one instance, and the tasks it last said it runs. */
  public record Seen(Instant first, Instant last, int runningTasks) {}

  private final Map<String, Seen> seen = new ConcurrentHashMap<>();
  private final Map<String, String> startupFailures = new ConcurrentHashMap<>();

  public void record(String instanceId, Instant at, int runningTasks) {
    seen.merge(instanceId, new Seen(at, at, runningTasks), (old, now) -> new Seen(old.first(),
        now.last().isAfter(old.last()) ? now.last() : old.last(), now.runningTasks()));
  }

  /** The instance's reports, or null if it never reported (to this process). */
  public Seen get(String instanceId) {
    return seen.get(instanceId);
  }

  /** The instance's worker ran no task: its machine cannot run the job's tasks, for this reason. */
  public void recordStartupFailure(String instanceId, String reason) {
    startupFailures.put(instanceId, reason);
  }

  /** Why the instance's worker could not start, or null. Not a report: such a worker never ran a task. */
  public String startupFailure(String instanceId) {
    return startupFailures.get(instanceId);
  }

  public void forget(String instanceId) {
    seen.remove(instanceId);
    startupFailures.remove(instanceId);
  }
}
