package dev.taskjob.core.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.taskjob.core.Json;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ElapsedTimeStatsTest {

  @Test
  void percentilesAreWithinOnePercentOfExact() {
    Random random = new Random(42);
    double[] values = new double[20_000];
    ElapsedTimeStats stats = new ElapsedTimeStats();
    for (int i = 0; i < values.length; i++) {
      values[i] = 0.05 + random.nextDouble() * random.nextDouble() * 30;
      stats.record(values[i]);
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    for (double p : new double[] {50, 90, 95}) {
      double exact = sorted[(int) Math.ceil(p / 100 * sorted.length) - 1];
      assertThat(stats.percentile(p)).as("p%s", p).isCloseTo(exact, within(exact * 0.011));
    }
    assertThat(stats.min()).isEqualTo(sorted[0]);
    assertThat(stats.max()).isEqualTo(sorted[sorted.length - 1]);
    assertThat(stats.mean()).isCloseTo(Arrays.stream(values).average().orElseThrow(), within(1e-9));
  }

  @Test
  void mergedStatsEqualStatsOfAllValues() {
    ElapsedTimeStats a = new ElapsedTimeStats();
    ElapsedTimeStats b = new ElapsedTimeStats();
    ElapsedTimeStats all = new ElapsedTimeStats();
    for (int i = 1; i <= 1000; i++) {
      (i % 3 == 0 ? a : b).record(i / 100.0);
      all.record(i / 100.0);
    }
    a.merge(b);
    assertThat(a.count()).isEqualTo(1000);
    assertThat(a.median()).isEqualTo(all.median());
    assertThat(a.standardDeviation()).isCloseTo(all.standardDeviation(), within(1e-9));
  }

  @Test
  void snapshotRoundTripsThroughJson() throws Exception {
    ElapsedTimeStats stats = new ElapsedTimeStats();
    for (double v : new double[] {0.0, 0.0004, 1.0, 1.2, 19.36}) {
      stats.record(v);
    }
    String json = Json.MAPPER.writeValueAsString(stats.snapshot());
    ElapsedTimeStats back = ElapsedTimeStats.fromSnapshot(Json.MAPPER.readValue(json, ElapsedTimeStats.Snapshot.class));
    assertThat(back.count()).isEqualTo(5);
    assertThat(back.percentile(90)).isEqualTo(stats.percentile(90));
    assertThat(back.format("  ")).isEqualTo(stats.format("  "));
  }

  @Test
  void formatsLikeTheMonitorOutputUsersKnow() {
    ElapsedTimeStats stats = new ElapsedTimeStats();
    stats.record(1.10);
    stats.record(2.54);
    assertThat(stats.format("  ")).contains("  Elapsed time statistics:", "Range:  1.10 to 2.54 seconds",
        "Mean:   1.82 +/- 0.72 seconds", "Median:", "90th %:", "95th %:");
  }

  @Test
  void emptyStatsSayNothingFinished() {
    assertThat(new ElapsedTimeStats().format("")).contains("no tasks finished");
    assertThat(new ElapsedTimeStats().percentile(50)).isZero();
  }

  @Test
  void bucketCountsForHistogramsAddUpAndSitWithinOnePercentOfTheTimes() {
    ElapsedTimeStats stats = new ElapsedTimeStats();
    stats.record(1.0);
    stats.record(1.0);
    stats.record(5.0);

    java.util.NavigableMap<Double, Long> counts = stats.countsByBucketMidpoint();

    assertThat(counts.values()).containsExactly(2L, 1L);
    assertThat(counts.firstKey()).isCloseTo(1.0, within(0.01));
    assertThat(counts.lastKey()).isCloseTo(5.0, within(0.05));
  }
}
