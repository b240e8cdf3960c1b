package dev.taskjob.operator.progress;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.operator.decision.HedgeDecision;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * Since when each task without a result has been running, from the workers' {@code task_started}
 * events, timed by the operator's clock: what {@link HedgeDecision} judges stragglers by. A task's
 * entry goes when it gets a result, fails or is put back; a redelivery's start replaces it. A hedged
 * copy's start is not recorded: the straggler is the original. Not thread-safe; {@link JobProgress}
 * serialises access.
 */
public final class RunningTasks {

  private final Map<Long, Instant> since = new HashMap<>();

  /** Records one event received at {@code now}. */
  public void record(TaskEvent event, Instant now) {
    if (event.taskIndex() == null || event.eventType() == null || !event.eventType().isTaskEvent()) {
      return;
    }
    if (event.eventType() == EventType.TASK_STARTED) {
      if (!event.isHedge()) {
        since.put(event.taskIndex(), now);
      }
      return;
    }
    if (!event.isHedge()) {
      since.remove(event.taskIndex()); // the original's attempt ended (a result, a retry, or put back)
    } else if (event.eventType() == EventType.TASK_COMPLETED) {
      since.remove(event.taskIndex());
    }
  }

  /** The running tasks that have no final result, by {@code finished}. */
  public List<HedgeDecision.RunningTask> unfinished(LongPredicate finished) {
    since.keySet().removeIf(finished::test);
    List<HedgeDecision.RunningTask> out = new ArrayList<>(since.size());
    since.forEach((index, start) -> out.add(new HedgeDecision.RunningTask(index, start)));
    return out;
  }

  public int size() {
    return since.size();
  }
}
