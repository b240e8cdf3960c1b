package dev.taskjob.provider.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.InstanceState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GcpPriceModelTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(nullValues = "-", delimiter = '|', value = {
      "N2 Instance Core running in Americas | n2",
      "N2D AMD Instance Core running in Americas | n2d",
      "T2A Arm Instance Ram running in Americas | t2a",
      "Spot Preemptible C3 Instance Core running in Americas | c3",
      "Preemptible E2 Instance Ram running in EMEA | e2",
      "N1 Predefined Instance Core running in Americas | n1",
      "Compute optimized Core running in Americas | c2",
      "Memory-optimized Instance Ram running in Americas | m1",
      "N2 Custom Instance Core running in Americas | -",
      "N2 Custom Extended Instance Ram running in Americas | -",
      "Sole Tenancy Instance Core running in Americas | -",
      "Commitment v1: N2 Cpu in Americas for 1 Year | -",
      "SSD backed Local Storage | -",
  })
  void readsTheMachineFamilyFromSkuDescriptions(String description, String family) {
    assertThat(GcpRates.skuFamily(description)).isEqualTo(family);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "Balanced PD Capacity | true",
      "Balanced PD Capacity in Iowa | true",
      "Regional Balanced PD Capacity | false",
      "SSD backed PD Capacity | false",
      "Storage PD Capacity | false",
  })
  void theBootDiskRateIsTheZonalBalancedPdSku(String description, boolean bootDisk) {
    assertThat(GcpRates.isBootDiskSku(description)).isEqualTo(bootDisk);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "PROVISIONING, PENDING", "STAGING, PENDING", "REPAIRING, PENDING", "RUNNING, RUNNING",
      "STOPPING, STOPPING", "SUSPENDING, STOPPING", "SUSPENDED, STOPPED", "TERMINATED, STOPPED",
  })
  void mapsComputeEngineStatuses(String status, InstanceState state) {
    assertThat(GceCloudProvider.state(status)).isEqualTo(state);
  }

  @ParameterizedTest(name = "{0} bills {1} vCPUs")
  @CsvSource({"e2-micro, 2, 0.25", "e2-small, 2, 0.5", "e2-medium, 2, 1.0", "e2-standard-2, 2, 2.0", "f1-micro, 1, 0.2"})
  void sharedCoreTypesBillAFractionOfTheirVcpus(String name, int vcpus, double billed) {
    assertThat(vcpus * MachineShape.sharedCoreFraction(name)).isEqualTo(billed);
  }
}
