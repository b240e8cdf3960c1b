package dev.taskjob.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.operator.decision.PoolPlan.Vm;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** When the pool looks again for a worker that may go silent ({@link PoolPlan#nextTimeout}). */
class PoolPlanTimeoutTest {

  private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");
  private static final Duration STARTUP = Duration.ofMinutes(5);
  private static final Duration HEARTBEAT = Duration.ofMinutes(2);

  static Stream<Arguments> cases() {
    Vm reported10sAgo = new Vm("a", InstanceState.RUNNING, NOW.minusSeconds(600), NOW.minusSeconds(500),
        NOW.minusSeconds(10), 1, false);
    Vm booting60s = new Vm("b", InstanceState.PENDING, NOW.minusSeconds(60), null, null, 0, false);
    Vm preempted = new Vm("c", InstanceState.PREEMPTED, NOW.minusSeconds(600), NOW.minusSeconds(500),
        NOW.minusSeconds(400), 0, false);
    Vm terminating = new Vm("d", InstanceState.RUNNING, NOW.minusSeconds(600), NOW.minusSeconds(500),
        NOW.minusSeconds(300), 0, true);
    return Stream.of(
        Arguments.of("no VMs", List.of(), HEARTBEAT, STARTUP, null),
        Arguments.of("a reporting VM: its last report plus the heartbeat timeout", List.of(reported10sAgo),
            HEARTBEAT, STARTUP, NOW.minusSeconds(10).plus(HEARTBEAT)),
        Arguments.of("a booting VM: its launch plus the startup timeout", List.of(booting60s), HEARTBEAT, STARTUP,
            NOW.minusSeconds(60).plus(STARTUP)),
        Arguments.of("the earliest of several", List.of(booting60s, reported10sAgo), HEARTBEAT, STARTUP,
            NOW.minusSeconds(10).plus(HEARTBEAT)),
        Arguments.of("VMs gone or being terminated have none", List.of(preempted, terminating), HEARTBEAT, STARTUP,
            null),
        Arguments.of("no timeouts (a standalone pool)", List.of(reported10sAgo, booting60s), null, null, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void nextTimeout(String name, List<Vm> vms, Duration heartbeat, Duration startup, Instant expected) {
    PoolPlan.Inputs in = new PoolPlan.Inputs(vms.size(), vms, Set.of(), startup, heartbeat,
        NOW.minusSeconds(3600), NOW);
    assertThat(PoolPlan.nextTimeout(in).orElse(null)).isEqualTo(expected);
  }
}
