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
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
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
 *
 * <p>The emulator channel runs on event loop threads of its own, which {@link #close} stops. On gRPC's shared
 * threads, which outlive a closed channel by a second, a JVM exiting right after the close waits 0.3 s more:
 * HotSpot lets a thread blocked in native code ({@code epoll_wait}) finish before it exits.
 */
final class PubSubConnection implements AutoCloseable {

  static final String SERVICE_ACCOUNT_JSON = ProviderConfig.Keys.CREDENTIALS_PREFIX + "service_account_json";
  private static final List<String> SCOPES = List.of("https://www.googleapis.com/auth/pubsub");

  private final String project;
  private final ManagedChannel emulatorChannel;
  private final EventLoopGroup emulatorEventLoops;
  private final TransportChannelProvider channelProvider;
  private final CredentialsProvider credentialsProvider;

  private PubSubConnection(String project, ManagedChannel emulatorChannel, EventLoopGroup emulatorEventLoops,
      TransportChannelProvider channelProvider, CredentialsProvider credentialsProvider) {
    this.project = project;
    this.emulatorChannel = emulatorChannel;
    this.emulatorEventLoops = emulatorEventLoops;
    this.channelProvider = channelProvider;
    this.credentialsProvider = credentialsProvider;
  }

  /**
   * Netty's allocator records JFR events unless told not to, and its first allocation then sets up JFR's event
   * machinery: about 0.2 s of CPU before the first request, for events nobody records here. An explicit setting wins.
   */
  static final String NETTY_JFR_PROPERTY = "io.grpc.netty.shaded.io.netty.jfr.enabled";

  static PubSubConnection open(ProviderConfig config) {
    if (System.getProperty(NETTY_JFR_PROPERTY) == null) {
      System.setProperty(NETTY_JFR_PROPERTY, "false");
    }
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
      // Netty's default choice (epoll where it is available), as the shared event loops use.
      DefaultThreadFactory threads = new DefaultThreadFactory("pubsub-emulator-eventloop", true);
      boolean epoll = Epoll.isAvailable();
      EventLoopGroup eventLoops = epoll ? new EpollEventLoopGroup(0, threads) : new NioEventLoopGroup(0, threads);
      ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext()
          .eventLoopGroup(eventLoops).channelType(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
          .maxInboundMessageSize(20 * 1024 * 1024).build();
      return new PubSubConnection(project.trim(), channel, eventLoops,
          FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)), NoCredentialsProvider.create());
    }
    return new PubSubConnection(project.trim(), null, null, null, credentials(config));
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

  /**
   * The topic admin client's publish RPC is sent as called, without the library's batching of requests (which
   * waits up to 10 ms to merge requests of up to 100 messages): its caller sends its own requests of up to 1,000.
   */
  TopicAdminSettings topicAdminSettings() throws IOException {
    TopicAdminSettings.Builder b = TopicAdminSettings.newBuilder().setCredentialsProvider(credentialsProvider);
    b.publishSettings().setBatchingSettings(b.publishSettings().getBatchingSettings().toBuilder().setIsEnabled(false).build());
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
      // no quiet period: the channel has terminated, nothing more is submitted to these threads
      emulatorEventLoops.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(6, TimeUnit.SECONDS);
    }
  }
}
