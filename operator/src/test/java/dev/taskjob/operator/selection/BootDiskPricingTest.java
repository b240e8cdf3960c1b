package dev.taskjob.operator.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.DiskPrice;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import dev.taskjob.operator.decision.BudgetLimit;
import dev.taskjob.operator.decision.CostMeter;
import dev.taskjob.operator.decision.PoolSizing;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The boot disk's price reaches the ranking, the hourly cap, the dollar budget and the bill. */
class BootDiskPricingTest {

  private static final DiskPrice GP3 = DiskPrice.perGiBMonth(0.08, 8, PriceSource.SNAPSHOT);
  private static final double GP3_PER_GIB_HOUR = 0.08 / 730;
  private static final Instant T = Instant.parse("2025-06-01T00:00:00Z");

  private static InstanceType type(String name, int vcpus, double onDemand) {
    return new InstanceType(name, vcpus, vcpus * 4.0, Architecture.X86_64, 0, 0, null, false, true, List.of(),
        onDemand, Map.of(), PriceSource.SNAPSHOT);
  }

  private static InstanceCatalog catalog(DiskPrice disk, InstanceType... types) {
    return new InstanceCatalog("aws", "us-east-1", List.of(types), T, disk);
  }

  @Test
  void theDiskMakesTheLargerTypeCheaperPerSlot() {
    // Per slot the one-vCPU type is cheaper (0.0100 < 0.01025), but each VM bills its own 100 GiB disk:
    // 0.0100 + 0.0110 per slot against (0.0205 + 0.0110) / 2.
    InstanceType one = type("one", 1, 0.0100);
    InstanceType two = type("two", 2, 0.0205);
    InstanceConstraints disk100 = InstanceConstraints.builder().bootDiskGiB(100).build();

    assertThat(InstanceSelector.select(catalog(DiskPrice.NONE, one, two), disk100).best().typeName()).isEqualTo("one");
    Candidate best = InstanceSelector.select(catalog(GP3, one, two), disk100).best();

    assertThat(best.typeName()).isEqualTo("two");
    assertThat(best.pricePerHour()).isCloseTo(0.0205 + 100 * GP3_PER_GIB_HOUR, within(1e-12));
    assertThat(best.pricePerSlot()).isCloseTo((0.0205 + 100 * GP3_PER_GIB_HOUR) / 2, within(1e-12));
    assertThat(best.price().describe()).isEqualTo("$0.0205/hour + disk 100 GiB $0.0110/hour");
  }

  @Test
  void spotOfferingsInEveryZoneCarryTheDisk() {
    InstanceType spot = type("s", 2, 0.10).withPrices(0.10, Map.of("z-a", 0.03, "z-b", 0.02), PriceSource.SNAPSHOT);
    InstanceConstraints c = InstanceConstraints.builder().spot(true).bootDiskGiB(50).build();
    CostRanking.Ranking ranking = CostRanking.rank(InstanceSelector.select(catalog(GP3, spot), c), c,
        new CostRanking.Inputs(CostRanking.TaskDuration.of(null, 0, Duration.ofHours(1)), CostRanking.DEFAULT_RELAUNCH,
            new InterruptionHistory(), 0.0, T));

    assertThat(ranking.ranked()).extracting(r -> r.candidate().zone()).containsExactly("z-b", "z-a");
    assertThat(ranking.ranked()).extracting(r -> r.candidate().pricePerHour())
        .containsExactly(0.02 + 50 * GP3_PER_GIB_HOUR, 0.03 + 50 * GP3_PER_GIB_HOUR);
  }

  @Test
  void maxPricePerHourCountsTheDisk() {
    InstanceType m6i = type("m6i.large", 2, 0.096);
    InstanceConstraints capped = InstanceConstraints.builder().bootDiskGiB(100).maxPricePerHour(0.1).build();

    assertThat(InstanceSelector.select(catalog(DiskPrice.NONE, m6i), capped).best().typeName()).isEqualTo("m6i.large");
    assertThatThrownBy(() -> InstanceSelector.select(catalog(GP3, m6i), capped))
        .isInstanceOf(NoMatchingInstanceTypeException.class)
        .hasMessageContaining("maxPricePerHour");
    Candidate best = InstanceSelector.select(catalog(GP3, m6i), InstanceConstraints.builder().bootDiskGiB(100)
        .build()).best();
    PoolSizing.Sizing sized = PoolSizing.size(1000, best.slots(), best.type().vcpus(), best.pricePerHour(),
        new PoolSizing.Budget(0, 100, null, 0.5));
    assertThat(sized.instances()).as("0.5 / (0.096 + 0.011) = 4.67").isEqualTo(4);
  }

  @Test
  void theDollarBudgetBurnsTheDiskToo() {
    InstanceType m6i = type("m6i.large", 2, 0.096);
    InstanceConstraints disk100 = InstanceConstraints.builder().bootDiskGiB(100).build();
    // Over a look of an hour plus a minute, $0.60 pays for 6 VMs at $0.096/hour but 5 with their disks.
    BudgetLimit.Result withoutDisk = budget(InstanceSelector.select(catalog(DiskPrice.NONE, m6i), disk100).best());
    BudgetLimit.Result withDisk = budget(InstanceSelector.select(catalog(GP3, m6i), disk100).best());

    assertThat(withoutDisk.instances()).isEqualTo(6);
    assertThat(withDisk.instances()).isEqualTo(5);
    assertThat(withDisk.verdict()).isEqualTo(BudgetLimit.Verdict.LIMITED);
  }

  private static BudgetLimit.Result budget(Candidate c) {
    return BudgetLimit.decide(new BudgetLimit.Inputs(0.60, 0, c.pricePerHour(), 10, Duration.ofHours(1),
        Duration.ZERO));
  }

  @Test
  void theBillCoversTheDiskFromLaunchToEndWithTheMinimum() {
    Candidate c = InstanceSelector.select(catalog(GP3, type("m6i.large", 2, 0.096)),
        InstanceConstraints.builder().bootDiskGiB(4).build()).best();
    double perHour = 0.096 + 8 * GP3_PER_GIB_HOUR; // a 4 GiB request is created, and billed, at EC2's 8

    double halfHour = CostMeter.billed(new CostMeter.VmLife(T, T.plusSeconds(1800), c.pricePerHour()),
        CostMeter.Billing.EC2, T.plusSeconds(3600));
    double tenSeconds = CostMeter.billed(new CostMeter.VmLife(T, T.plusSeconds(10), c.pricePerHour()),
        CostMeter.Billing.EC2, T.plusSeconds(3600));

    assertThat(c.price().diskGiB()).isEqualTo(8);
    assertThat(halfHour).isCloseTo(perHour / 2, within(1e-12));
    assertThat(tenSeconds).as("EC2's 60 s minimum").isCloseTo(perHour / 60, within(1e-12));
  }
}
