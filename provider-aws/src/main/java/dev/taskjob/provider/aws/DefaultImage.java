package dev.taskjob.provider.aws;

import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.InstanceType;

/**
 * Which ECS-optimized Amazon Linux 2023 image a type boots when the job names none. AWS publishes the
 * current image id of each variant as an SSM public parameter, so the choice follows AWS's updates without
 * name filters: the GPU variant (NVIDIA driver and container toolkit) for GPU types, the arm64 variant for
 * Graviton, the x86_64 one otherwise. All have Docker enabled.
 */
final class DefaultImage {

  static final String PARAMETER_PREFIX = "/aws/service/ecs/optimized-ami/amazon-linux-2023/";
  /** The root device of every Amazon Linux 2023 image. */
  static final String ROOT_DEVICE = "/dev/xvda";

  private DefaultImage() {}

  /**
   * The SSM parameter holding the image id for a type.
   *
   * @throws IllegalArgumentException for an arm64 GPU type, for which AWS publishes no ECS GPU image
   */
  static String parameterFor(InstanceType type) {
    boolean arm = type.architecture() == Architecture.ARM64;
    if (type.gpus() > 0) {
      if (arm) {
        throw new IllegalArgumentException("instanceType " + type.name() + ": AWS publishes no ECS-optimized GPU "
            + "image for arm64; set spec.instances.image to an arm64 image with the NVIDIA driver and Docker");
      }
      return PARAMETER_PREFIX + "gpu/recommended/image_id";
    }
    return PARAMETER_PREFIX + (arm ? "arm64/" : "") + "recommended/image_id";
  }
}
