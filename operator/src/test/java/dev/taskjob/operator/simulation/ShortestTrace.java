package dev.taskjob.operator.simulation;

import dev.taskjob.operator.decision.DrainDecision;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The fewest of a failing lifetime's faults that still break the same invariant. The seed is run again
 * with only some of its faults taking effect (by their number in the order drawn, {@link Faults#allowOnly}):
 * first the shortest prefix that still breaks it, found by bisection, then the faults of each kind dropped
 * together, then each fault left dropped in turn, latest first, wherever the invariant still breaks without.
 * Numbers after a dropped fault may name other faults than in the full run, as the lifetime takes
 * another course; the search only keeps what it has seen break. Every run is deterministic,
 * so the result is too; at most {@link #MAX_RUNS} runs.
 */
final class ShortestTrace {

  static final int MAX_RUNS = 200;

  /**
   * @param kept the numbers of the faults that take effect in the shortest run found
   * @param keptKinds their kinds
   * @param drawn how many faults the full run drew
   * @param violation the shortest run's violation and its trace
   * @param runs how many runs the search took, the full one included
   */
  record Found(Invariant invariant, List<Integer> kept, List<Faults.Kind> keptKinds, int drawn, String violation,
      int runs) {

    /** The system property that replays this run with {@code -Dtaskjob.simulation.seed}. */
    String replayProperty() {
      return "-Dtaskjob.simulation.faults=" + (kept.isEmpty() ? "none"
          : kept.stream().map(String::valueOf).collect(Collectors.joining(",")));
    }

    String describe() {
      return "shortest trace found: " + kept.size() + " of the " + drawn + " faults drawn " + keptKinds + " still break "
          + invariant + " (" + runs + " runs):\n" + violation;
    }
  }

  private final long seed;
  private final Invariant invariant;
  private final Function<DrainDecision.Inputs, DrainDecision.Verdict> drain;
  private int runs;

  /** Whether the lifetimes' spot interruptions come with notice ({@link JobLifetime}'s model). */
  private final boolean notices;

  private ShortestTrace(long seed, Invariant invariant, Function<DrainDecision.Inputs, DrainDecision.Verdict> drain,
      boolean notices) {
    this.seed = seed;
    this.notices = notices;
    this.invariant = invariant;
    this.drain = drain;
  }

  static Found find(long seed, Invariant invariant) {
    return find(seed, invariant, DrainDecision::decide);
  }

  /** @param drain the drain decision the lifetime runs with (a test's broken one) */
  static Found find(long seed, Invariant invariant, Function<DrainDecision.Inputs, DrainDecision.Verdict> drain) {
    return find(seed, invariant, drain, true);
  }

  /** @param notices whether spot interruptions come with notice (see {@link JobLifetime}) */
  static Found find(long seed, Invariant invariant, Function<DrainDecision.Inputs, DrainDecision.Verdict> drain,
      boolean notices) {
    return new ShortestTrace(seed, invariant, drain, notices).search();
  }

  /** The numbers listed in a {@code taskjob.simulation.faults} value ("none": no fault). */
  static Set<Integer> parse(String value) {
    Set<Integer> numbers = new HashSet<>();
    if (!value.isBlank() && !value.equals("none")) {
      for (String n : value.split(",")) {
        numbers.add(Integer.parseInt(n.trim()));
      }
    }
    return numbers;
  }

  private Found search() {
    JobLifetime.Result full = run(null);
    if (!full.violations().containsKey(invariant)) {
      throw new IllegalArgumentException("seed " + seed + " does not break " + invariant);
    }
    int drawn = full.faults().drawn().size();
    int lo = 0;
    int hi = drawn;
    while (lo < hi && runs < MAX_RUNS) {
      int mid = (lo + hi) >>> 1;
      if (breaks(prefix(mid))) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    List<Integer> kept = prefix(hi);
    List<Faults.Kind> kinds = full.faults().drawn();
    for (Faults.Kind kind : Faults.Kind.values()) {
      List<Integer> without = kept.stream().filter(n -> kinds.get(n) != kind).toList();
      if (without.size() < kept.size() && runs < MAX_RUNS && breaks(without)) {
        kept = without;
      }
    }
    for (int i = kept.size() - 1; i >= 0 && runs < MAX_RUNS; i--) {
      List<Integer> without = new ArrayList<>(kept);
      without.remove(i);
      if (breaks(without)) {
        kept = without;
      }
    }
    JobLifetime.Result shortest = run(kept);
    List<Faults.Kind> drawnKinds = shortest.faults().drawn();
    // A number the shortest run never drew took no effect: leaving it out is the same run.
    kept = kept.stream().filter(n -> n < drawnKinds.size()).toList();
    List<Faults.Kind> keptKinds = kept.stream().map(drawnKinds::get).toList();
    return new Found(invariant, List.copyOf(kept), keptKinds, drawn, shortest.violations().get(invariant), runs);
  }

  private static List<Integer> prefix(int length) {
    return IntStream.range(0, length).boxed().toList();
  }

  private boolean breaks(List<Integer> allowed) {
    return run(allowed).violations().containsKey(invariant);
  }

  private JobLifetime.Result run(List<Integer> allowed) {
    runs++;
    return new JobLifetime(seed, allowed == null ? null : new HashSet<>(allowed), drain, notices).run();
  }
}
