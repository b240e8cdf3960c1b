package dev.taskjob.operator.cli;

import dev.taskjob.operator.decision.AdminCaps;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The administrator's caps over all jobs, the same flags on {@code taskjob operator} and {@code taskjob local}.
 * Unset flags are unlimited.
 */
public final class AdminCapOptions {

  @Option(names = "--max-instances", paramLabel = "N",
      description = "Most VMs all jobs together may run at once (default: unlimited).")
  Integer maxInstances;

  @Option(names = "--max-vcpus", paramLabel = "N",
      description = "Most vCPUs all jobs' VMs together may have at once (default: unlimited).")
  Integer maxVcpus;

  @Option(names = "--max-price-per-hour", paramLabel = "USD",
      description = "Most USD per hour all jobs' VMs together may cost, at their types' prices (default: unlimited).")
  Double maxPricePerHour;

  @Option(names = "--namespace-max-instances", paramLabel = "N",
      description = "Most VMs the jobs of any one namespace may run at once (default: unlimited).")
  Integer namespaceMaxInstances;

  @Option(names = "--namespace-max-vcpus", paramLabel = "N",
      description = "Most vCPUs the VMs of any one namespace's jobs may have at once (default: unlimited).")
  Integer namespaceMaxVcpus;

  @Option(names = "--namespace-max-price-per-hour", paramLabel = "USD",
      description = "Most USD per hour the VMs of any one namespace's jobs may cost (default: unlimited).")
  Double namespaceMaxPricePerHour;

  /** The caps, or a usage error naming a negative one. */
  public AdminCaps.Caps caps(CommandLine commandLine) {
    requireNotNegative(commandLine, "--max-instances", maxInstances);
    requireNotNegative(commandLine, "--max-vcpus", maxVcpus);
    requireNotNegative(commandLine, "--max-price-per-hour", maxPricePerHour);
    requireNotNegative(commandLine, "--namespace-max-instances", namespaceMaxInstances);
    requireNotNegative(commandLine, "--namespace-max-vcpus", namespaceMaxVcpus);
    requireNotNegative(commandLine, "--namespace-max-price-per-hour", namespaceMaxPricePerHour);
    return new AdminCaps.Caps(new AdminCaps.Limits(maxInstances, maxVcpus, maxPricePerHour),
        new AdminCaps.Limits(namespaceMaxInstances, namespaceMaxVcpus, namespaceMaxPricePerHour));
  }

  private static void requireNotNegative(CommandLine commandLine, String flag, Number value) {
    if (value != null && (value.doubleValue() < 0 || Double.isNaN(value.doubleValue())
        || Double.isInfinite(value.doubleValue()))) {
      throw new CommandLine.ParameterException(commandLine, flag + " " + value + ": must be a number >= 0");
    }
  }
}
