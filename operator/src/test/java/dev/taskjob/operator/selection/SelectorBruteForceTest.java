package dev.taskjob.operator.selection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.provider.aws.AwsPriceSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the selector's pick against an exhaustive search over the whole bundled AWS catalog: for many
 * constraint combinations, no eligible type runs a task slot (its VM with its boot disk) for less.
 */
class SelectorBruteForceTest {

  private static final InstanceCatalog CATALOG = AwsPriceSnapshot.load().catalog("us-east-1");

  static Stream<Arguments> constraintSets() {
    List<Arguments> sets = new ArrayList<>();
    for (double cpusPerTask : new double[] {0.5, 1, 2, 3, 4, 16}) {
      for (Double memoryPerTask : new Double[] {null, 0.75, 2.0, 8.0, 30.0}) {
        for (boolean spot : new boolean[] {false, true}) {
          for (Architecture arch : new Architecture[] {null, Architecture.ARM64, Architecture.X86_64}) {
            sets.add(Arguments.of(cpusPerTask, memoryPerTask, spot, arch));
          }
        }
      }
    }
    return sets.stream();
  }

  @ParameterizedTest(name = "cpus/task={0} mem/task={1} spot={2} arch={3}")
  @MethodSource("constraintSets")
  void pickIsTheTrueMinimumPricePerSlot(double cpusPerTask, Double memoryPerTask, boolean spot, Architecture arch) {
    InstanceConstraints constraints = InstanceConstraints.builder().cpusPerTask(cpusPerTask)
        .memoryPerTaskGiB(memoryPerTask).spot(spot).architecture(arch).build();

    Selection selection = InstanceSelector.select(CATALOG, constraints);

    double bruteForceMinimum = Double.MAX_VALUE;
    for (InstanceType t : CATALOG.types()) {
      if (t.bareMetal() || t.burstable() || (arch != null && t.architecture() != arch)) {
        continue;
      }
      int slots = (int) Math.floor(t.vcpus() / cpusPerTask + 1e-9);
      if (memoryPerTask != null) {
        slots = Math.min(slots, (int) Math.floor(t.memoryGiB() / memoryPerTask + 1e-9));
      }
      Double price = spot ? t.cheapestSpotPrice(List.of()) : t.onDemandPrice();
      if (slots == 0 || price == null || (spot && t.onDemandPrice() != null && price > t.onDemandPrice())) {
        continue;
      }
      // Each VM bills its default 10 GiB boot disk at the snapshot's gp3 price as well.
      double disk = InstanceConstraints.DEFAULT_BOOT_DISK_BASE_GIB * CATALOG.bootDisk().usdPerGiBHour();
      bruteForceMinimum = Math.min(bruteForceMinimum, (price + disk) / slots);
    }
    assertThat(selection.best().pricePerSlot()).isCloseTo(bruteForceMinimum, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(selection.ranked()).extracting(Candidate::pricePerSlot)
        .isSortedAccordingTo((a, b) -> Long.compare(Math.round(a * 1e9), Math.round(b * 1e9)));
    assertThat(selection.ranked().size() + selection.excluded().size()).isEqualTo(CATALOG.types().size());
  }
}
