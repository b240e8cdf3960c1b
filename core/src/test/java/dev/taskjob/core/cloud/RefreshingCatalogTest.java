package dev.taskjob.core.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class RefreshingCatalogTest {

  private static InstanceCatalog catalog(double price, PriceSource source) {
    return new InstanceCatalog("aws", "us-east-1", List.of(new InstanceType("m6i.large", 2, 8, Architecture.X86_64,
        0, 0, null, false, true, List.of(), price, Map.of(), source)), Instant.EPOCH);
  }

  private static double price(RefreshingCatalog c) {
    return c.get().find("m6i.large").orElseThrow().onDemandPrice();
  }

  @Test
  void fallsBackToTheSnapshotWhenTheApisCannotBeReached() {
    Supplier<InstanceCatalog> unreachable = () -> {
      throw new CloudException("connection refused", true);
    };
    try (RefreshingCatalog c = new RefreshingCatalog("aws us-east-1", unreachable,
        () -> catalog(0.096, PriceSource.SNAPSHOT), PriceOverrides.none(), Duration.ofHours(1), Clock.systemUTC())) {
      assertThat(price(c)).isEqualTo(0.096);
      assertThat(c.isFromSnapshot()).isTrue();
    }
  }

  @Test
  void keepsTheLastGoodCatalogWhenARefreshFails() {
    AtomicInteger calls = new AtomicInteger();
    Supplier<InstanceCatalog> live = () -> {
      if (calls.incrementAndGet() > 1) {
        throw new CloudException("throttled", true);
      }
      return catalog(0.09, PriceSource.API);
    };
    try (RefreshingCatalog c = new RefreshingCatalog("aws us-east-1", live,
        () -> catalog(0.096, PriceSource.SNAPSHOT), PriceOverrides.none(), Duration.ZERO, Clock.systemUTC())) {
      assertThat(price(c)).isEqualTo(0.09);
      c.refreshNow();
      assertThat(price(c)).isEqualTo(0.09);
      assertThat(c.isFromSnapshot()).isFalse();
      assertThat(calls.get()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void appliesOverridesOnTopOfFetchedPrices() {
    try (RefreshingCatalog c = new RefreshingCatalog("aws us-east-1", () -> catalog(0.09, PriceSource.API),
        () -> catalog(0.096, PriceSource.SNAPSHOT), PriceOverrides.parse(Map.of("m6i.large", "0.05")),
        Duration.ofHours(1), Clock.fixed(Instant.EPOCH, ZoneOffset.UTC))) {
      assertThat(price(c)).isEqualTo(0.05);
      assertThat(c.get().find("m6i.large").orElseThrow().priceSource()).isEqualTo(PriceSource.OVERRIDE);
    }
  }
}
