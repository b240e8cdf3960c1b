package dev.taskjob.core.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VmPriceTest {

  private static final InstanceType M6I = new InstanceType("m6i.large", 2, 8, Architecture.X86_64, 0, 0, null, false,
      true, List.of("us-east-1a", "us-east-1b"), 0.096, Map.of("us-east-1a", 0.04, "us-east-1b", 0.03),
      PriceSource.SNAPSHOT);
  private static final InstanceType NO_PRICES = new InstanceType("x.large", 2, 8, Architecture.X86_64, 0, 0, null,
      false, true, List.of(), null, Map.of(), PriceSource.SNAPSHOT);

  private static InstanceCatalog catalog(double diskPerGiBMonth, int minimumGiB) {
    return new InstanceCatalog("aws", "us-east-1", List.of(M6I, NO_PRICES), Instant.EPOCH,
        DiskPrice.perGiBMonth(diskPerGiBMonth, minimumGiB, PriceSource.SNAPSHOT));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # case                                        | $/GiB-mo | min | GiB | zone       | spot  | instance | billed GiB | total $/h
      on demand with a 10 GiB gp3 disk              | 0.08     | 8   | 10  | -          | false | 0.096    | 10         | 0.0970958904
      spot in its zone                              | 0.08     | 8   | 10  | us-east-1a | true  | 0.04     | 10         | 0.0410958904
      spot without a zone: the cheapest zone        | 0.08     | 8   | 10  | -          | true  | 0.03     | 10         | 0.0310958904
      below the provider's minimum: the minimum     | 0.10     | 10  | 4   | -          | false | 0.096    | 10         | 0.0973698630
      a large disk can outweigh the instance        | 0.10     | 10  | 730 | us-east-1b | true  | 0.03     | 730        | 0.13
      no disk price: the instance alone             | 0        | 0   | 10  | -          | false | 0.096    | 10         | 0.096
      """)
  void pricesAVmWithItsBootDisk(String name, double perGiBMonth, int minimum, int gib, String zone, boolean spot,
      double instance, int billedGiB, double total) {
    VmPrice price = VmPrice.of(catalog(perGiBMonth, minimum), M6I, gib, zone, spot).orElseThrow();

    assertThat(price.instancePerHour()).isEqualTo(instance);
    assertThat(price.diskGiB()).isEqualTo(billedGiB);
    assertThat(price.diskPerHour()).isCloseTo(billedGiB * perGiBMonth / 730, within(1e-12));
    assertThat(price.perHour()).isCloseTo(total, within(1e-9));
  }

  @Test
  void noInstancePriceNoVmPrice() {
    assertThat(VmPrice.of(catalog(0.08, 8), NO_PRICES, 10, null, false)).isEmpty();
    assertThat(VmPrice.of(catalog(0.08, 8), NO_PRICES, 10, null, true)).isEmpty();
    assertThat(VmPrice.of(catalog(0.08, 8), M6I, 10, "us-east-1c", true)).as("a zone without a spot price").isEmpty();
  }

  @Test
  void anotherZoneKeepsTheDisk() {
    VmPrice a = VmPrice.of(catalog(0.08, 8), M6I, 20, "us-east-1a", true).orElseThrow();

    VmPrice b = a.withInstancePrice(0.03);

    assertThat(b.diskPerHour()).isEqualTo(a.diskPerHour());
    assertThat(b.perHour()).isCloseTo(0.03 + 20 * 0.08 / 730, within(1e-12));
  }

  @Test
  void describesTheDiskPart() {
    assertThat(VmPrice.of(catalog(0.08, 8), M6I, 10, null, false).orElseThrow().describe())
        .isEqualTo("$0.0960/hour + disk 10 GiB $0.0011/hour");
    assertThat(VmPrice.of(catalog(0, 0), M6I, 10, null, false).orElseThrow().describe()).isEqualTo("$0.0960/hour");
  }

  @Test
  void refusesANegativeDiskPrice() {
    assertThatThrownBy(() -> new DiskPrice(-1, 0, PriceSource.API)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DiskPrice(0.001, -1, PriceSource.API)).isInstanceOf(IllegalArgumentException.class);
  }
}
