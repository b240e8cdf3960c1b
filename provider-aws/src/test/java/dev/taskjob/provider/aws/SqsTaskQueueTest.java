package dev.taskjob.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueDepth;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.ReceivedEvent;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.Task;
import dev.taskjob.core.task.TaskGenerator;
import dev.taskjob.testing.MotoServerExtension;
import dev.taskjob.testing.StopReceiving;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/** Against a real moto_server; queues stay small (moto slows down as queues grow). */
class SqsTaskQueueTest {

  @RegisterExtension static final MotoServerExtension MOTO = new MotoServerExtension();

  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final AtomicInteger QUEUE_COUNTER = new AtomicInteger();
  private final List<TaskQueue> opened = new ArrayList<>();

  @AfterEach
  void deleteQueues() {
    opened.forEach(q -> {
      q.delete();
      q.close();
    });
  }

  private ProviderConfig config() {
    return new ProviderConfig("aws", MotoServerExtension.REGION, null, Map.of(
        ProviderConfig.Keys.AWS_ENDPOINT, MOTO.endpoint().toString(),
        AwsClientConfig.ACCESS_KEY_ID, "test", AwsClientConfig.SECRET_ACCESS_KEY, "test"));
  }

  private static QueueSettings settings(Duration lease, int maxAttempts) {
    return new QueueSettings("tj-sqs-test-" + QUEUE_COUNTER.incrementAndGet(), lease, maxAttempts);
  }

  private TaskQueue open(QueueSettings settings) {
    TaskQueue queue = Providers.get("aws").queue(config(), settings);
    queue.ensure();
    opened.add(queue);
    return queue;
  }

  private static List<Task> tasks(int count) {
    TaskGenerator generator = TaskGenerator.ofCount(count);
    return LongStream.range(0, count).mapToObj(generator::task).toList();
  }

  @Test
  void deliversTasksWithDataIndexAndAttempt() {
    TaskQueue queue = open(settings(Duration.ofSeconds(30), 3));
    queue.send(tasks(25));

    List<LeasedTask> got = queue.receive(25, Duration.ofSeconds(2));

    assertThat(got).hasSize(25);
    assertThat(got).extracting(t -> t.task().id()).doesNotHaveDuplicates().contains("task-01", "task-25");
    assertThat(got).allSatisfy(t -> {
      assertThat(t.deliveryAttempt()).isEqualTo(1);
      assertThat(t.task().data().get("n").asLong()).isEqualTo(t.task().index());
    });
  }

  @Test
  void leasedTaskNotAckedReappearsAfterItsLease() {
    TaskQueue queue = open(settings(LEASE, 5));
    queue.send(tasks(1));
    LeasedTask first = queue.receive(1, Duration.ofSeconds(1)).get(0);

    assertThat(queue.receive(1, Duration.ZERO)).as("invisible while leased").isEmpty();
    List<LeasedTask> again = queue.receive(1, Duration.ofSeconds(5));

    assertThat(again).singleElement().satisfies(t -> {
      assertThat(t.task().id()).isEqualTo(first.task().id());
      assertThat(t.deliveryAttempt()).isEqualTo(2);
    });
  }

  @Test
  void extendedLeaseHolds() throws Exception {
    TaskQueue queue = open(settings(LEASE, 5));
    queue.send(tasks(1));
    LeasedTask leased = queue.receive(1, Duration.ofSeconds(1)).get(0);

    queue.extendLease(leased, Duration.ofSeconds(30));
    Thread.sleep(LEASE.toMillis() + 1000);

    assertThat(queue.receive(1, Duration.ofSeconds(1))).as("still leased past the original lease").isEmpty();
    assertThat(queue.depth().leased()).isEqualTo(1);
    queue.ack(leased);
    assertThat(queue.depth()).isEqualTo(new QueueDepth(0, 0, 0));
  }

  @Test
  void releasedTaskComesBackAtOnce() {
    TaskQueue queue = open(settings(Duration.ofMinutes(5), 5));
    queue.send(tasks(1));
    LeasedTask leased = queue.receive(1, Duration.ofSeconds(1)).get(0);

    queue.release(leased);

    assertThat(queue.receive(1, Duration.ZERO)).singleElement()
        .satisfies(t -> assertThat(t.deliveryAttempt()).isEqualTo(2));
  }

  @Test
  void taskFailingMaxAttemptsTimesLandsInDeadLetterQueue() {
    TaskQueue queue = open(settings(Duration.ofMinutes(5), 2));
    queue.send(tasks(1));
    for (int attempt = 1; attempt <= 2; attempt++) {
      List<LeasedTask> got = queue.receive(1, Duration.ofSeconds(1));
      int expected = attempt;
      assertThat(got).as("delivery " + attempt).singleElement()
          .satisfies(t -> assertThat(t.deliveryAttempt()).isEqualTo(expected));
      queue.release(got.get(0));
    }

    assertThat(queue.receive(1, Duration.ofSeconds(1))).as("a third delivery goes to the DLQ instead").isEmpty();
    assertThat(queue.depth().deadLettered()).isEqualTo(1);
    List<LeasedTask> dead = queue.receiveDeadLetters(10, Duration.ofSeconds(1));
    assertThat(dead).singleElement().satisfies(t -> assertThat(t.task().id()).isEqualTo("task-1"));
    queue.ack(dead.get(0));
    assertThat(queue.depth()).isEqualTo(new QueueDepth(0, 0, 0));
  }

  @Test
  void extendingALostLeaseFails() {
    TaskQueue queue = open(settings(LEASE, 5));
    queue.send(tasks(1));
    LeasedTask first = queue.receive(1, Duration.ofSeconds(1)).get(0);
    LeasedTask second = queue.receive(1, Duration.ofSeconds(5)).get(0);
    queue.ack(second);

    assertThatThrownBy(() -> queue.extendLease(first, Duration.ofSeconds(30)))
        .isInstanceOf(QueueException.class).hasMessageContaining("task-1");
  }

  @Test
  void depthCountsWaitingAndLeased() {
    TaskQueue queue = open(settings(Duration.ofMinutes(5), 3));
    queue.send(tasks(12));

    queue.receive(2, Duration.ofSeconds(1));

    assertThat(queue.depth()).isEqualTo(new QueueDepth(10, 2, 0));
  }

  @Test
  void batchWithOneRejectedEntryResendsOnlyThatEntry() {
    RejectOneEntry rejecter = new RejectOneEntry("3", false);
    QueueSettings settings = settings(Duration.ofMinutes(5), 3);
    try (SqsClient client = clientWith(rejecter)) {
      TaskQueue queue = new SqsTaskQueue(client, settings);
      queue.ensure();
      open(settings); // registered for deletion after the test, with a client still open

      queue.send(tasks(10));

      assertThat(rejecter.sentBatches).hasSize(2);
      assertThat(rejecter.sentBatches.get(0)).hasSize(10);
      assertThat(rejecter.sentBatches.get(1)).as("the resend").containsExactly("3");
      List<String> ids = new ArrayList<>();
      for (int round = 0; round < 5 && ids.size() < 10; round++) {
        queue.receive(10, Duration.ofSeconds(1)).forEach(t -> ids.add(t.task().id()));
      }
      assertThat(ids).hasSize(10).doesNotHaveDuplicates();
    }
  }

  @Test
  void entryRejectedAsMalformedFailsNamingTheTask() {
    QueueSettings settings = settings(Duration.ofMinutes(5), 3);
    try (SqsClient client = clientWith(new RejectOneEntry("1", true))) {
      TaskQueue queue = new SqsTaskQueue(client, settings);
      queue.ensure();
      open(settings);

      assertThatThrownBy(() -> queue.send(tasks(3)))
          .isInstanceOf(QueueException.class).hasMessageContaining("task task-2")
          .satisfies(e -> assertThat(((QueueException) e).isRetryable()).isFalse());
    }
  }

  @Test
  void oversizedTaskIsRefusedBeforeAnythingIsSent() {
    TaskQueue queue = open(settings(Duration.ofMinutes(5), 3));
    List<Task> list = new ArrayList<>(tasks(3));
    Task big = list.get(2);
    big.data().put("blob", "x".repeat(300 * 1024));

    assertThatThrownBy(() -> queue.send(list))
        .isInstanceOf(QueueException.class).hasMessageContaining("task task-3").hasMessageContaining("262144");
    assertThat(queue.depth().waiting()).isZero();
  }

  @Test
  void eventsArePublishedReceivedAndAcked() {
    TaskQueue queue = open(settings(Duration.ofMinutes(5), 3));
    List<TaskEvent> events = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      events.add(TaskEvent.builder(EventType.TASK_COMPLETED).taskId("task-" + i).taskIndex(i).build());
    }
    queue.publishEvents(events);

    List<ReceivedEvent> got = new ArrayList<>();
    for (int round = 0; round < 5 && got.size() < 12; round++) {
      got.addAll(queue.receiveEvents(12, Duration.ofSeconds(1)));
    }
    assertThat(got).extracting(e -> e.event().taskId()).hasSize(12).doesNotHaveDuplicates();
    queue.ackEvents(got);

    assertThat(queue.receiveEvents(10, Duration.ZERO)).isEmpty();
  }

  @Test
  void queuesAreDeletedCleanly() {
    QueueSettings settings = settings(Duration.ofMinutes(5), 3);
    TaskQueue queue = Providers.get("aws").queue(config(), settings);
    queue.ensure();
    queue.send(tasks(3));

    queue.delete();
    queue.delete();

    assertThat(queue.exists()).isFalse();
    try (SqsClient client = clientWith(new RejectOneEntry("none", false))) {
      assertThat(client.listQueues(b -> b.queueNamePrefix(settings.name())).queueUrls()).isEmpty();
    }
    assertThatThrownBy(() -> queue.receive(1, Duration.ZERO))
        .isInstanceOf(QueueException.class).hasMessageContaining("does not exist");
    queue.close();
  }

  @Test
  void purgeEmptiesTheQueues() {
    TaskQueue queue = open(settings(Duration.ofMinutes(5), 3));
    queue.send(tasks(5));

    queue.purge();

    assertThat(queue.exists()).isTrue();
    assertThat(queue.depth()).isEqualTo(new QueueDepth(0, 0, 0));
  }

  private static SqsClient clientWith(ExecutionInterceptor interceptor) {
    return SqsClient.builder()
        .endpointOverride(MOTO.endpoint())
        .region(Region.of(MotoServerExtension.REGION))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .overrideConfiguration(c -> c.addExecutionInterceptor(interceptor))
        .build();
  }

  /**
   * Makes SQS reject one entry of the first batch, as a throttled or internally failed entry: the
   * entry is taken out of the request before it reaches moto (moto never rejects entries) and added
   * to the response's failed list. Records the entry ids of every batch the queue sent.
   */
  static final class RejectOneEntry implements ExecutionInterceptor {
    private static final ExecutionAttribute<String> REMOVED = new ExecutionAttribute<>("removedEntry");
    final List<List<String>> sentBatches = new CopyOnWriteArrayList<>();
    private final String entryId;
    private final boolean senderFault;
    private boolean done;

    RejectOneEntry(String entryId, boolean senderFault) {
      this.entryId = entryId;
      this.senderFault = senderFault;
    }

    @Override
    public synchronized SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
      if (!(context.request() instanceof SendMessageBatchRequest request)) {
        return context.request();
      }
      sentBatches.add(request.entries().stream().map(SendMessageBatchRequestEntry::id).toList());
      if (done || request.entries().stream().noneMatch(e -> e.id().equals(entryId))) {
        return request;
      }
      done = true;
      attributes.putAttribute(REMOVED, entryId);
      return request.toBuilder().entries(request.entries().stream().filter(e -> !e.id().equals(entryId)).toList()).build();
    }

    @Override
    public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
      String removed = attributes.getAttribute(REMOVED);
      if (removed == null || !(context.response() instanceof SendMessageBatchResponse response)) {
        return context.response();
      }
      List<BatchResultErrorEntry> failed = new ArrayList<>(response.failed());
      failed.add(BatchResultErrorEntry.builder().id(removed).senderFault(senderFault)
          .code(senderFault ? "InvalidMessageContents" : "InternalError").message("injected by the test").build());
      return response.toBuilder().failed(failed).build();
    }
  }

  @Test
  void closeEndsALongPollInProgressAndStopReceivingLaterOnes() throws Exception {
    QueueSettings settings = settings(Duration.ofSeconds(2), 3);
    TaskQueue queue = Providers.get("aws").queue(config(), settings);
    queue.ensure();
    CompletableFuture<Object> waiting = new CompletableFuture<>();
    Thread receiver = new Thread(() -> {
      try {
        waiting.complete(queue.receive(1, Duration.ofMinutes(10)));
      } catch (RuntimeException e) {
        waiting.complete(e);
      }
    });
    receiver.start();
    StopReceiving.awaitInside(receiver, "receiveMessage");

    queue.stopReceiving();
    queue.close();

    assertThat(waiting.get(60, TimeUnit.SECONDS)).as("the ten-minute receive ended").isNotNull();
    assertThat(CompletableFuture.supplyAsync(() -> queue.receive(1, Duration.ofMinutes(10))).get(60, TimeUnit.SECONDS))
        .as("a receive after stopReceiving returns at once, empty").isEmpty();
    // The server may still hand a message to the poll whose connection closed (SQS does, and so does moto);
    // such a message is only leased (2 s here) and comes back, so nothing is lost.
    TaskQueue other = open(settings);
    other.send(tasks(1));
    assertThat(other.receive(1, Duration.ofSeconds(20))).as("the task sent after the stop is delivered").hasSize(1);
  }
}
