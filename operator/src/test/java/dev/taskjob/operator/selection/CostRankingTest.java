package dev.taskjob.operator.selection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PlacementScores;
import dev.taskjob.core.cloud.PriceSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CostRankingTest {

  private static final Instant NOW = Instant.parse("2026-03-01T00:00:00Z");

  private static InstanceType spot(String name, double onDemand, Map<String, Double> spot) {
    return new InstanceType(name, 2, 8, Architecture.X86_64, 0, 0, null, false, true, List.of(), onDemand, spot,
        PriceSource.SNAPSHOT);
  }

  private static Selection select(InstanceConstraints constraints, InstanceType... types) {
    return InstanceSelector.select(new InstanceCatalog("aws", "us-east-1", List.of(types), NOW), constraints);
  }

  private static final InstanceConstraints SPOT = InstanceConstraints.builder().spot(true).build();

  /** Two types: cheap (0.10/h in zone a) and steady (0.11/h in zone a); 2 slots each. */
  private static Selection twoTypes() {
    return select(SPOT, spot("cheap", 0.30, Map.of("a", 0.10)), spot("steady", 0.30, Map.of("a", 0.11)));
  }

  private static InterruptionHistory observed(String type, double interruptions, double hours) {
    InterruptionHistory h = new InterruptionHistory();
    h.record(type, "a", hours, (int) interruptions, NOW);
    return h;
  }

  static Stream<Arguments> choices() {
    InterruptionHistory cheapOften = observed("cheap", 8, 40);
    cheapOften.record("steady", "a", 50, 1, NOW);
    return Stream.of(
        Arguments.of("nothing known: the same prior for both, the cheaper price wins",
            twoTypes(), Duration.ofMinutes(30), new InterruptionHistory(), null, "cheap"),
        Arguments.of("observed 20%/h vs 2%/h with 30-minute tasks: 6% lost work does not pay for 10% dearer",
            twoTypes(), Duration.ofMinutes(30), cheapOften, null, "cheap"),
        Arguments.of("observed 20%/h vs 2%/h with 3-hour tasks: the steadier type wins",
            twoTypes(), Duration.ofHours(3), cheapOften, null, "steady"),
        Arguments.of("an observed rate below the minimum exposure is not used; the user's hint is",
            twoTypes(), Duration.ofHours(3), observed("cheap", 1, 1), 0.0, "cheap"),
        Arguments.of("a high user hint applies to every type alike: price decides",
            twoTypes(), Duration.ofHours(3), new InterruptionHistory(), 0.5, "cheap"),
        Arguments.of("on-demand, when allowed, beats spot interrupted often enough",
            select(InstanceConstraints.builder().spot(true).allowOnDemandFallback(true).build(),
                spot("cheap", 0.12, Map.of("a", 0.10))),
            Duration.ofHours(4), observed("cheap", 30, 40), null, "cheap on-demand"),
        Arguments.of("on-demand is not ranked when the job does not allow it",
            select(SPOT, spot("cheap", 0.12, Map.of("a", 0.10))),
            Duration.ofHours(4), observed("cheap", 30, 40), null, "cheap spot"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("choices")
  void picksTheLowestExpectedCostPerCompletedTask(String name, Selection selection, Duration task,
      InterruptionHistory history, Double hint, String expected) {
    CostRanking.Ranking ranking = CostRanking.rank(selection, SPOT, new CostRanking.Inputs(
        CostRanking.TaskDuration.of(null, 0, task), Duration.ofMinutes(3), history, hint, NOW));
    assertThat(ranking.best().offering()).startsWith(expected);
  }

  static Stream<Arguments> hours() {
    return Stream.of(
        Arguments.of(0.5, 0.0, 0.05, 0.5),
        Arguments.of(0.5, 0.2, 0.05, 0.5 * (1 + 0.2 * 0.30)),
        Arguments.of(3.0, 0.02, 0.05, 3.0 * (1 + 0.02 * 1.55)),
        Arguments.of(1.0, 1.0, 0.0, 1.5));
  }

  @ParameterizedTest(name = "T={0}h, rate={1}/h, relaunch={2}h")
  @MethodSource("hours")
  void expectedHoursAddHalfATaskAndTheRelaunchPerInterruption(double t, double rate, double relaunch, double want) {
    assertThat(CostRanking.hoursPerCompletedTask(t, rate, relaunch)).isCloseTo(want, org.assertj.core.data.Offset
        .offset(1e-12));
  }

  @Test
  void ranksEachZoneOfASpotTypeByItsOwnRate() {
    Selection selection = select(SPOT, spot("m", 0.30, Map.of("a", 0.10, "b", 0.105)));
    InterruptionHistory history = new InterruptionHistory();
    history.record("m", "a", 20, 10, NOW);
    history.record("m", "b", 20, 0, NOW);
    CostRanking.Ranking ranking = CostRanking.rank(selection, SPOT, new CostRanking.Inputs(
        CostRanking.TaskDuration.of(null, 0, Duration.ofHours(1)), Duration.ofMinutes(5), history, null, NOW));
    assertThat(ranking.ranked()).extracting(CostRanking.Ranked::offering).containsExactly("m spot in b", "m spot in a");
  }

  /**
   * Zone a is 5% cheaper but the cloud scores it 2/10 (30%/h), zone b 9/10 (2%/h): with 3-hour tasks b wins,
   * and the line in status says why. Without scores both get the prior and the cheaper zone wins; a type the
   * scored set did not include keeps the prior.
   */
  @Test
  void placementScoresRankTheZonesOfASpotType() {
    Selection selection = select(SPOT, spot("m", 0.30, Map.of("a", 0.10, "b", 0.105)),
        spot("other", 0.30, Map.of("a", 0.12)));
    PlacementScores scores = new PlacementScores(Set.of("m"), Map.of("a", 2, "b", 9), NOW);
    CostRanking.TaskDuration task = CostRanking.TaskDuration.of(null, 0, Duration.ofHours(3));

    CostRanking.Ranking scored = CostRanking.rank(selection, SPOT, new CostRanking.Inputs(task,
        CostRanking.DEFAULT_RELAUNCH, new InterruptionHistory(), null, NOW, scores));
    CostRanking.Ranking unscored = CostRanking.rank(selection, SPOT, new CostRanking.Inputs(task,
        CostRanking.DEFAULT_RELAUNCH, new InterruptionHistory(), null, NOW));

    assertThat(scored.ranked()).extracting(CostRanking.Ranked::offering)
        .containsExactly("m spot in b", "other spot in a", "m spot in a");
    assertThat(scored.why()).contains("2.0%/h from 9/10 placement score").contains("next other spot in a")
        .contains("5.0%/h default prior");
    assertThat(unscored.best().offering()).isEqualTo("m spot in a");
  }

  @Test
  void skipsZonesOutsideTheConstraints() {
    InstanceConstraints onlyB = InstanceConstraints.builder().spot(true).zones(List.of("b")).build();
    Selection selection = select(onlyB, spot("m", 0.30, Map.of("a", 0.10, "b", 0.105)));
    CostRanking.Ranking ranking = CostRanking.rank(selection, onlyB, new CostRanking.Inputs(
        CostRanking.TaskDuration.of(null, 0, null), CostRanking.DEFAULT_RELAUNCH, new InterruptionHistory(), null, NOW));
    assertThat(ranking.ranked()).extracting(CostRanking.Ranked::offering).containsExactly("m spot in b");
  }

  @Test
  void explainsTheChoiceInOneLineWithItsInputsAndTheRunnerUp() {
    InterruptionHistory history = observed("cheap", 8, 40);
    CostRanking.Ranking ranking = CostRanking.rank(twoTypes(), SPOT, new CostRanking.Inputs(
        CostRanking.TaskDuration.of(Duration.ofHours(3), 12, Duration.ofMinutes(30)), Duration.ofMinutes(3),
        history, null, NOW));
    assertThat(ranking.why()).isEqualTo("steady spot in a: $0.1778 per completed task ($0.0550/slot-hour x 3.23 h;"
        + " 3h tasks (mean of 12 finished); 5.0%/h default prior); next cheap spot in a $0.1933"
        + " (18.6%/h observed over 40 VM-hours)");
  }

  @Test
  void taskDurationComesFromTheLedgerThenTheSpecThenTheDefault() {
    assertThat(CostRanking.TaskDuration.of(Duration.ofMinutes(7), 3, Duration.ofMinutes(30)).source())
        .isEqualTo(CostRanking.TaskDuration.Source.LEDGER);
    assertThat(CostRanking.TaskDuration.of(null, 0, Duration.ofMinutes(30)).duration())
        .isEqualTo(Duration.ofMinutes(30));
    assertThat(CostRanking.TaskDuration.of(Duration.ZERO, 0, null).duration())
        .isEqualTo(CostRanking.DEFAULT_TASK_DURATION);
  }

  static Stream<Arguments> recordings() {
    Duration m30 = Duration.ofMinutes(30);
    return Stream.of(
        Arguments.of("nothing finished yet: keep the estimate", m30, 0L, null, 0L, false),
        Arguments.of("first finished task replaces the user's estimate", m30, 0L, Duration.ofMinutes(29), 1L, true),
        Arguments.of("no estimate at all: the first mean is recorded", null, 0L, Duration.ofMinutes(5), 1L, true),
        Arguments.of("a drift under a fifth is not worth a re-rank", m30, 10L, Duration.ofMinutes(35), 40L, false),
        Arguments.of("a move over a fifth is recorded", m30, 10L, Duration.ofMinutes(37), 40L, true),
        Arguments.of("shorter by over a fifth is recorded too", m30, 10L, Duration.ofMinutes(23), 40L, true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("recordings")
  void thePoolsTaskDurationFollowsTheLedgerWhenItMovesEnough(String name, Duration recorded, long recordedSamples,
      Duration measured, long samples, boolean expected) {
    assertThat(CostRanking.TaskDuration.worthRecording(recorded, recordedSamples, measured, samples))
        .isEqualTo(expected);
  }
}
