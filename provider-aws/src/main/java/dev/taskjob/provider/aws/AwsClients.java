package dev.taskjob.provider.aws;

import dev.taskjob.core.cloud.ProviderConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.pricing.PricingClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * Builds the EC2, SSM and Pricing clients for a {@link ProviderConfig}: the region (required: VMs never land in a
 * default region), endpoint and credentials as {@link AwsClientConfig} resolves them, and the SDK's standard
 * retry strategy: exponential backoff with
 * jitter on throttling and transient errors, up to 8 attempts ({@link AwsKeys#MAX_ATTEMPTS}).
 */
final class AwsClients {

  /** The Pricing API is served from us-east-1 (and two other regions) for every region's prices. */
  static final Region PRICING_REGION = Region.US_EAST_1;

  private AwsClients() {}

  static String region(ProviderConfig config) {
    if (config.region() == null || config.region().isBlank()) {
      throw new IllegalArgumentException("region is required for the aws provider");
    }
    return config.region();
  }

  /**
   * The EC2 client; {@code interceptors} run on every attempt (empty except for fault injection in tests).
   * Capacity errors are not retried inside the SDK: the pool tries another zone or type at once.
   */
  static Ec2Client ec2(ProviderConfig config, List<ExecutionInterceptor> interceptors) {
    ClientOverrideConfiguration overrides = ClientOverrideConfiguration.builder()
        .retryStrategy(new NoRetryOn(AwsRetryStrategy.standardRetryStrategy().toBuilder()
            .maxAttempts(maxAttempts(config, 8)).build(), Ec2CloudProvider::isCapacityError))
        .executionInterceptors(interceptors).build();
    var builder = Ec2Client.builder()
        .region(Region.of(region(config)))
        .credentialsProvider(credentials(config))
        .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(Duration.ofSeconds(60)))
        .overrideConfiguration(overrides);
    URI endpoint = endpoint(config);
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    return builder.build();
  }

  static PricingClient pricing(ProviderConfig config) {
    var builder = PricingClient.builder()
        .region(PRICING_REGION)
        .credentialsProvider(credentials(config))
        .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(Duration.ofSeconds(60)))
        .overrideConfiguration(ClientOverrideConfiguration.builder()
            .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(Math.min(3, maxAttempts(config, 3))).build())
            .build());
    String pricingEndpoint = config.property(AwsKeys.PRICING_ENDPOINT);
    URI endpoint = pricingEndpoint != null && !pricingEndpoint.isBlank() ? URI.create(pricingEndpoint) : endpoint(config);
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    return builder.build();
  }

  /** The SSM client that reads AWS's public parameters (the ECS-optimized image ids). */
  static SsmClient ssm(ProviderConfig config) {
    var builder = SsmClient.builder()
        .region(Region.of(region(config)))
        .credentialsProvider(credentials(config))
        .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(Duration.ofSeconds(30)))
        .overrideConfiguration(ClientOverrideConfiguration.builder()
            .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(maxAttempts(config, 8)).build())
            .build());
    URI endpoint = endpoint(config);
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    return builder.build();
  }

  static int maxAttempts(ProviderConfig config, int fallback) {
    String value = config.property(AwsKeys.MAX_ATTEMPTS);
    if (value == null) {
      return fallback;
    }
    try {
      int attempts = Integer.parseInt(value.trim());
      if (attempts < 1) {
        throw new NumberFormatException();
      }
      return attempts;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(AwsKeys.MAX_ATTEMPTS + " must be a whole number of at least 1, got '" + value + "'");
    }
  }

  static URI endpoint(ProviderConfig config) {
    return AwsClientConfig.endpoint(config);
  }

  static AwsCredentialsProvider credentials(ProviderConfig config) {
    return AwsClientConfig.credentials(config);
  }
}
