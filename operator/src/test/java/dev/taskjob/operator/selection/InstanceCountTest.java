package dev.taskjob.operator.selection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InstanceCountTest {

  /** 4 vCPUs, 4 slots, $0.20/h. */
  private static final Candidate CANDIDATE = new Candidate(
      new InstanceType("m6i.xlarge", 4, 16, Architecture.X86_64, 0, 0, null, false, true, List.of(), 0.20, Map.of(),
          PriceSource.SNAPSHOT),
      false, 0.20, null, 4, 0.05, 0, 0, 10, PriceSource.SNAPSHOT);

  @ParameterizedTest(name = "remaining={0} min={1} max={2} budget={3} maxCpus={4} -> {5} ({6})")
  @CsvSource(nullValues = "-", value = {
      // remaining, minInstances, maxInstances, maxPricePerHour, maxTotalCpus, spent, expected, limitedBy
      "100, -, -, -, -, 0, 25, remainingTasks",
      "101, -, -, -, -, 0, 26, remainingTasks",
      "100, -, 10, -, -, 0, 10, maxInstances",
      "100, -, 10, 1.0, -, 0, 5, maxPricePerHour",
      "100, -, 10, 1.0, 12, 0, 3, maxTotalCpus",
      "100, -, 10, 1.1, -, 0, 5, maxPricePerHour",
      "3, -, 10, -, -, 0, 1, remainingTasks",
      "0, -, 10, -, -, 0, 0, remainingTasks",
      "0, 2, 10, -, -, 0, 2, minInstances",
      "100, 8, 10, 1.0, -, 0, 8, minInstances",
      "100, -, 10, 1.0, -, 0.6, 2, maxPricePerHour",
      "100, -, 10, 1.0, -, 5.0, 0, maxPricePerHour",
  })
  void countsInstancesFromRemainingTasksAndLimits(long remaining, Integer min, Integer max, Double budget,
      Integer maxCpus, double spent, int expected, String limitedBy) {
    InstanceConstraints constraints = InstanceConstraints.builder()
        .minInstances(min).maxInstances(max).maxPricePerHour(budget).maxTotalCpus(maxCpus).build();

    InstanceCount count = InstanceCount.of(constraints, CANDIDATE, remaining, spent);

    assertThat(count).isEqualTo(new InstanceCount(expected, limitedBy));
  }
}
