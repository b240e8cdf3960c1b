package dev.taskjob.provider.gcp;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.api.gax.rpc.TransportChannelProvider;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.pubsub.v1.SubscriptionAdminSettings;
import com.google.cloud.pubsub.v1.TopicAdminSettings;
import dev.taskjob.core.cloud.ProviderConfig;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How Pub/Sub clients connect, from a {@link ProviderConfig}: the project ({@code project}, else
 * {@code GOOGLE_CLOUD_PROJECT}); an emulator endpoint ({@code pubsub.endpoint}, else
 * {@code PUBSUB_EMULATOR_HOST}) reached over plain text without credentials; otherwise Google's
 * endpoint with {@code credentials.service_account_json} or Application Default Credentials.
 * Holds the emulator channel, shared by every client, until closed.
 */
final class PubSubConnection implements AutoCloseable {

  static final String SERVICE_ACCOUNT_JSON = ProviderConfig.Keys.CREDENTIALS_PREFIX + "service_account_json";
  private static final List<String> SCOPES = List.of("https://www.googleapis.com/auth/pubsub");

  private final String project;
  private final ManagedChannel emulatorChannel;
  private final TransportChannelProvider channelProvider;
  private final CredentialsProvider credentialsProvider;

  private PubSubConnection(String project, ManagedChannel emulatorChannel, TransportChannelProvider channelProvider,
      CredentialsProvider credentialsProvider) {
    this.project = project;
    this.emulatorChannel = emulatorChannel;
    this.channelProvider = channelProvider;
    this.credentialsProvider = credentialsProvider;
  }

  static PubSubConnection open(ProviderConfig config) {
    String project = config.property(ProviderConfig.Keys.PROJECT);
    if (project == null || project.isBlank()) {
      project = System.getenv("GOOGLE_CLOUD_PROJECT");
    }
    if (project == null || project.isBlank()) {
      throw new IllegalArgumentException("project: a GCP project id is required for Pub/Sub queues (spec.project)");
    }
    String endpoint = config.property(ProviderConfig.Keys.PUBSUB_ENDPOINT);
    if (endpoint == null || endpoint.isBlank()) {
      endpoint = System.getenv("PUBSUB_EMULATOR_HOST");
    }
    if (endpoint != null && !endpoint.isBlank()) {
      String target = endpoint.trim().replaceFirst("^https?://", "");
      ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext()
          .maxInboundMessageSize(20 * 1024 * 1024).build();
      return new PubSubConnection(project.trim(), channel,
          FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)), NoCredentialsProvider.create());
    }
    return new PubSubConnection(project.trim(), null, null, credentials(config));
  }

  private static CredentialsProvider credentials(ProviderConfig config) {
    String json = config.property(SERVICE_ACCOUNT_JSON);
    if (json == null || json.isBlank()) {
      return SubscriptionAdminSettings.defaultCredentialsProviderBuilder().build();
    }
    try {
      return FixedCredentialsProvider.create(
          GoogleCredentials.fromStream(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))).createScoped(SCOPES));
    } catch (IOException e) {
      throw new IllegalArgumentException("credentials.service_account_json: not a usable service account key: " + e.getMessage(), e);
    }
  }

  String project() {
    return project;
  }

  boolean isEmulator() {
    return emulatorChannel != null;
  }

  TopicAdminSettings topicAdminSettings() throws IOException {
    TopicAdminSettings.Builder b = TopicAdminSettings.newBuilder().setCredentialsProvider(credentialsProvider);
    if (channelProvider != null) {
      b.setTransportChannelProvider(channelProvider);
    }
    return b.build();
  }

  SubscriptionAdminSettings subscriptionAdminSettings() throws IOException {
    SubscriptionAdminSettings.Builder b = SubscriptionAdminSettings.newBuilder().setCredentialsProvider(credentialsProvider);
    if (channelProvider != null) {
      b.setTransportChannelProvider(channelProvider);
    }
    return b.build();
  }

  /** The channel provider for emulator use, or null for Google's default. */
  TransportChannelProvider channelProvider() {
    return channelProvider;
  }

  CredentialsProvider credentialsProvider() {
    return credentialsProvider;
  }

  @Override
  public void close() {
    if (emulatorChannel != null) {
      emulatorChannel.shutdown();
      try {
        if (!emulatorChannel.awaitTermination(5, TimeUnit.SECONDS)) {
          emulatorChannel.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        emulatorChannel.shutdownNow();
      }
    }
  }
}
