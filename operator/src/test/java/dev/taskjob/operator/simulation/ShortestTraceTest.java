package dev.taskjob.operator.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskjob.operator.decision.DrainDecision;
import java.util.HashSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The shortest trace of a failing seed, shown on a deliberately broken drain decision: one whose
 * fallback ignores leased tasks, so a job whose only worker died with its tasks drains before their
 * leases lapse and loses them. Its lifetimes' interruptions come without notice, so that workers die with
 * their tasks often (with notice a worker releases them first).
 */
class ShortestTraceTest {

  /** The real decision told that nothing is leased. */
  private static final Function<DrainDecision.Inputs, DrainDecision.Verdict> IGNORES_LEASED_TASKS = in ->
      DrainDecision.decide(new DrainDecision.Inputs(in.loadingComplete(), in.allFinished(), in.waiting(), 0,
          in.deadLettered(), in.emptySince(), in.deadLettersReadAt(), in.lastActivity(), in.loadedAt(),
          in.eventsHiddenUntil(), in.terminationDelay(), in.now()));

  @Test
  void aBrokenDrainIsShownWithFewerFaultsThanItsSeedDrewAndTheSameRunEachTime() {
    Long failing = null;
    for (long seed = 1016; seed < 1066 && failing == null; seed++) {
      if (new JobLifetime(seed, null, IGNORES_LEASED_TASKS, false).run().violations().containsKey(Invariant.NO_TASK_LOST)) {
        failing = seed;
      }
    }
    assertNotNull(failing, "the broken drain lost no task in 50 lifetimes");
    long seed = failing;
    assertFalse(new JobLifetime(seed, null, DrainDecision::decide, false).run().violations().containsKey(Invariant.NO_TASK_LOST),
        "the real drain loses a task of seed " + seed);

    ShortestTrace.Found found = ShortestTrace.find(seed, Invariant.NO_TASK_LOST, IGNORES_LEASED_TASKS, false);

    assertTrue(found.kept().size() < found.drawn(), found.describe());
    assertTrue(found.keptKinds().contains(Faults.Kind.SPOT_INTERRUPTION), "a worker must die with its tasks: "
        + found.describe());
    assertTrue(found.runs() <= ShortestTrace.MAX_RUNS + 1);
    assertTrue(found.violation().contains("VIOLATED NO_TASK_LOST"), found.violation());
    JobLifetime.Result replayed = new JobLifetime(seed, new HashSet<>(found.kept()), IGNORES_LEASED_TASKS, false).run();
    assertEquals(found.violation(), replayed.violations().get(Invariant.NO_TASK_LOST), "the replay property replays it");
    assertFalse(new JobLifetime(seed, new HashSet<>(), IGNORES_LEASED_TASKS, false).run().violations()
        .containsKey(Invariant.NO_TASK_LOST), "without any fault the broken drain loses nothing");
    assertEquals(found, ShortestTrace.find(seed, Invariant.NO_TASK_LOST, IGNORES_LEASED_TASKS, false), "deterministic");
  }

  @Test
  void theFaultsPropertyListsNumbersOrNone() {
    assertEquals(java.util.Set.of(), ShortestTrace.parse("none"));
    assertEquals(java.util.Set.of(2, 10, 65), ShortestTrace.parse("2,10, 65"));
  }
}
