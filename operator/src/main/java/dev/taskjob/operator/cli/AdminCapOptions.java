package dev.taskjob.operator.cli;

import dev.taskjob.operator.decision.AdminCaps;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The administrator's caps over all jobs, the same flags on {@code taskjob operator} and {@code taskjob local}.
 * Unset flags are unlimited.
 */
public final class AdminCapOptions {

  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

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

  @Option(names = "--namespace-cap", paramLabel = "NS:LIMIT=VALUE[,LIMIT=VALUE...]",
      description = "One namespace's own caps, in place of the --namespace-max-* ones for the limits it names; "
          + "LIMIT is instances, vcpus or pricePerHour, e.g. team-a:instances=50,pricePerHour=20. Repeatable.")
  List<String> namespaceCaps = new ArrayList<>();

  /** The caps, or a usage error naming a negative one. */
  public AdminCaps.Caps caps(CommandLine commandLine) {
    requireNotNegative(commandLine, "--max-instances", maxInstances);
    requireNotNegative(commandLine, "--max-vcpus", maxVcpus);
    requireNotNegative(commandLine, "--max-price-per-hour", maxPricePerHour);
    requireNotNegative(commandLine, "--namespace-max-instances", namespaceMaxInstances);
    requireNotNegative(commandLine, "--namespace-max-vcpus", namespaceMaxVcpus);
    requireNotNegative(commandLine, "--namespace-max-price-per-hour", namespaceMaxPricePerHour);
    Map<String, AdminCaps.Limits> namespaces = new LinkedHashMap<>();
    for (String value : namespaceCaps) {
      Map.Entry<String, AdminCaps.Limits> cap;
      try {
        cap = namespaceCap(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(commandLine, "--namespace-cap " + value + ": " + e.getMessage());
      }
      if (namespaces.putIfAbsent(cap.getKey(), cap.getValue()) != null) {
        throw new CommandLine.ParameterException(commandLine, "--namespace-cap " + value + ": namespace "
            + cap.getKey() + " is given twice; name all its limits in one --namespace-cap");
      }
    }
    return new AdminCaps.Caps(new AdminCaps.Limits(maxInstances, maxVcpus, maxPricePerHour),
        new AdminCaps.Limits(namespaceMaxInstances, namespaceMaxVcpus, namespaceMaxPricePerHour), namespaces);
  }

  /**
   * Reads {@code NS:instances=N,vcpus=N,pricePerHour=USD} (any of the three, at least one).
   *
   * @throws IllegalArgumentException saying what is wrong, for a usage error
   */
  static Map.Entry<String, AdminCaps.Limits> namespaceCap(String value) {
    int colon = value.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("expected NAMESPACE:LIMIT=VALUE[,LIMIT=VALUE...], "
          + "e.g. team-a:instances=50,vcpus=200,pricePerHour=20");
    }
    String namespace = value.substring(0, colon);
    if (!NAMESPACE.matcher(namespace).matches()) {
      throw new IllegalArgumentException("'" + namespace + "' is not a namespace name (lower-case letters, digits "
          + "and '-', at most 63)");
    }
    Integer instances = null;
    Integer vcpus = null;
    Double pricePerHour = null;
    Set<String> seen = new HashSet<>();
    for (String limit : value.substring(colon + 1).split(",", -1)) {
      int eq = limit.indexOf('=');
      String key = eq < 0 ? limit : limit.substring(0, eq);
      String number = eq < 0 ? "" : limit.substring(eq + 1);
      if (!seen.add(key)) {
        throw new IllegalArgumentException(key + " is given twice");
      }
      switch (key) {
        case "instances" -> instances = count(key, number);
        case "vcpus" -> vcpus = count(key, number);
        case "pricePerHour" -> pricePerHour = price(number);
        default -> throw new IllegalArgumentException("unknown limit '" + key
            + "'; the limits are instances, vcpus and pricePerHour");
      }
    }
    return Map.entry(namespace, new AdminCaps.Limits(instances, vcpus, pricePerHour));
  }

  private static Integer count(String key, String number) {
    try {
      int n = Integer.parseInt(number);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(key + "=" + number + ": must be a whole number >= 0");
  }

  private static Double price(String number) {
    try {
      double usd = Double.parseDouble(number);
      if (usd >= 0 && Double.isFinite(usd)) {
        return usd;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("pricePerHour=" + number + ": must be a number >= 0 (USD per hour)");
  }

  private static void requireNotNegative(CommandLine commandLine, String flag, Number value) {
    if (value != null && (value.doubleValue() < 0 || Double.isNaN(value.doubleValue())
        || Double.isInfinite(value.doubleValue()))) {
      throw new CommandLine.ParameterException(commandLine, flag + " " + value + ": must be a number >= 0");
    }
  }
}
