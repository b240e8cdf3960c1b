package dev.taskjob.provider.aws;

import dev.taskjob.core.cloud.ProviderConfig;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Where and as whom AWS clients connect, from a {@link ProviderConfig}: the endpoint override
 * ({@code aws.endpoint}, else {@code AWS_ENDPOINT_URL}), the region, and credentials from
 * {@code credentials.aws_access_key_id} / {@code credentials.aws_secret_access_key}
 * (+ {@code credentials.aws_session_token}) or else the SDK's default chain (environment, profile,
 * instance profile, IRSA).
 */
public final class AwsClientConfig {

  public static final String ACCESS_KEY_ID = ProviderConfig.Keys.CREDENTIALS_PREFIX + "aws_access_key_id";
  public static final String SECRET_ACCESS_KEY = ProviderConfig.Keys.CREDENTIALS_PREFIX + "aws_secret_access_key";
  public static final String SESSION_TOKEN = ProviderConfig.Keys.CREDENTIALS_PREFIX + "aws_session_token";

  private AwsClientConfig() {}

  /** The endpoint override, or null for the service's public endpoint. */
  public static URI endpoint(ProviderConfig config) {
    String value = config.property(ProviderConfig.Keys.AWS_ENDPOINT);
    if (value == null || value.isBlank()) {
      value = System.getenv("AWS_ENDPOINT_URL");
    }
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      URI uri = URI.create(value.trim());
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new IllegalArgumentException("expected a URL such as http://127.0.0.1:4566");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("AWS endpoint '" + value + "' is not a valid URL: " + e.getMessage(), e);
    }
  }

  /** The configured region, else AWS_REGION / the profile's region (SDK default), else us-east-1. */
  public static Region region(ProviderConfig config) {
    if (config.region() != null && !config.region().isBlank()) {
      return Region.of(config.region());
    }
    String env = System.getenv("AWS_REGION");
    if (env == null || env.isBlank()) {
      env = System.getenv("AWS_DEFAULT_REGION");
    }
    return Region.of(env == null || env.isBlank() ? "us-east-1" : env);
  }

  /** Static credentials from the job's Secret when given, else the default provider chain. */
  public static AwsCredentialsProvider credentials(ProviderConfig config) {
    String id = config.property(ACCESS_KEY_ID);
    String secret = config.property(SECRET_ACCESS_KEY);
    if (id == null && secret == null) {
      return DefaultCredentialsProvider.builder().build();
    }
    if (id == null || id.isBlank() || secret == null || secret.isBlank()) {
      throw new IllegalArgumentException("credentials: both aws_access_key_id and aws_secret_access_key are needed, "
          + "found only " + (id == null || id.isBlank() ? "aws_secret_access_key" : "aws_access_key_id"));
    }
    String token = config.property(SESSION_TOKEN);
    return StaticCredentialsProvider.create(token == null || token.isBlank()
        ? AwsBasicCredentials.create(id.trim(), secret.trim())
        : AwsSessionCredentials.create(id.trim(), secret.trim(), token.trim()));
  }
}
