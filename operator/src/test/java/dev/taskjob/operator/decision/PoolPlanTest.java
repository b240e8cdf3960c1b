package dev.taskjob.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.operator.decision.PoolPlan.Reason;
import dev.taskjob.operator.decision.PoolPlan.Removal;
import dev.taskjob.operator.decision.PoolPlan.Vm;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PoolPlanTest {

  private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");
  private static final Duration STARTUP = Duration.ofMinutes(5);
  private static final Duration HEARTBEAT = Duration.ofMinutes(2);

  static Vm working(String id, int running) {
    return new Vm(id, InstanceState.RUNNING, NOW.minusSeconds(3600), NOW.minusSeconds(3500), NOW.minusSeconds(10),
        running, false);
  }

  static Vm booting(String id, long launchedAgoSeconds) {
    return new Vm(id, InstanceState.PENDING, NOW.minusSeconds(launchedAgoSeconds), null, null, 0, false);
  }

  static Vm silentFor(String id, long seconds) {
    return new Vm(id, InstanceState.RUNNING, NOW.minusSeconds(3600), NOW.minusSeconds(3500), NOW.minusSeconds(seconds),
        1, false);
  }

  static Vm gone(String id, InstanceState state) {
    return new Vm(id, state, NOW.minusSeconds(3600), null, null, 0, false);
  }

  record Case(String name, int desired, List<Vm> vms, Set<String> previouslyAlive, List<Removal> terminate,
      int create, List<String> lost) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        new Case("creates all on an empty pool", 3, List.of(), Set.of(), List.of(), 3, List.of()),
        new Case("steady pool does nothing", 2, List.of(working("a", 1), working("b", 1)), Set.of("a", "b"),
            List.of(), 0, List.of()),
        new Case("replaces a preempted VM and deletes it", 2, List.of(working("a", 1), gone("b", InstanceState.PREEMPTED)),
            Set.of("a", "b"), List.of(new Removal("b", Reason.NOT_RUNNING)), 1, List.of("b")),
        new Case("a preempted VM already asked to go is not asked again", 1,
            List.of(working("a", 1), new Vm("b", InstanceState.PREEMPTED, NOW, null, null, 0, true)), Set.of("a"),
            List.of(), 0, List.of()),
        new Case("a stopped VM is deleted at every look until gone, even when asked before", 1,
            List.of(working("a", 1), new Vm("b", InstanceState.STOPPED, NOW, null, null, 0, true)), Set.of("a"),
            List.of(new Removal("b", Reason.NOT_RUNNING)), 0, List.of()),
        new Case("a VM stopped under the pool is lost, replaced and deleted", 1, List.of(gone("s", InstanceState.STOPPED)),
            Set.of("s"), List.of(new Removal("s", Reason.NOT_RUNNING)), 1, List.of("s")),
        new Case("a stopping VM is deleted and a drained pool keeps no stopped VM", 0,
            List.of(gone("s", InstanceState.STOPPING), gone("t", InstanceState.TERMINATED)), Set.of(),
            List.of(new Removal("s", Reason.NOT_RUNNING)), 0, List.of()),
        new Case("a VM that was never seen alive is not lost", 1, List.of(gone("old", InstanceState.TERMINATED)),
            Set.of(), List.of(), 1, List.of()),
        new Case("removes extras, idle ones first", 1, List.of(working("busy", 3), working("idle", 0)),
            Set.of("busy", "idle"), List.of(new Removal("idle", Reason.EXTRA)), 0, List.of()),
        new Case("removes booting VMs before working ones", 1, List.of(working("w", 0), booting("p", 30)),
            Set.of("w", "p"), List.of(new Removal("p", Reason.EXTRA)), 0, List.of()),
        new Case("scales to zero", 0, List.of(working("a", 0), booting("b", 10)), Set.of("a", "b"),
            List.of(new Removal("b", Reason.EXTRA), new Removal("a", Reason.EXTRA)), 0, List.of()),
        new Case("a VM still booting within the startup timeout is kept", 1, List.of(booting("p", 120)), Set.of("p"),
            List.of(), 0, List.of()),
        new Case("a VM that never reported is replaced after the startup timeout", 1, List.of(booting("p", 400)),
            Set.of("p"), List.of(new Removal("p", Reason.NEVER_STARTED)), 1, List.of()),
        new Case("a silent worker is replaced after the heartbeat timeout", 2, List.of(working("a", 1), silentFor("s", 200)),
            Set.of("a", "s"), List.of(new Removal("s", Reason.SILENT)), 1, List.of()),
        new Case("a VM already being terminated is neither counted nor replaced twice", 1,
            List.of(new Vm("t", InstanceState.RUNNING, NOW, null, null, 0, true), working("a", 1)), Set.of("a", "t"),
            List.of(), 0, List.of()))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void plansThePool(Case c) {
    PoolPlan.Result result = PoolPlan.plan(new PoolPlan.Inputs(c.desired(), c.vms(), c.previouslyAlive(), STARTUP,
        HEARTBEAT, NOW.minusSeconds(86400), NOW));
    assertThat(result.terminate()).as("terminate").containsExactlyInAnyOrderElementsOf(c.terminate());
    assertThat(result.create()).as("create").isEqualTo(c.create());
    assertThat(result.lost()).as("lost").containsExactlyElementsOf(c.lost());
  }

  @Test
  void aDeletedStoppedVmIsCountedOnceAsAFailure() {
    PoolPlan.Result result = PoolPlan.plan(new PoolPlan.Inputs(1, List.of(gone("s", InstanceState.STOPPED)),
        Set.of("s"), STARTUP, HEARTBEAT, NOW.minusSeconds(86400), NOW));
    assertThat(result.failures()).isEqualTo(1);
  }

  @Test
  void timeoutsCountFromOperatorStartWhenReportsBeforeItAreUnknown() {
    // After a restart, an old VM with no known report gets a fresh startup window, not an instant kill.
    PoolPlan.Result result = PoolPlan.plan(new PoolPlan.Inputs(1, List.of(booting("p", 3600)), Set.of("p"), STARTUP,
        HEARTBEAT, NOW.minusSeconds(60), NOW));
    assertThat(result.terminate()).isEmpty();
  }

  @Test
  void noTimeoutsWhenThePoolHasNoneConfigured() {
    PoolPlan.Result result = PoolPlan.plan(new PoolPlan.Inputs(1, List.of(booting("p", 86400)), Set.of("p"), null,
        null, NOW.minusSeconds(86400), NOW));
    assertThat(result.terminate()).isEmpty();
    assertThat(result.create()).isZero();
  }

  @ParameterizedTest(name = "replacements={0}, anyReported={1} -> {2}")
  @org.junit.jupiter.params.provider.CsvSource({"2,false,false", "3,false,true", "10,true,false"})
  void givesUpWhenWorkersNeverStart(int replacements, boolean anyReported, boolean givesUp) {
    assertThat(PoolPlan.workersNeverStarted(replacements, anyReported, 3)).isEqualTo(givesUp);
  }
}
