package dev.taskjob.operator.simulation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/** What happened in one lifetime, by simulated time; the last lines are printed when an invariant breaks. */
final class Trace {

  private static final int KEPT = 40;

  private final Instant start;
  private final SimClock clock;
  private final Deque<String> lines = new ArrayDeque<>();

  Trace(SimClock clock) {
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
