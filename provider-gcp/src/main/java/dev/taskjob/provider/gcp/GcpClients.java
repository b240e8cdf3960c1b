package dev.taskjob.provider.gcp;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.retrying.RetrySettings;
import com.google.api.gax.rpc.StatusCode;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.billing.v1.CloudCatalogClient;
import com.google.cloud.billing.v1.CloudCatalogSettings;
import com.google.cloud.compute.v1.DisksClient;
import com.google.cloud.compute.v1.DisksSettings;
import com.google.cloud.compute.v1.InstancesClient;
import com.google.cloud.compute.v1.InstancesSettings;
import com.google.cloud.compute.v1.MachineTypesClient;
import com.google.cloud.compute.v1.MachineTypesSettings;
import com.google.cloud.compute.v1.ZoneOperationsClient;
import com.google.cloud.compute.v1.ZoneOperationsSettings;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderConfig.Keys;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * The Compute Engine and Cloud Billing Catalog clients for a {@link ProviderConfig}, both over REST (HTTP/JSON):
 * endpoint overrides from {@link Keys#COMPUTE_ENDPOINT} and {@link Keys#BILLING_ENDPOINT} (then without
 * credentials, as for a local fake), else Google's endpoints with {@code credentials.service_account_json} or
 * Application Default Credentials. Inserts are retried on throttling and unavailability with exponential
 * backoff and jitter (gax's retry settings); the deterministic requestId makes that safe.
 */
final class GcpClients {

  static final String SERVICE_ACCOUNT_JSON = Keys.CREDENTIALS_PREFIX + "service_account_json";
  private static final String SCOPE = "https://www.googleapis.com/auth/cloud-platform";

  private GcpClients() {}

  static String project(ProviderConfig config) {
    String project = config.property(Keys.PROJECT);
    if (project == null || project.isBlank()) {
      project = System.getenv("GOOGLE_CLOUD_PROJECT");
    }
    if (project == null || project.isBlank()) {
      throw new IllegalArgumentException("project: a GCP project id is required for Compute Engine (spec.project)");
    }
    return project.trim();
  }

  static String region(ProviderConfig config) {
    if (config.region() == null || config.region().isBlank()) {
      throw new IllegalArgumentException("region is required for the gcp provider");
    }
    return config.region();
  }

  static InstancesClient instances(ProviderConfig config) throws IOException {
    InstancesSettings.Builder b = InstancesSettings.newBuilder().setCredentialsProvider(credentials(config, Keys.COMPUTE_ENDPOINT));
    endpoint(config, Keys.COMPUTE_ENDPOINT, b::setEndpoint);
    b.insertSettings()
        .setRetryableCodes(StatusCode.Code.UNAVAILABLE, StatusCode.Code.RESOURCE_EXHAUSTED, StatusCode.Code.DEADLINE_EXCEEDED)
        .setRetrySettings(RetrySettings.newBuilder()
            .setInitialRetryDelayDuration(Duration.ofMillis(500))
            .setRetryDelayMultiplier(2)
            .setMaxRetryDelayDuration(Duration.ofSeconds(20))
            .setMaxAttempts(6)
            .setJittered(true)
            .setInitialRpcTimeoutDuration(Duration.ofSeconds(60))
            .setMaxRpcTimeoutDuration(Duration.ofSeconds(60))
            .setTotalTimeoutDuration(Duration.ofMinutes(3))
            .build());
    return InstancesClient.create(b.build());
  }

  static MachineTypesClient machineTypes(ProviderConfig config) throws IOException {
    MachineTypesSettings.Builder b = MachineTypesSettings.newBuilder()
        .setCredentialsProvider(credentials(config, Keys.COMPUTE_ENDPOINT));
    endpoint(config, Keys.COMPUTE_ENDPOINT, b::setEndpoint);
    return MachineTypesClient.create(b.build());
  }

  static DisksClient disks(ProviderConfig config) throws IOException {
    DisksSettings.Builder b = DisksSettings.newBuilder().setCredentialsProvider(credentials(config, Keys.COMPUTE_ENDPOINT));
    endpoint(config, Keys.COMPUTE_ENDPOINT, b::setEndpoint);
    return DisksClient.create(b.build());
  }

  static ZoneOperationsClient zoneOperations(ProviderConfig config) throws IOException {
    ZoneOperationsSettings.Builder b = ZoneOperationsSettings.newBuilder()
        .setCredentialsProvider(credentials(config, Keys.COMPUTE_ENDPOINT));
    endpoint(config, Keys.COMPUTE_ENDPOINT, b::setEndpoint);
    return ZoneOperationsClient.create(b.build());
  }

  static CloudCatalogClient billing(ProviderConfig config) throws IOException {
    CloudCatalogSettings.Builder b = CloudCatalogSettings.newHttpJsonBuilder()
        .setCredentialsProvider(credentials(config, Keys.BILLING_ENDPOINT));
    endpoint(config, Keys.BILLING_ENDPOINT, b::setEndpoint);
    return CloudCatalogClient.create(b.build());
  }

  private interface EndpointSetter {
    Object set(String endpoint);
  }

  private static void endpoint(ProviderConfig config, String key, EndpointSetter setter) {
    String value = config.property(key);
    if (value != null && !value.isBlank()) {
      setter.set(value.trim());
    }
  }

  private static CredentialsProvider credentials(ProviderConfig config, String endpointKey) {
    String endpoint = config.property(endpointKey);
    if (endpoint != null && endpoint.trim().startsWith("http://")) {
      return NoCredentialsProvider.create(); // a local fake over plain HTTP
    }
    return serviceAccount(config).<CredentialsProvider>map(FixedCredentialsProvider::create)
        .orElseGet(() -> InstancesSettings.defaultCredentialsProviderBuilder().build());
  }

  /** The credentials of {@code credentials.service_account_json}, or empty for Application Default Credentials. */
  static Optional<GoogleCredentials> serviceAccount(ProviderConfig config) {
    String json = config.property(SERVICE_ACCOUNT_JSON);
    if (json == null || json.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(GoogleCredentials
          .fromStream(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))).createScoped(SCOPE));
    } catch (IOException e) {
      throw new IllegalArgumentException(SERVICE_ACCOUNT_JSON + ": not a usable service account key: " + e.getMessage(), e);
    }
  }
}
