package dev.taskjob.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DefaultImageTest {

  private static InstanceType type(String name, Architecture arch, int gpus) {
    return new InstanceType(name, 4, 16, arch, 0, gpus, gpus > 0 ? "T4" : null, false, true, List.of(), 0.2,
        Map.of(), PriceSource.SNAPSHOT);
  }

  @ParameterizedTest(name = "{0} {1} {2} GPUs -> {3}")
  @CsvSource({
      "m6i.xlarge, X86_64, 0, recommended/image_id",
      "c7a.xlarge, X86_64, 0, recommended/image_id",
      "m7g.xlarge, ARM64, 0, arm64/recommended/image_id",
      "g4dn.xlarge, X86_64, 1, gpu/recommended/image_id",
      "p4d.24xlarge, X86_64, 8, gpu/recommended/image_id",
  })
  void eachTypeBootsTheEcsOptimizedVariantForItsArchitectureAndGpus(String name, Architecture arch, int gpus,
      String suffix) {
    assertThat(DefaultImage.parameterFor(type(name, arch, gpus)))
        .isEqualTo("/aws/service/ecs/optimized-ami/amazon-linux-2023/" + suffix);
  }

  @Test
  void armGpuTypesNeedAnImageNamedByTheJob() {
    assertThatThrownBy(() -> DefaultImage.parameterFor(type("g5g.xlarge", Architecture.ARM64, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("instanceType g5g.xlarge: AWS publishes no ECS-optimized GPU image for arm64");
  }
}
