package dev.taskjob.crds.v1alpha1.shared;

/** Regular expressions shared by the schema's {@code pattern} constraints. */
public final class Patterns {

  /**
   * A duration such as {@code 30s}, {@code 10m}, {@code 1h30m} or {@code 1500ms}: one or more
   * number-unit pairs with units {@code h}, {@code m}, {@code s}, {@code ms}. {@link Durations#parse}
   * accepts exactly this language.
   */
  public static final String DURATION = "^([0-9]+(\\.[0-9]+)?(h|ms|m|s))+$";

  /** A Kubernetes object name (DNS-1123 subdomain). */
  public static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /** A ConfigMap data key. */
  public static final String CONFIG_MAP_KEY = "^[-._a-zA-Z0-9]+$";

  /** A POSIX environment variable name. */
  public static final String ENV_NAME = "^[A-Za-z_][A-Za-z0-9_]*$";

  private Patterns() {}
}
