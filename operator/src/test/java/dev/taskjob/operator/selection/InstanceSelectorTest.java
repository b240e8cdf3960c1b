package dev.taskjob.operator.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InstanceSelectorTest {

  private static InstanceType type(String name, int vcpus, double memory, double onDemand) {
    return new InstanceType(name, vcpus, memory, Architecture.X86_64, 0, 0, null, false, true, List.of(),
        onDemand, Map.of(), PriceSource.SNAPSHOT);
  }

  private static InstanceType spotType(String name, int vcpus, double memory, double onDemand, Map<String, Double> spot) {
    return type(name, vcpus, memory, onDemand).withPrices(onDemand, spot, PriceSource.SNAPSHOT);
  }

  private static InstanceCatalog catalog(InstanceType... types) {
    return new InstanceCatalog("aws", "us-east-1", List.of(types), Instant.parse("2025-06-01T00:00:00Z"));
  }

  private static InstanceConstraints constraints(UnaryOperator<InstanceConstraints.Builder> settings) {
    return settings.apply(InstanceConstraints.builder()).build();
  }

  static Stream<Arguments> picks() {
    InstanceType arm = new InstanceType("m7g.large", 2, 8, Architecture.ARM64, 0, 0, null, false, true, List.of(),
        0.0816, Map.of(), PriceSource.SNAPSHOT);
    InstanceType metal = new InstanceType("m5.metal", 96, 384, Architecture.X86_64, 0, 0, null, true, true,
        List.of(), 1.0, Map.of(), PriceSource.SNAPSHOT);
    InstanceType ssd = new InstanceType("m5d.large", 2, 8, Architecture.X86_64, 75, 0, null, false, true,
        List.of(), 0.113, Map.of(), PriceSource.SNAPSHOT);
    InstanceType burstable = new InstanceType("t4g.large", 2, 8, Architecture.ARM64, 0, 0, null, false, true,
        List.of(), 0.0672, Map.of(), PriceSource.SNAPSHOT, true);
    InstanceType gpu = new InstanceType("g4dn.xlarge", 4, 16, Architecture.X86_64, 125, 1, "T4", false, true,
        List.of(), 0.526, Map.of(), PriceSource.SNAPSHOT);
    return Stream.of(
        Arguments.of("cheapest per slot wins over cheapest per instance",
            catalog(type("small", 2, 8, 0.10), type("big", 4, 16, 0.18)), constraints(b -> b), "big", 4),
        Arguments.of("equal price per slot: fewer wasted vCPUs wins",
            catalog(type("four", 4, 16, 0.10), type("three", 3, 12, 0.10)), constraints(b -> b.cpusPerTask(3)),
            "three", 1),
        Arguments.of("equal price per slot and no waste: more slots per instance wins",
            catalog(type("a-small", 2, 8, 0.10), type("b-big", 4, 16, 0.20)), constraints(b -> b), "b-big", 4),
        Arguments.of("equal everything: the name decides, so the order is stable",
            catalog(type("zeta", 2, 8, 0.10), type("alpha", 2, 8, 0.10)), constraints(b -> b), "alpha", 2),
        Arguments.of("memory-bound slots: the memory-rich type fits more tasks",
            catalog(type("c-compute", 4, 8, 0.10), type("r-memory", 2, 16, 0.13)),
            constraints(b -> b.memoryPerTaskGiB(8.0)), "r-memory", 2),
        Arguments.of("fractional cpus per task",
            catalog(type("one", 1, 4, 0.05), type("two", 2, 8, 0.09)), constraints(b -> b.cpusPerTask(0.5)),
            "two", 4),
        Arguments.of("type globs restrict names",
            catalog(type("m6i.large", 2, 8, 0.096), type("c6i.large", 2, 4, 0.085)),
            constraints(b -> b.typeGlobs("m6*")), "m6i.large", 2),
        Arguments.of("architecture",
            catalog(type("m6i.large", 2, 8, 0.096), arm), constraints(b -> b.architecture(Architecture.X86_64)),
            "m6i.large", 2),
        Arguments.of("arm is picked when cheaper and allowed",
            catalog(type("m6i.large", 2, 8, 0.096), arm), constraints(b -> b), "m7g.large", 2),
        Arguments.of("bare metal is skipped unless asked for",
            catalog(type("m5.large", 2, 8, 0.096), metal), constraints(b -> b), "m5.large", 2),
        Arguments.of("bare metal when asked for",
            catalog(type("m5.large", 2, 8, 0.096), metal), constraints(b -> b.includeBareMetal(true)), "m5.metal", 96),
        Arguments.of("burstable types are skipped unless asked for",
            catalog(type("m7g.large", 2, 8, 0.0816), burstable), constraints(b -> b), "m7g.large", 2),
        Arguments.of("burstable types when asked for",
            catalog(type("m7g.large", 2, 8, 0.0816), burstable), constraints(b -> b.includeBurstable(true)),
            "t4g.large", 2),
        Arguments.of("min and max vCPUs",
            catalog(type("two", 2, 8, 0.08), type("eight", 8, 32, 0.30), type("sixteen", 16, 64, 0.70)),
            constraints(b -> b.minCpus(4).maxCpus(8)), "eight", 8),
        Arguments.of("min and max memory",
            catalog(type("m8", 2, 8, 0.08), type("m16", 4, 16, 0.20), type("m32", 8, 32, 0.30)),
            constraints(b -> b.minMemoryGiB(10.0).maxMemoryGiB(20.0)), "m16", 4),
        Arguments.of("memory per vCPU",
            catalog(type("c", 2, 4, 0.08), type("m", 2, 8, 0.09), type("r", 2, 16, 0.12)),
            constraints(b -> b.minMemoryPerCpuGiB(3.0).maxMemoryPerCpuGiB(5.0)), "m", 2),
        Arguments.of("local SSD", catalog(type("m5.large", 2, 8, 0.096), ssd),
            constraints(b -> b.minLocalSsdGiB(50.0)), "m5d.large", 2),
        Arguments.of("GPUs", catalog(type("m5.xlarge", 4, 16, 0.192), gpu), constraints(b -> b.minGpus(1)),
            "g4dn.xlarge", 4),
        Arguments.of("a fixed simultaneousTasks prices the instance by those slots",
            catalog(type("two", 2, 8, 0.08), type("four", 4, 16, 0.15)), constraints(b -> b.simultaneousTasks(2)),
            "two", 2),
        Arguments.of("a fixed boot disk limits slots by disk per task",
            catalog(type("two", 2, 8, 0.10), type("eight", 8, 32, 0.36)),
            constraints(b -> b.bootDiskGiB(30).bootDiskPerTaskGiB(10.0)), "two", 2),
        Arguments.of("a type priced above the budget is skipped",
            catalog(type("two", 2, 8, 0.10), type("big", 64, 256, 3.00)),
            constraints(b -> b.maxPricePerHour(1.0)), "two", 2),
        Arguments.of("a type bigger than maxTotalCpus is skipped",
            catalog(type("two", 2, 8, 0.10), type("big", 64, 256, 3.00)),
            constraints(b -> b.maxTotalCpus(16)), "two", 2));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("picks")
  void picksCheapestTypePerTaskSlot(String description, InstanceCatalog catalog, InstanceConstraints constraints,
      String expectedType, int expectedSlots) {
    Candidate best = InstanceSelector.select(catalog, constraints).best();

    assertThat(best.typeName()).isEqualTo(expectedType);
    assertThat(best.slots()).isEqualTo(expectedSlots);
    assertThat(best.pricePerSlot()).isEqualTo(best.pricePerHour() / best.slots());
  }

  @Test
  void ranksEveryMatchingTypeAndExplainsEachExcludedOne() {
    Selection selection = InstanceSelector.select(
        catalog(type("two", 2, 8, 0.10), type("four", 4, 16, 0.18), type("sixteen", 16, 64, 0.90)),
        constraints(b -> b.maxCpus(8)));

    assertThat(selection.ranked()).extracting(Candidate::typeName).containsExactly("four", "two");
    assertThat(selection.excluded()).singleElement().satisfies(e -> {
      assertThat(e.typeName()).isEqualTo("sixteen");
      assertThat(e.constraints()).containsExactly("maxCpus");
      assertThat(e.reason()).isEqualTo("16 vCPUs > maxCpus 8");
    });
  }

  @Test
  void neverChoosesSpotPricedAboveOnDemand() {
    Selection selection = InstanceSelector.select(
        catalog(spotType("odd", 4, 16, 0.10, Map.of("us-east-1a", 0.12)),
            spotType("normal", 4, 16, 0.20, Map.of("us-east-1a", 0.13))),
        constraints(b -> b.spot(true)));

    assertThat(selection.best().typeName()).isEqualTo("normal");
    assertThat(selection.best().spot()).isTrue();
    assertThat(selection.excluded()).singleElement().satisfies(e -> {
      assertThat(e.typeName()).isEqualTo("odd");
      assertThat(e.reason()).isEqualTo("spot price $0.1200 above on-demand $0.1000");
    });
  }

  @Test
  void pricesSpotInTheCheapestAllowedZone() {
    InstanceType t = spotType("m6i.large", 2, 8, 0.096,
        Map.of("us-east-1a", 0.030, "us-east-1b", 0.025, "us-east-1c", 0.040));

    Candidate anyZone = InstanceSelector.select(catalog(t), constraints(b -> b.spot(true))).best();
    Candidate restricted = InstanceSelector.select(catalog(t),
        constraints(b -> b.spot(true).zones(List.of("us-east-1a", "us-east-1c")))).best();

    assertThat(anyZone.zone()).isEqualTo("us-east-1b");
    assertThat(anyZone.pricePerHour()).isEqualTo(0.025);
    assertThat(restricted.zone()).isEqualTo("us-east-1a");
    assertThat(restricted.pricePerHour()).isEqualTo(0.030);
  }

  @Test
  void spotWithoutFallbackNeverOffersOnDemand() {
    InstanceType noSpot = type("onlyOnDemand", 2, 8, 0.05).withPrices(0.05, Map.of(), PriceSource.SNAPSHOT);
    InstanceType spot = spotType("spotty", 2, 8, 0.10, Map.of("z", 0.08));

    Selection strict = InstanceSelector.select(catalog(noSpot, spot), constraints(b -> b.spot(true)));
    Selection lenient = InstanceSelector.select(catalog(noSpot, spot),
        constraints(b -> b.spot(true).allowOnDemandFallback(true)));

    assertThat(strict.ranked()).extracting(Candidate::typeName, Candidate::spot)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("spotty", true));
    assertThat(lenient.ranked()).extracting(Candidate::typeName, Candidate::spot).containsExactly(
        org.assertj.core.groups.Tuple.tuple("spotty", true),
        org.assertj.core.groups.Tuple.tuple("onlyOnDemand", false),
        org.assertj.core.groups.Tuple.tuple("spotty", false));
  }

  @Test
  void derivesBootDiskFromBasePerCpuAndPerTask() {
    Candidate best = InstanceSelector.select(catalog(type("four", 4, 16, 0.2)),
        constraints(b -> b.bootDiskBaseGiB(8.0).bootDiskPerCpuGiB(1.0).bootDiskPerTaskGiB(2.5))).best();

    assertThat(best.bootDiskGiB()).isEqualTo(8 + 4 + 10);
  }

  static Stream<Arguments> nothingMatches() {
    InstanceCatalog catalog = catalog(type("m6i.large", 2, 8, 0.096), type("m6i.xlarge", 4, 16, 0.192),
        type("r6i.large", 2, 16, 0.126));
    return Stream.of(
        Arguments.of(catalog, constraints(b -> b.minCpus(64)), "minCpus", "relaxing it alone would admit 3 types"),
        Arguments.of(catalog, constraints(b -> b.typeGlobs("c7*")), "types", "e.g. m6i.large (name matches none of [c7*])"),
        Arguments.of(catalog, constraints(b -> b.memoryPerTaskGiB(32.0)), "memoryPerTaskGiB",
            "m6i.large (8 GiB fit no task of 32 GiB)"),
        Arguments.of(catalog, constraints(b -> b.maxPricePerHour(0.05)), "maxPricePerHour",
            "$0.0960/h > maxPricePerHour $0.0500"),
        Arguments.of(catalog, constraints(b -> b.architecture(Architecture.ARM64).minCpus(4)), "architecture",
            "relaxing it alone would admit 1 types"),
        Arguments.of(catalog, constraints(b -> b.architecture(Architecture.ARM64).minCpus(8)), "architecture",
            "which excludes 3 of them; no single constraint's relaxation admits a type"));
  }

  @ParameterizedTest
  @MethodSource("nothingMatches")
  void nothingMatchingNamesTheTightestConstraint(InstanceCatalog catalog, InstanceConstraints constraints,
      String tightest, String messagePart) {
    assertThatThrownBy(() -> InstanceSelector.select(catalog, constraints))
        .isInstanceOfSatisfying(NoMatchingInstanceTypeException.class, e -> {
          assertThat(e.tightestConstraint()).isEqualTo(tightest);
          assertThat(e.getMessage())
              .startsWith("no instance type in aws us-east-1 meets the constraints (3 types checked); "
                  + "tightest constraint: " + tightest)
              .contains(messagePart);
          assertThat(e.exclusions()).hasSize(3);
        });
  }

  @Test
  void emptyCatalogSaysSo() {
    assertThatThrownBy(() -> InstanceSelector.select(catalog(), constraints(b -> b)))
        .isInstanceOf(NoMatchingInstanceTypeException.class)
        .hasMessage("the aws us-east-1 catalog has no instance types");
  }

  static Stream<Arguments> badConstraints() {
    return Stream.of(
        Arguments.of((UnaryOperator<InstanceConstraints.Builder>) b -> b.minCpus(8).maxCpus(4),
            "minCpus (8) must not exceed maxCpus (4)"),
        Arguments.of((UnaryOperator<InstanceConstraints.Builder>) b -> b.cpusPerTask(-1),
            "cpusPerTask must be a positive number, got -1.0"),
        Arguments.of((UnaryOperator<InstanceConstraints.Builder>) b -> b.memoryPerTaskGiB(0.0),
            "memoryPerTaskGiB must be positive, got 0.0"),
        Arguments.of((UnaryOperator<InstanceConstraints.Builder>) b -> b.minInstances(5).maxInstances(2),
            "minInstances (5) must not exceed maxInstances (2)"),
        Arguments.of((UnaryOperator<InstanceConstraints.Builder>) b -> b.maxPricePerHour(-1.0),
            "maxPricePerHour must not be negative, got -1.0"),
        Arguments.of((UnaryOperator<InstanceConstraints.Builder>) b -> b.typeGlobs(" "),
            "types: a type-name glob must not be empty"));
  }

  @ParameterizedTest
  @MethodSource("badConstraints")
  void refusesInconsistentConstraintsNamingTheField(UnaryOperator<InstanceConstraints.Builder> settings,
      String message) {
    assertThatThrownBy(() -> constraints(settings)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }
}
