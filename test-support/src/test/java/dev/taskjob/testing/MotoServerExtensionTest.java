package dev.taskjob.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.Json;
import dev.taskjob.core.task.Task;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The real moto_server, driven by the AWS SDK v2 exactly as provider-aws drives SQS. */
class MotoServerExtensionTest {

  @RegisterExtension
  @Order(1)
  static final ServerProcessesGone GONE = new ServerProcessesGone();

  @RegisterExtension
  @Order(2)
  static final MotoServerExtension MOTO = new MotoServerExtension();

  @Test
  void roundTripsATaskThroughAnSqsQueue() {
    assertThat(GONE.watch(MOTO)).isNotEmpty();
    Task task = Json.taskFromJson("{\"id\": \"addition-task-000001\", \"index\": 0, \"data\": {\"num1\": -39, \"num2\": 55}}");

    try (SqsClient sqs = SqsClient.builder()
        .endpointOverride(MOTO.endpoint())
        .region(Region.of(MotoServerExtension.REGION))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .httpClient(UrlConnectionHttpClient.create())
        .build()) {
      String url = sqs.createQueue(r -> r.queueName("tj-wiring-0123456789-tasks")).queueUrl();
      sqs.sendMessage(r -> r.queueUrl(url).messageBody(Json.taskToJson(task)));

      List<Message> received = sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(5))
          .messages();
      assertThat(received).hasSize(1);
      assertThat(Json.taskFromJson(received.get(0).body())).isEqualTo(task);

      sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle(received.get(0).receiptHandle()));
      Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(r -> r.queueUrl(url)
          .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
              QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
      assertThat(attributes)
          .containsEntry(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0")
          .containsEntry(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0");
      assertThat(sqs.listQueues().queueUrls()).contains(url);
    }
  }
}
