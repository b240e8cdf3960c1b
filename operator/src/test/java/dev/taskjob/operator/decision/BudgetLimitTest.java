package dev.taskjob.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BudgetLimitTest {

  private static final Duration LOOK = Duration.ofSeconds(30);
  private static final Duration GRACE = Duration.ofSeconds(30);

  /** Horizon here: 30 s + 30 s + 1 min = 2 minutes; at $0.60/h one instance costs $0.02 over it. */
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("no budget: as many as wanted", null, 100.0, 10, 10, BudgetLimit.Verdict.UNLIMITED),
        Arguments.of("plenty left", 10.0, 1.0, 10, 10, BudgetLimit.Verdict.WITHIN),
        Arguments.of("room for 5 of 10 over the horizon", 1.10, 1.0, 10, 5, BudgetLimit.Verdict.LIMITED),
        Arguments.of("exactly one fits", 1.02, 1.0, 10, 1, BudgetLimit.Verdict.LIMITED),
        Arguments.of("less than one instance's horizon left: exhausted", 1.019, 1.0, 10, 0,
            BudgetLimit.Verdict.EXHAUSTED),
        Arguments.of("overspent (a lowered budget): exhausted", 0.50, 1.0, 3, 0, BudgetLimit.Verdict.EXHAUSTED),
        Arguments.of("a zero budget never launches", 0.0, 0.0, 4, 0, BudgetLimit.Verdict.EXHAUSTED),
        Arguments.of("no work wanted: nothing to limit", 0.50, 1.0, 0, 0, BudgetLimit.Verdict.WITHIN),
        Arguments.of("raised budget resumes", 2.0, 1.0, 10, 10, BudgetLimit.Verdict.WITHIN));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void holdsThePoolToWhatTheRestOfTheBudgetPaysFor(String name, Double maxCost, double spent, int wanted,
      int instances, BudgetLimit.Verdict verdict) {
    BudgetLimit.Result r = BudgetLimit.decide(new BudgetLimit.Inputs(maxCost, spent, 0.60, wanted, LOOK, GRACE));
    assertThat(r.instances()).isEqualTo(instances);
    assertThat(r.verdict()).isEqualTo(verdict);
    if (verdict == BudgetLimit.Verdict.EXHAUSTED) {
      assertThat(r.message()).contains("spec.budget.maxCost", "queue and ledger kept", "raise spec.budget.maxCost");
    }
  }

  static Stream<Arguments> horizons() {
    return Stream.of(
        Arguments.of(Duration.ofSeconds(10), Duration.ZERO, Duration.ofSeconds(70)),
        Arguments.of(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMinutes(2)),
        Arguments.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(7)));
  }

  @ParameterizedTest(name = "look {0}, grace {1}: {2}")
  @MethodSource("horizons")
  void anInstanceKeptNowMayBillUntilTheNextLookPlusItsGracePlusAMinute(Duration look, Duration grace,
      Duration expected) {
    assertThat(BudgetLimit.horizon(look, grace)).isEqualTo(expected);
  }
}
