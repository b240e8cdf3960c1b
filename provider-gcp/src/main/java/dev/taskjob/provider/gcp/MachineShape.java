package dev.taskjob.provider.gcp;

import dev.taskjob.core.cloud.Architecture;
import java.util.Locale;

/**
 * A machine type's shape, before prices: what the Compute API's machine types (or the snapshot) say.
 *
 * @param billedVcpus vCPUs as billed: less than {@code vcpus} for shared-core types (e2-micro bills 0.25)
 */
record MachineShape(String name, int vcpus, double billedVcpus, double memoryGiB, Architecture architecture,
    double localSsdGiB, int gpus, String gpuModel, boolean bareMetal, boolean burstable) {

  /** The pricing family: the name's first part ({@code n2d-standard-8} -> {@code n2d}). */
  String family() {
    int dash = name.indexOf('-');
    return (dash < 0 ? name : name.substring(0, dash)).toLowerCase(Locale.ROOT);
  }

  /** Billed share of the vCPUs of GCE's shared-core types; 1 for everything else. */
  static double sharedCoreFraction(String name) {
    return switch (name) {
      case "e2-micro" -> 0.25 / 2;
      case "e2-small" -> 0.5 / 2;
      case "e2-medium" -> 1.0 / 2;
      case "f1-micro" -> 0.2;
      case "g1-small" -> 0.5;
      default -> 1;
    };
  }

  /** Arm families, for machine types whose API answer lacks the architecture field. */
  static Architecture architectureOf(String name, String reported) {
    if (reported != null && !reported.isBlank() && !reported.startsWith("ARCHITECTURE_UNSPECIFIED")) {
      return Architecture.parse(reported);
    }
    String family = name.contains("-") ? name.substring(0, name.indexOf('-')) : name;
    return switch (family) {
      case "t2a", "c4a", "n4a", "a4x" -> Architecture.ARM64;
      default -> Architecture.X86_64;
    };
  }
}
