package dev.taskjob.operator.simulation;

import dev.taskjob.operator.reconciler.pool.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/** What happened in one lifetime, by simulated time; the last lines are printed when an invariant breaks. */
final class Trace {

  private static final int KEPT = 40;

  private final Instant start;
  private final ManualClock clock;
  private final Deque<String> lines = new ArrayDeque<>();

  Trace(ManualClock clock) {
    this.clock = clock;
    this.start = clock.instant();
  }

  void add(String line) {
    if (lines.size() == KEPT) {
      lines.removeFirst();
    }
    lines.addLast("  t+" + Duration.between(start, clock.instant()).toSeconds() + "s " + line);
  }

  String tail() {
    return String.join("\n", lines);
  }
}
