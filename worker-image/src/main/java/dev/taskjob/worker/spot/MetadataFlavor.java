package dev.taskjob.worker.spot;

import java.util.Locale;

/** Which instance metadata service announces preemption. */
public enum MetadataFlavor {
  /** EC2 IMDSv2: {@code PUT /latest/api/token}, then {@code GET /latest/meta-data/spot/instance-action}. */
  AWS("http://169.254.169.254"),
  /** Compute Engine: {@code GET /computeMetadata/v1/instance/preempted} with {@code Metadata-Flavor: Google}. */
  GCP("http://metadata.google.internal"),
  /**
   * The local provider: no metadata service, only the pool's stop notice, a file in the instance's directory
   * ({@code StopNotice.localFile}).
   */
  LOCAL(null),
  /** No polling. */
  NONE(null);

  private final String defaultBaseUrl;

  MetadataFlavor(String defaultBaseUrl) {
    this.defaultBaseUrl = defaultBaseUrl;
  }

  public String defaultBaseUrl() {
    return defaultBaseUrl;
  }

  /** The flavor for a provider name: aws and gcp poll their metadata service, local its stop-notice file, others none. */
  public static MetadataFlavor forProvider(String provider) {
    if (provider == null) {
      return NONE;
    }
    return switch (provider.toLowerCase(Locale.ROOT)) {
      case "aws" -> AWS;
      case "gcp" -> GCP;
      case "local" -> LOCAL;
      default -> NONE;
    };
  }

  /** Parses {@code aws}, {@code gcp}, {@code local} or {@code none}. */
  public static MetadataFlavor parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + value + "' is not one of aws, gcp, local, none");
    }
  }
}
