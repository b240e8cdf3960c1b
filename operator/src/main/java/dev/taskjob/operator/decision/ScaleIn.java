package dev.taskjob.operator.decision;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * When a VM the pool no longer needs ({@link PoolPlan.Reason#EXTRA}) is terminated: at once when its worker
 * runs nothing; a busy one is kept until its worker reports it idle or {@code shutdownGracePeriod} has passed
 * since it was first chosen, so scale-in does not interrupt work it could let finish. A busy VM gets the pool's stop
 * notice once, when it is first held, so that its worker takes no new task meanwhile (on clouds that carry one;
 * {@code CloudProvider#sendStopNotice}). Terminating is the worker's last word (SIGTERM: no new task, the notice
 * file, its own grace period to finish or hand back).
 * A pool asked for no instance at all (suspended, out of budget, failed) holds none: a held worker would go
 * on taking new tasks, while the stop notice lets the running ones finish or hand back within that grace.
 */
public final class ScaleIn {

  /**
   * @param terminate VMs to terminate now
   * @param held busy VMs kept for now, with when each was first chosen (the next look's {@code heldSince})
   * @param stopNotice the held VMs chosen at this look, whose workers are to be told to take no new task
   */
  public record Result(List<String> terminate, Map<String, Instant> held, List<String> stopNotice) {}

  private ScaleIn() {}

  /**
   * @param chosen the VMs this look chose for removal, each with the tasks its worker last reported running
   * @param heldSince when each VM held at earlier looks was first chosen
   * @param grace how long a busy VM is kept at most
   * @param targetCount the instances the pool is asked for; 0 holds no VM
   * @param now the current time
   */
  public static Result decide(Map<String, Integer> chosen, Map<String, Instant> heldSince, Duration grace,
      int targetCount, Instant now) {
    List<String> terminate = new ArrayList<>();
    Map<String, Instant> held = new LinkedHashMap<>();
    List<String> stopNotice = new ArrayList<>();
    chosen.forEach((id, running) -> {
      Instant since = heldSince.getOrDefault(id, now);
      if (targetCount <= 0 || running <= 0 || !now.isBefore(since.plus(grace))) {
        terminate.add(id);
      } else {
        held.put(id, since);
        if (!heldSince.containsKey(id)) {
          stopNotice.add(id);
        }
      }
    });
    return new Result(List.copyOf(terminate), Map.copyOf(held), List.copyOf(stopNotice));
  }
}
