package dev.taskjob.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.api.gax.rpc.TransportChannelProvider;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.cloud.pubsub.v1.SubscriptionAdminClient;
import com.google.cloud.pubsub.v1.SubscriptionAdminSettings;
import com.google.cloud.pubsub.v1.TopicAdminClient;
import com.google.cloud.pubsub.v1.TopicAdminSettings;
import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.PushConfig;
import com.google.pubsub.v1.ReceivedMessage;
import com.google.pubsub.v1.SubscriptionName;
import com.google.pubsub.v1.TopicName;
import dev.taskjob.core.Json;
import dev.taskjob.core.task.Task;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Google's real Pub/Sub emulator, driven by the google-cloud-pubsub client over a plain-text channel,
 * as provider-gcp drives it when PUBSUB_EMULATOR_HOST is set.
 */
class PubSubEmulatorExtensionTest {

  @RegisterExtension
  @Order(1)
  static final ServerProcessesGone GONE = new ServerProcessesGone();

  @RegisterExtension
  @Order(2)
  static final PubSubEmulatorExtension PUBSUB = new PubSubEmulatorExtension();

  @Test
  void publishesAndPullsATaskThroughATopicAndSubscription() throws Exception {
    List<ProcessHandle> processes = GONE.watch(PUBSUB);
    assertThat(processes).as("gcloud and the emulator's Java process it started").hasSizeGreaterThanOrEqualTo(2);
    Task task = Json.taskFromJson("{\"id\": \"addition-task-000002\", \"index\": 1, \"data\": {\"num1\": 12, \"num2\": 7}}");

    ManagedChannel channel = ManagedChannelBuilder.forTarget(PUBSUB.hostPort()).usePlaintext().build();
    TransportChannelProvider channels = FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel));
    CredentialsProvider noCredentials = NoCredentialsProvider.create();
    TopicName topic = TopicName.of(PubSubEmulatorExtension.PROJECT, "tj-wiring-0123456789-tasks");
    SubscriptionName subscription = SubscriptionName.of(PubSubEmulatorExtension.PROJECT, "tj-wiring-0123456789-tasks-sub");
    Publisher publisher = null;
    try (TopicAdminClient topics = TopicAdminClient.create(TopicAdminSettings.newBuilder()
            .setTransportChannelProvider(channels).setCredentialsProvider(noCredentials).build());
        SubscriptionAdminClient subscriptions = SubscriptionAdminClient.create(SubscriptionAdminSettings.newBuilder()
            .setTransportChannelProvider(channels).setCredentialsProvider(noCredentials).build())) {
      topics.createTopic(topic);
      subscriptions.createSubscription(subscription, topic, PushConfig.getDefaultInstance(), 60);

      publisher = Publisher.newBuilder(topic).setChannelProvider(channels).setCredentialsProvider(noCredentials).build();
      String messageId = publisher.publish(PubsubMessage.newBuilder()
          .setData(ByteString.copyFromUtf8(Json.taskToJson(task)))
          .putAttributes("task_id", task.id())
          .build()).get(30, TimeUnit.SECONDS);

      List<ReceivedMessage> received = new ArrayList<>();
      for (int attempt = 0; attempt < 10 && received.isEmpty(); attempt++) {
        received.addAll(subscriptions.pull(subscription, 10).getReceivedMessagesList());
      }
      assertThat(received).hasSize(1);
      PubsubMessage message = received.get(0).getMessage();
      assertThat(message.getMessageId()).isEqualTo(messageId);
      assertThat(message.getAttributesMap()).containsEntry("task_id", task.id());
      assertThat(Json.taskFromJson(message.getData().toStringUtf8())).isEqualTo(task);
      subscriptions.acknowledge(subscription, List.of(received.get(0).getAckId()));
      assertThat(topics.getTopic(topic).getName()).isEqualTo(topic.toString());
    } finally {
      if (publisher != null) {
        publisher.shutdown();
        publisher.awaitTermination(10, TimeUnit.SECONDS);
      }
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
