package dev.taskjob.operator.archive;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.store.DirectoryStore;
import dev.taskjob.core.store.ObjectStore;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.operator.validation.Invalid;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A job's output location ({@code spec.output.uri}): which forms each provider accepts, and the
 * {@link ObjectStore} behind one. The archive of a job sits under {@link #jobPrefix}.
 */
public final class OutputLocations {

  static final String FIELD = "spec.output.uri";
  /** S3 bucket names: 3 to 63 lower-case letters, digits, dots and hyphens. */
  private static final Pattern S3_BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  /** Cloud Storage bucket names (without dots): as S3's, and underscores too. */
  private static final Pattern GCS_BUCKET = Pattern.compile("[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]");

  private OutputLocations() {}

  /** Why {@code uri} cannot be a location for a job of {@code provider}, or empty when it can. */
  public static Optional<Invalid> check(String provider, String uri) {
    if (uri == null) {
      return Optional.empty();
    }
    if (uri.isBlank()) {
      return refuse("spec.output.uri must not be empty; leave spec.output out to keep no archive");
    }
    URI parsed;
    try {
      parsed = new URI(uri.trim());
    } catch (URISyntaxException e) {
      return refuse("spec.output.uri '" + uri + "' is not a valid URI: " + e.getReason());
    }
    String scheme = parsed.getScheme();
    if ("s3".equals(scheme)) {
      if (parsed.getHost() == null || !S3_BUCKET.matcher(parsed.getHost()).matches()) {
        return refuse("spec.output.uri '" + uri + "': expected s3://bucket/prefix with a valid bucket name "
            + "(3-63 lower-case letters, digits, dots, hyphens)");
      }
      if (!"aws".equals(provider)) {
        return refuse("spec.output.uri: s3:// needs provider aws (the job's AWS credentials write it), not " + provider);
      }
      return Optional.empty();
    }
    if ("gs".equals(scheme)) {
      // getAuthority, not getHost: a bucket name may hold '_', which no host name does.
      if (parsed.getAuthority() == null || !GCS_BUCKET.matcher(parsed.getAuthority()).matches()) {
        return refuse("spec.output.uri '" + uri + "': expected gs://bucket/prefix with a valid bucket name "
            + "(3-63 lower-case letters, digits, dots, hyphens, underscores)");
      }
      if (!"gcp".equals(provider)) {
        return refuse("spec.output.uri: gs:// needs provider gcp (the job's GCP credentials write it), not " + provider);
      }
      return Optional.empty();
    }
    if (scheme == null || "file".equals(scheme)) {
      String path = scheme == null ? uri.trim() : parsed.getPath();
      if (path == null || !path.startsWith("/")) {
        return refuse("spec.output.uri '" + uri + "': a directory must be absolute (/dir or file:///dir)");
      }
      if (!"local".equals(provider)) {
        return refuse("spec.output.uri: a directory is only for provider local (the operator's own disk); "
            + "provider " + provider + " takes " + ("aws".equals(provider) ? "s3://bucket/prefix" : "gs://bucket/prefix"));
      }
      return Optional.empty();
    }
    return refuse("spec.output.uri '" + uri + "': unknown scheme '" + scheme + "' (expected s3://, gs:// or a directory)");
  }

  /**
   * The store behind a checked location.
   *
   * @param modules the provider modules by name (the aws one serves s3://, the gcp one gs://)
   */
  public static ObjectStore open(String uri, ProviderConfig config, Function<String, Optional<ProviderModule>> modules) {
    URI parsed = URI.create(uri.trim());
    if (parsed.getScheme() == null || "file".equals(parsed.getScheme())) {
      return new DirectoryStore(Path.of(parsed.getScheme() == null ? uri.trim() : parsed.getPath()));
    }
    String provider = switch (parsed.getScheme()) {
      case "s3" -> "aws";
      case "gs" -> "gcp";
      default -> parsed.getScheme();
    };
    return modules.apply(provider).flatMap(m -> m.objectStore(config, parsed))
        .orElseThrow(() -> new IllegalArgumentException(FIELD + ": no store for " + uri + " in this process"));
  }

  /** Where one job's archive sits in its location: {@code <namespace>/<name>/<uid>/}. */
  public static String jobPrefix(TaskJob job) {
    return job.getMetadata().getNamespace() + "/" + job.getMetadata().getName() + "/" + job.getMetadata().getUid() + "/";
  }

  private static Optional<Invalid> refuse(String message) {
    return Optional.of(new Invalid(Invalid.INVALID_SPEC, FIELD, message, false));
  }
}
