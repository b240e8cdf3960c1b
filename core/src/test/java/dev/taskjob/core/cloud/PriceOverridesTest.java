package dev.taskjob.core.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PriceOverridesTest {

  private static final InstanceCatalog CATALOG = new InstanceCatalog("aws", "us-east-1", List.of(
      new InstanceType("m6i.large", 2, 8, Architecture.X86_64, 0, 0, null, false, true,
          List.of("us-east-1a", "us-east-1b"), 0.096, Map.of("us-east-1a", 0.04, "us-east-1b", 0.05), PriceSource.API),
      new InstanceType("c6i.large", 2, 4, Architecture.X86_64, 0, 0, null, false, true,
          List.of("us-east-1a"), 0.085, Map.of("us-east-1a", 0.03), PriceSource.API)),
      Instant.EPOCH);

  @Test
  void replacesListedPricesAndMarksThemOverridden() {
    InstanceCatalog overridden = PriceOverrides.parse(Map.of(
        "m6i.large", "0.08", "m6i.large.spot", "0.02", "m6i.large.spot.us-east-1b", "0.01")).apply(CATALOG);

    InstanceType m6i = overridden.find("m6i.large").orElseThrow();
    assertThat(m6i.onDemandPrice()).isEqualTo(0.08);
    assertThat(m6i.spotPrices()).isEqualTo(Map.of("us-east-1a", 0.02, "us-east-1b", 0.01));
    assertThat(m6i.priceSource()).isEqualTo(PriceSource.OVERRIDE);
    assertThat(overridden.find("c6i.large").orElseThrow()).isEqualTo(CATALOG.find("c6i.large").orElseThrow());
  }

  @Test
  void discountsApplyToEveryPriceNotSetExplicitly() {
    InstanceCatalog overridden = PriceOverrides.parse(Map.of("discount", "0.25", "spotDiscount", "0.5",
        "c6i.large", "0.07")).apply(CATALOG);

    assertThat(overridden.find("m6i.large").orElseThrow().onDemandPrice()).isCloseTo(0.072, within(1e-12));
    assertThat(overridden.find("m6i.large").orElseThrow().spotPrices().get("us-east-1a")).isCloseTo(0.02, within(1e-12));
    assertThat(overridden.find("c6i.large").orElseThrow().onDemandPrice()).isEqualTo(0.07);
  }

  @Test
  void bootDiskOverrideReplacesTheDiskPriceAndKeepsTheMinimum() {
    InstanceCatalog withDisk = CATALOG.withBootDisk(DiskPrice.perGiBMonth(0.08, 8, PriceSource.API));

    InstanceCatalog overridden = PriceOverrides.parse(Map.of("bootDisk", "0.064")).apply(withDisk);

    assertThat(overridden.bootDisk().usdPerGiBMonth()).isCloseTo(0.064, within(1e-12));
    assertThat(overridden.bootDisk().minimumGiB()).isEqualTo(8);
    assertThat(overridden.bootDisk().source()).isEqualTo(PriceSource.OVERRIDE);
    assertThat(overridden.types()).isEqualTo(withDisk.types());
    assertThat(PriceOverrides.parse(Map.of("discount", "0.5")).apply(withDisk).bootDisk())
        .as("a discount is on instance prices only").isEqualTo(withDisk.bootDisk());
  }

  @Test
  void readsThePricePrefixOfAProviderConfig() {
    ProviderConfig config = new ProviderConfig("aws", "us-east-1", List.of(),
        Map.of("price.m6i.large", "0.05", "aws.endpoint", "http://127.0.0.1:1"));

    assertThat(PriceOverrides.fromConfig(config).apply(CATALOG).find("m6i.large").orElseThrow().onDemandPrice())
        .isEqualTo(0.05);
  }

  @Test
  void refusesBadEntriesNamingTheKey() {
    assertThatThrownBy(() -> PriceOverrides.parse(Map.of("m6i.large", "cheap")))
        .hasMessage("price override 'm6i.large': not a non-negative number: 'cheap'");
    assertThatThrownBy(() -> PriceOverrides.parse(Map.of("discount", "1.5")))
        .hasMessage("price override 'discount': a discount is a fraction from 0 to below 1, got 1.5");
    assertThatThrownBy(() -> PriceOverrides.parse(Map.of("m6i.large", "-1")))
        .hasMessageContaining("'m6i.large'");
  }
}
