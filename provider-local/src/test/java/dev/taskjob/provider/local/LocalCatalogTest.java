package dev.taskjob.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LocalCatalogTest {

  @ParameterizedTest
  @CsvSource({
      "1, 'local-1'",
      "2, 'local-1,local-2'",
      "6, 'local-1,local-2,local-4,local-6'",
      "8, 'local-1,local-2,local-4,local-8'",
  })
  void offersPowersOfTwoUpToTheMachinesCpus(int cpus, String expected) {
    InstanceCatalog catalog = LocalCatalog.forMachine(cpus, cpus * 4.0);

    assertThat(catalog.types()).extracting(InstanceType::name).containsExactly(expected.split(","));
    assertThat(catalog.types()).allSatisfy(t -> {
      assertThat(t.memoryGiB()).isEqualTo(t.vcpus() * 4.0);
      assertThat(t.onDemandPrice()).isEqualTo(t.vcpus() * LocalCatalog.PRICE_PER_VCPU_HOUR);
      assertThat(t.priceSource()).isEqualTo(PriceSource.BUILTIN);
    });
  }
}
