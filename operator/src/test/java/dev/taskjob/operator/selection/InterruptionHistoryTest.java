package dev.taskjob.operator.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InterruptionHistoryTest {

  private static final Instant NOW = Instant.parse("2026-03-01T00:00:00Z");

  @Test
  void rateIsInterruptionsPerVmHourBlendedWithTheFallbackOnceEnoughHoursBackIt() {
    InterruptionHistory h = new InterruptionHistory();
    h.record("m5.large", "us-east-1a", 1.5, 1, NOW);
    assertThat(h.observed("m5.large", "us-east-1a", NOW)).isEmpty();
    h.record("m5.large", "us-east-1a", 4.5, 1, NOW);
    // 2 interruptions over 6 VM-hours, blended with the 0.5/h hint as if seen over 4 VM-hours: (2 + 2) / 10.
    InterruptionRate rate = InterruptionRate.estimate(h, "m5.large", "us-east-1a", 0.5, NOW);
    assertThat(rate.source()).isEqualTo(InterruptionRate.Source.OBSERVED);
    assertThat(rate.perHour()).isCloseTo(0.4, offset(1e-12));
    // Without a hint the default prior is the fallback: (2 + 0.2) / 10.
    assertThat(InterruptionRate.estimate(h, "m5.large", "us-east-1a", null, NOW).perHour()).isCloseTo(0.22,
        offset(1e-12));
    // With many hours the observation dominates.
    h.record("m5.large", "us-east-1a", 994, 198, NOW);
    assertThat(InterruptionRate.estimate(h, "m5.large", "us-east-1a", null, NOW).perHour()).isCloseTo(0.2,
        offset(0.001));
  }

  @Test
  void fallsBackToTheUsersHintThenTheDefaultPrior() {
    InterruptionHistory h = new InterruptionHistory();
    h.record("m5.large", "us-east-1a", 10, 2, NOW);
    assertThat(InterruptionRate.estimate(h, "m5.large", "us-east-1b", 0.1, NOW))
        .isEqualTo(new InterruptionRate(0.1, InterruptionRate.Source.USER, 0));
    assertThat(InterruptionRate.estimate(h, "c5.large", "us-east-1a", null, NOW))
        .isEqualTo(new InterruptionRate(InterruptionRate.DEFAULT_PRIOR_PER_HOUR, InterruptionRate.Source.DEFAULT_PRIOR,
            0));
  }

  @Test
  void oldObservationsDecayWithAHalfLifeOfDays() {
    InterruptionHistory h = new InterruptionHistory();
    h.record("m5.large", "a", 100, 20, NOW);
    h.record("m5.large", "a", 100, 0, NOW.plus(InterruptionHistory.HALF_LIFE));
    // 20 interruptions over 100 h now weigh as 10 over 50 h; with 0 over 100 h: 10 / 150 (plus the prior's 4 h).
    assertThat(InterruptionRate.estimate(h, "m5.large", "a", null, NOW.plus(InterruptionHistory.HALF_LIFE)).perHour())
        .isCloseTo((10.0 + 0.2) / 154, offset(1e-9));
    Instant monthLater = NOW.plus(Duration.ofDays(30));
    assertThat(h.observed("m5.large", "a", monthLater)).isEmpty();
  }

  @Test
  void survivesAConfigMapRoundTripAndSkipsUnreadableEntries() {
    InterruptionHistory h = new InterruptionHistory();
    h.record("m5.large", "us-east-1a", 12, 3, NOW);
    h.record("e2-standard-4", null, 4, 0, NOW);
    Map<String, String> data = h.toData();
    assertThat(data).containsKeys("m5.large__us-east-1a", "e2-standard-4__any");
    assertThat(data.keySet()).allMatch(k -> k.matches("[-._a-zA-Z0-9]+"));
    Map<String, String> edited = new java.util.HashMap<>(data);
    edited.put("garbage", "x");
    edited.put("c5.large__us-east-1a", "one two three");
    InterruptionHistory back = InterruptionHistory.fromData(edited);
    assertThat(back.toData()).isEqualTo(data);
    assertThat(back.observed("m5.large", "us-east-1a", NOW).orElseThrow().interruptions()).isEqualTo(3.0);
  }

  @Test
  void refusesNegativeObservations() {
    assertThatThrownBy(() -> new InterruptionHistory().record("t", "z", -1, 0, NOW))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
  }
}
