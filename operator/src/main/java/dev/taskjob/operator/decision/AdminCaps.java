package dev.taskjob.operator.decision;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Limits an administrator sets once, for all jobs together: instances, vCPUs and USD per hour over every
 * pool of the operator ({@code --max-instances} and friends) and over the pools of each namespace
 * ({@code --namespace-max-instances} and friends), which a namespace's own limits
 * ({@code --namespace-cap team-a:instances=50}) replace for the resources they name. A launch is made only
 * when the VMs alive in the whole operator and in the pool's namespace, plus this one, stay within every
 * cap; {@link #binding} says which cap refuses it.
 */
public final class AdminCaps {

  /** One set of limits; null fields are unlimited. */
  public record Limits(Integer instances, Integer vcpus, Double pricePerHour) {
    public static final Limits NONE = new Limits(null, null, null);

    public boolean isNone() {
      return instances == null && vcpus == null && pricePerHour == null;
    }
  }

  /**
   * @param operator over every pool this operator runs
   * @param perNamespace over the pools of any one namespace
   * @param namespaces limits of named namespaces; a limit set here replaces {@code perNamespace}'s for that
   *     namespace, a limit left null keeps it
   */
  public record Caps(Limits operator, Limits perNamespace, Map<String, Limits> namespaces) {
    public static final Caps NONE = new Caps(Limits.NONE, Limits.NONE);

    public Caps {
      operator = operator == null ? Limits.NONE : operator;
      perNamespace = perNamespace == null ? Limits.NONE : perNamespace;
      namespaces = Collections.unmodifiableSortedMap(new TreeMap<>(namespaces == null ? Map.of() : namespaces));
    }

    public Caps(Limits operator, Limits perNamespace) {
      this(operator, perNamespace, Map.of());
    }

    public boolean isNone() {
      return operator.isNone() && perNamespace.isNone() && namespaces.values().stream().allMatch(Limits::isNone);
    }

    /** The limits over the pools of {@code namespace}: its own where set, the per-namespace ones elsewhere. */
    public Limits limitsFor(String namespace) {
      Limits own = namespace == null ? null : namespaces.get(namespace);
      if (own == null) {
        return perNamespace;
      }
      return new Limits(own.instances() != null ? own.instances() : perNamespace.instances(),
          own.vcpus() != null ? own.vcpus() : perNamespace.vcpus(),
          own.pricePerHour() != null ? own.pricePerHour() : perNamespace.pricePerHour());
    }

    /** For logs and {@code taskjob operator}'s start line. */
    public String describe() {
      if (isNone()) {
        return "none";
      }
      List<String> parts = new ArrayList<>();
      describe(parts, "operator", operator);
      describe(parts, "per namespace", perNamespace);
      namespaces.forEach((namespace, limits) -> describe(parts, "namespace " + namespace, limits));
      return String.join("; ", parts);
    }

    private static void describe(List<String> parts, String scope, Limits limits) {
      if (!limits.isNone()) {
        List<String> each = new ArrayList<>();
        if (limits.instances() != null) {
          each.add(limits.instances() + " instances");
        }
        if (limits.vcpus() != null) {
          each.add(limits.vcpus() + " vCPUs");
        }
        if (limits.pricePerHour() != null) {
          each.add(String.format(Locale.ROOT, "$%s/hour", limits.pricePerHour()));
        }
        parts.add(scope + ": " + String.join(", ", each));
      }
    }
  }

  /** Where a cap applies. */
  public enum Scope { OPERATOR, NAMESPACE }

  /** What a cap limits, with the flag that sets it for each scope. */
  public enum Resource {
    INSTANCES("instances", "--max-instances", "--namespace-max-instances", "instances"),
    VCPUS("vCPUs", "--max-vcpus", "--namespace-max-vcpus", "vcpus"),
    PRICE_PER_HOUR("USD per hour", "--max-price-per-hour", "--namespace-max-price-per-hour", "pricePerHour");

    private final String unit;
    private final String operatorFlag;
    private final String namespaceFlag;
    private final String key;

    Resource(String unit, String operatorFlag, String namespaceFlag, String key) {
      this.unit = unit;
      this.operatorFlag = operatorFlag;
      this.namespaceFlag = namespaceFlag;
      this.key = key;
    }

    public String flag(Scope scope) {
      return scope == Scope.OPERATOR ? operatorFlag : namespaceFlag;
    }

    /** The name of this limit in {@code --namespace-cap NS:instances=N,vcpus=N,pricePerHour=USD}. */
    public String key() {
      return key;
    }
  }

  /**
   * The cap a launch would go past.
   *
   * @param inUse what the VMs alive use of that cap now
   * @param cap the cap's value
   * @param ownLimit the cap is the namespace's own ({@code --namespace-cap}), not the per-namespace default
   */
  public record Binding(Scope scope, Resource resource, double inUse, double cap, boolean ownLimit) {

    public Binding(Scope scope, Resource resource, double inUse, double cap) {
      this(scope, resource, inUse, cap, false);
    }

    /** Names the cap, its flag and its use, for the pool's condition and Event. */
    public String message(String namespace) {
      String where = scope == Scope.OPERATOR ? "all jobs of the operator" : "the jobs of namespace " + namespace;
      String flag = ownLimit ? "--namespace-cap " + namespace + ":" + resource.key : resource.flag(scope);
      return String.format(Locale.ROOT, "%s use %s of the administrator's cap of %s %s (%s)", where,
          number(inUse), number(cap), resource.unit, flag);
    }

    private static String number(double v) {
      return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
          : String.format(Locale.ROOT, "%.4g", v);
    }
  }

  private AdminCaps() {}

  /** As {@link #binding(Caps, String, PoolSizing.Spend, PoolSizing.Spend, int, double)} with the default limits. */
  public static Optional<Binding> binding(Caps caps, PoolSizing.Spend operatorWide, PoolSizing.Spend inNamespace,
      int vcpus, double pricePerHour) {
    return binding(caps, null, operatorWide, inNamespace, vcpus, pricePerHour);
  }

  /**
   * The first cap (operator-wide before per-namespace; instances, vCPUs, then price) that one more VM of
   * {@code vcpus} at {@code pricePerHour} would go past, or empty when it fits every cap.
   *
   * @param namespace the launching pool's namespace, whose own limits apply where the administrator set them
   * @param operatorWide what every pool of the operator uses now
   * @param inNamespace what the pools of the launching pool's namespace use now
   */
  public static Optional<Binding> binding(Caps caps, String namespace, PoolSizing.Spend operatorWide,
      PoolSizing.Spend inNamespace, int vcpus, double pricePerHour) {
    Optional<Binding> operator = binding(Scope.OPERATOR, caps.operator(), operatorWide, vcpus, pricePerHour);
    if (operator.isPresent()) {
      return operator;
    }
    Limits own = namespace == null ? null : caps.namespaces().get(namespace);
    return binding(Scope.NAMESPACE, caps.limitsFor(namespace), inNamespace, vcpus, pricePerHour)
        .map(b -> own == null || !setBy(own, b.resource()) ? b
            : new Binding(b.scope(), b.resource(), b.inUse(), b.cap(), true));
  }

  private static boolean setBy(Limits limits, Resource resource) {
    return switch (resource) {
      case INSTANCES -> limits.instances() != null;
      case VCPUS -> limits.vcpus() != null;
      case PRICE_PER_HOUR -> limits.pricePerHour() != null;
    };
  }

  private static Optional<Binding> binding(Scope scope, Limits limits, PoolSizing.Spend used, int vcpus,
      double pricePerHour) {
    if (limits.instances() != null && used.instances() + 1 > limits.instances()) {
      return Optional.of(new Binding(scope, Resource.INSTANCES, used.instances(), limits.instances()));
    }
    if (limits.vcpus() != null && used.vcpus() + vcpus > limits.vcpus()) {
      return Optional.of(new Binding(scope, Resource.VCPUS, used.vcpus(), limits.vcpus()));
    }
    // The same tolerance as PoolSizing, so that 3 x 0.1 fits in 0.3.
    if (limits.pricePerHour() != null && used.pricePerHour() + pricePerHour > limits.pricePerHour() + 1e-9) {
      return Optional.of(new Binding(scope, Resource.PRICE_PER_HOUR, used.pricePerHour(), limits.pricePerHour()));
    }
    return Optional.empty();
  }
}
