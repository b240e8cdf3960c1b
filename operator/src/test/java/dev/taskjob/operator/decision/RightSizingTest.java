package dev.taskjob.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import dev.taskjob.operator.selection.InstanceConstraints;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class RightSizingTest {

  private static final double MARGIN = RightSizing.DEFAULT_MARGIN;

  private static RightSizing.Inputs inputs(double cpus, Double memoryGiB, long measured, double memP99, double memMax,
      double coresP99, double coresMax) {
    return new RightSizing.Inputs(cpus, memoryGiB,
        new RightSizing.Usage(measured, memP99, memMax, coresP99, coresMax), 20, MARGIN);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // name, inputs, expected cpus (or null: no suggestion), expected memory GiB
        Arguments.of("too few tasks measured", inputs(1, 8.0, 19, 1900, 2000, 0.9, 0.95), null, null),
        Arguments.of("a quarter of the memory: p99 plus 25%, rounded up to 1/8 GiB",
            inputs(1, 8.0, 20, 1900, 2000, 0.9, 0.95), 1.0, 2.375),
        Arguments.of("never below the largest use seen", inputs(1, 8.0, 100, 1000, 2000, 0.9, 0.95), 1.0, 2.0),
        Arguments.of("never above what the job asks for", inputs(1, 8.0, 100, 9000, 9500, 2.0, 3.0), 1.0, 8.0),
        Arguments.of("tasks not sized by memory: memory still suggested", inputs(2, null, 30, 500, 510, 1.0, 1.1),
            1.25, 0.625),
        Arguments.of("mostly idle tasks: cores from the largest, at least a quarter core",
            inputs(2, 4.0, 30, 100, 100, 0.1, 0.2), 0.25, 0.125),
        Arguments.of("busy tasks keep their cores", inputs(4, 4.0, 30, 3000, 3100, 3.9, 4.0), 4.0, 3.75));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void suggestsATaskSizeFromWhatTasksUsed(String name, RightSizing.Inputs in, Double cpus, Double memoryGiB) {
    Optional<RightSizing.Suggestion> s = RightSizing.suggest(in);
    if (cpus == null) {
      assertThat(s).isEmpty();
      return;
    }
    assertThat(s).hasValue(new RightSizing.Suggestion(cpus, memoryGiB));
    assertThat(s.get().memoryPerTaskGiB() * 1024).isGreaterThanOrEqualTo(
        Math.min(in.usage().memoryMiBMax(), in.memoryPerTaskGiB() == null ? Double.MAX_VALUE : in.memoryPerTaskGiB() * 1024));
  }

  private static InstanceType type(String name, int vcpus, double memory, double price) {
    return new InstanceType(name, vcpus, memory, Architecture.X86_64, 0, 0, null, false, true, List.of(), price,
        Map.of(), PriceSource.SNAPSHOT);
  }

  private static final InstanceCatalog CATALOG = new InstanceCatalog("aws", "us-east-1", List.of(
      type("m.xlarge", 4, 16, 0.20), type("r.large", 2, 16, 0.13), type("c.xlarge", 4, 8, 0.17)),
      Instant.parse("2026-01-01T00:00:00Z"));

  @Test
  void theSavingIsWhatTheSelectionMakesOfTheSmallerTask() {
    InstanceConstraints asked = InstanceConstraints.builder().cpusPerTask(1).memoryPerTaskGiB(8.0).build();

    RightSizing.Saving saving = RightSizing.saving(CATALOG, asked, new RightSizing.Suggestion(1, 2.0)).orElseThrow();

    assertThat(saving.current().typeName()).isEqualTo("r.large"); // 2 slots of 8 GiB at 0.065 per slot
    assertThat(saving.current().slots()).isEqualTo(2);
    assertThat(saving.suggested().typeName()).isEqualTo("c.xlarge"); // 4 slots at 0.0425 per slot
    assertThat(saving.suggested().slots()).isEqualTo(4);
    assertThat(saving.fraction()).isCloseTo(1 - 0.0425 / 0.065, within(1e-9));
    assertThat(RightSizing.describe(new RightSizing.Suggestion(1, 2.0),
        new RightSizing.Usage(40, 1500, 1600, 0.8, 0.9), saving))
        .isEqualTo("cpusPerTask 1, memoryPerTaskGiB 2 (from 40 tasks: peak memory p99 1500 MiB, max 1600 MiB;"
            + " cores p99 0.80); c.xlarge x4 instead of r.large x2, 35% less per task");
  }

  @Test
  void noSavingWhenTheTaskAlreadyFitsItsSize() {
    InstanceConstraints asked = InstanceConstraints.builder().cpusPerTask(1).memoryPerTaskGiB(2.0).build();

    RightSizing.Saving saving = RightSizing.saving(CATALOG, asked, new RightSizing.Suggestion(1, 2.0)).orElseThrow();

    assertThat(saving.fraction()).isZero();
    assertThat(RightSizing.describe(new RightSizing.Suggestion(1, 2.0),
        new RightSizing.Usage(40, 1500, 1600, 0.8, 0.9), saving))
        .isEqualTo("cpusPerTask 1, memoryPerTaskGiB 2 (from 40 tasks: peak memory p99 1500 MiB, max 1600 MiB;"
            + " cores p99 0.80); no type is cheaper per task than c.xlarge x4");
  }
}
