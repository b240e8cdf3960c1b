package dev.taskjob.operator.selection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.CapacityException;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UnavailableOfferingsTest {

  /** A clock a test moves by hand. */
  private static final class ManualClock extends Clock {
    Instant now = Instant.parse("2025-06-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static final List<String> ZONES = List.of("us-east-1a", "us-east-1b");

  private static InstanceType type(String name, double price) {
    return new InstanceType(name, 2, 8, Architecture.X86_64, 0, 0, null, false, true, ZONES, price,
        Map.of("us-east-1a", price / 3, "us-east-1b", price / 2), PriceSource.SNAPSHOT);
  }

  @Test
  void capacityErrorMovesThePoolToTheNextZoneThenTypeAndExpires() {
    ManualClock clock = new ManualClock();
    UnavailableOfferings unavailable = new UnavailableOfferings(clock, Duration.ofMinutes(3));
    Selection selection = InstanceSelector.select(new InstanceCatalog("aws", "us-east-1",
        List.of(type("m6i.large", 0.096), type("m7i.large", 0.1008)), Instant.EPOCH),
        InstanceConstraints.builder().spot(true).build());
    assertThat(selection.best().zone()).isEqualTo("us-east-1a");

    unavailable.mark(new CapacityException("InsufficientInstanceCapacity", "m6i.large", "us-east-1a", true, null));

    assertThat(unavailable.available(selection, ZONES)).extracting(Candidate::typeName).containsExactly("m7i.large");
    assertThat(unavailable.availableZones("m6i.large", true, ZONES)).containsExactly("us-east-1b");
    assertThat(unavailable.isUnavailable("m6i.large", "us-east-1a", false)).as("on-demand is another offering").isFalse();

    clock.now = clock.now.plus(Duration.ofMinutes(3));

    assertThat(unavailable.available(selection, ZONES)).extracting(Candidate::typeName)
        .containsExactly("m6i.large", "m7i.large");
  }

  @Test
  void aMarkWithoutZoneCoversEveryZone() {
    UnavailableOfferings unavailable = new UnavailableOfferings(new ManualClock(), Duration.ofMinutes(3));

    unavailable.mark("m6i.large", null, false);

    assertThat(unavailable.availableZones("m6i.large", false, ZONES)).isEmpty();
    assertThat(unavailable.availableZones("m6i.large", true, ZONES)).isEqualTo(ZONES);
  }
}
