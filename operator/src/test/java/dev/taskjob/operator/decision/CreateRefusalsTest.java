package dev.taskjob.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.CapacityException;
import dev.taskjob.core.cloud.CloudException;
import dev.taskjob.operator.decision.CreateRefusals.State;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CreateRefusalsTest {

  private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");
  private static final CloudException INVALID = new CloudException(
      "InvalidParameterValue: environment variable name 'A=B' is not valid", false);
  private static final CloudException THROTTLED = new CloudException("RequestLimitExceeded", true);

  record Case(String name, State before, int created, List<Throwable> errors, int refusals, boolean givesUp,
      Instant nextCreateAt) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    State once = new State(1, NOW.minusSeconds(5), "x");
    State twice = new State(2, NOW.minusSeconds(10), "x");
    return Stream.of(
        new Case("a refused round is counted and waits 5 s", State.NONE, 0, List.of(INVALID), 1, false,
            NOW.plusSeconds(5)),
        new Case("the second waits 10 s", once, 0, List.of(INVALID, INVALID), 2, false, NOW.plusSeconds(10)),
        new Case("the third gives up", twice, 0, List.of(INVALID), 3, true, NOW.plusSeconds(20)),
        new Case("a VM created starts the count again", twice, 1, List.of(INVALID), 0, false, Instant.MIN),
        new Case("throttling is not a refusal", twice, 0, List.of(THROTTLED), 0, false, Instant.MIN),
        new Case("no capacity is not a refusal", twice, 0,
            List.of(new CapacityException("InsufficientInstanceCapacity", "c7g.large", "us-east-1a", true, null)), 0, false,
            Instant.MIN),
        new Case("a round with one transient error among refusals is not a refusal", once, 0,
            List.of(INVALID, THROTTLED), 0, false, Instant.MIN),
        new Case("a round without errors starts the count again", once, 0, List.of(), 0, false, Instant.MIN))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decidesWhenToTryAgainAndWhenToStop(Case c) {
    State after = CreateRefusals.after(c.before(), c.created(), c.errors(), NOW);

    assertThat(after.refusals()).isEqualTo(c.refusals());
    assertThat(after.givesUp()).isEqualTo(c.givesUp());
    assertThat(after.nextCreateAt()).isEqualTo(c.nextCreateAt());
    if (c.refusals() > 0) {
      assertThat(after.cause()).as("the cloud's own words").isEqualTo(INVALID.getMessage());
    }
  }
}
