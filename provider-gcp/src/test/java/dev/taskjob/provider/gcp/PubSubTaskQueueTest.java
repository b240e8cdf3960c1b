package dev.taskjob.provider.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.api.core.ApiFuture;
import com.google.api.core.ApiFutures;
import com.google.api.gax.grpc.GrpcStatusCode;
import com.google.api.gax.rpc.ApiCallContext;
import com.google.api.gax.rpc.ApiExceptionFactory;
import com.google.api.gax.rpc.StatusCode;
import com.google.api.gax.rpc.UnaryCallable;
import com.google.pubsub.v1.PublishRequest;
import com.google.pubsub.v1.PublishResponse;
import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.ReceivedEvent;
import dev.taskjob.core.queue.TaskMessage;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.Task;
import dev.taskjob.core.task.TaskGenerator;
import dev.taskjob.testing.PubSubEmulatorExtension;
import dev.taskjob.testing.StopReceiving;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Against Google's Pub/Sub emulator. */
class PubSubTaskQueueTest {

  @RegisterExtension static final PubSubEmulatorExtension EMULATOR = new PubSubEmulatorExtension();

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

  private static ProviderConfig config() {
    return new ProviderConfig("gcp", "us-central1", null, Map.of(
        ProviderConfig.Keys.PROJECT, PubSubEmulatorExtension.PROJECT,
        ProviderConfig.Keys.PUBSUB_ENDPOINT, EMULATOR.hostPort()));
  }

  private static QueueSettings settings(Duration lease, int maxAttempts) {
    return new QueueSettings("tj-pubsub-test-" + QUEUE_COUNTER.incrementAndGet(), lease, maxAttempts);
  }

  private TaskQueue open(QueueSettings settings) {
    TaskQueue queue = Providers.get("gcp").queue(config(), settings);
    queue.ensure();
    opened.add(queue);
    return queue;
  }

  private static List<Task> tasks(int count) {
    TaskGenerator generator = TaskGenerator.ofCount(count);
    return LongStream.range(0, count).mapToObj(generator::task).toList();
  }

  /** Receives until {@code count} tasks arrived or a bounded number of pulls came back short. */
  private static List<LeasedTask> receiveAll(TaskQueue queue, int count) {
    List<LeasedTask> got = new ArrayList<>();
    for (int round = 0; round < 20 && got.size() < count; round++) {
      got.addAll(queue.receive(count - got.size(), Duration.ofSeconds(2)));
    }
    return got;
  }

  @Test
  void deliversTasksWithDataIndexAndAttempt() {
    TaskQueue queue = open(settings(Duration.ofSeconds(60), 5));
    queue.send(tasks(1500));

    List<LeasedTask> got = receiveAll(queue, 1500);

    assertThat(got).hasSize(1500);
    assertThat(got).extracting(t -> t.task().id()).doesNotHaveDuplicates().contains("task-0001", "task-1500");
    assertThat(got).allSatisfy(t -> {
      assertThat(t.deliveryAttempt()).isEqualTo(1);
      assertThat(t.task().data().get("n").asLong()).isEqualTo(t.task().index());
    });
  }

  @Test
  void leasedTaskNotAckedReappearsAfterItsLease() {
    TaskQueue queue = open(settings(LEASE, 5));
    queue.send(tasks(1));
    LeasedTask first = receiveAll(queue, 1).get(0);

    assertThat(queue.receive(1, Duration.ZERO)).as("invisible while leased").isEmpty();
    List<LeasedTask> again = queue.receive(1, Duration.ofSeconds(8));

    assertThat(again).singleElement().satisfies(t -> {
      assertThat(t.task().id()).isEqualTo(first.task().id());
      assertThat(t.deliveryAttempt()).isEqualTo(2);
    });
  }

  @Test
  void extendedLeaseHolds() throws Exception {
    TaskQueue queue = open(settings(LEASE, 5));
    queue.send(tasks(1));
    LeasedTask leased = receiveAll(queue, 1).get(0);

    queue.extendLease(leased, Duration.ofSeconds(30));
    Thread.sleep(LEASE.toMillis() + 1500);

    assertThat(queue.receive(1, Duration.ofSeconds(1))).as("still leased past the original lease").isEmpty();
    queue.ack(leased);
    assertThat(queue.receive(1, Duration.ofSeconds(1))).as("acked").isEmpty();
  }

  @Test
  void releasedTaskComesBackAtOnce() {
    TaskQueue queue = open(settings(Duration.ofMinutes(5), 5));
    queue.send(tasks(1));
    LeasedTask leased = receiveAll(queue, 1).get(0);

    queue.release(leased);

    assertThat(queue.receive(1, Duration.ofSeconds(2))).singleElement()
        .satisfies(t -> assertThat(t.deliveryAttempt()).isEqualTo(2));
  }

  @Test
  void taskFailingMaxAttemptsTimesLandsInDeadLetterTopic() {
    TaskQueue queue = open(settings(Duration.ofMinutes(5), 5));
    queue.send(tasks(1));
    for (int attempt = 1; attempt <= 5; attempt++) {
      List<LeasedTask> got = queue.receive(1, Duration.ofSeconds(3));
      int expected = attempt;
      assertThat(got).as("delivery " + attempt).singleElement()
          .satisfies(t -> assertThat(t.deliveryAttempt()).isEqualTo(expected));
      queue.release(got.get(0));
    }

    assertThat(queue.receive(1, Duration.ofSeconds(1))).as("Pub/Sub moved it after the fifth attempt").isEmpty();
    List<LeasedTask> dead = queue.receiveDeadLetters(10, Duration.ofSeconds(3));
    assertThat(dead).singleElement().satisfies(t -> assertThat(t.task().id()).isEqualTo("task-1"));
    queue.ack(dead.get(0));
    assertThat(queue.receiveDeadLetters(10, Duration.ofSeconds(1))).isEmpty();
  }

  @Test
  void fewerAttemptsThanPubSubAllowsAreDeadLetteredByTheQueue() {
    TaskQueue queue = open(settings(Duration.ofMinutes(5), 2));
    queue.send(tasks(1));
    for (int attempt = 1; attempt <= 2; attempt++) {
      List<LeasedTask> got = queue.receive(1, Duration.ofSeconds(3));
      assertThat(got).as("delivery " + attempt).hasSize(1);
      queue.release(got.get(0));
    }

    assertThat(queue.receive(1, Duration.ofSeconds(2))).as("the third delivery is dead-lettered").isEmpty();
    List<LeasedTask> dead = queue.receiveDeadLetters(10, Duration.ofSeconds(3));
    assertThat(dead).singleElement().satisfies(t -> {
      assertThat(t.task().id()).isEqualTo("task-1");
      assertThat(t.deliveryAttempt()).as("deliveries before it was dead-lettered").isEqualTo(2);
    });
  }

  @Test
  void eventsArePublishedReceivedAndAcked() {
    TaskQueue queue = open(settings(Duration.ofMinutes(5), 5));
    List<TaskEvent> events = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      events.add(TaskEvent.builder(EventType.TASK_COMPLETED).taskId("task-" + i).taskIndex(i).build());
    }
    queue.publishEvents(events);

    Set<String> ids = new HashSet<>();
    List<ReceivedEvent> got = new ArrayList<>();
    for (int round = 0; round < 10 && ids.size() < 12; round++) {
      List<ReceivedEvent> batch = queue.receiveEvents(12, Duration.ofSeconds(2));
      batch.forEach(e -> ids.add(e.event().taskId()));
      got.addAll(batch);
    }
    assertThat(ids).hasSize(12);
    queue.ackEvents(got);

    assertThat(queue.receiveEvents(10, Duration.ofSeconds(1))).isEmpty();
  }

  @Test
  void purgeRemovesWaitingTasks() {
    TaskQueue queue = open(settings(Duration.ofMinutes(5), 5));
    queue.send(tasks(20));

    queue.purge();

    assertThat(queue.exists()).isTrue();
    assertThat(queue.receive(20, Duration.ofSeconds(1))).isEmpty();
  }

  @Test
  void depthIsReportedUnknown() {
    TaskQueue queue = open(settings(Duration.ofMinutes(5), 5));

    assertThat(queue.depth().waiting()).isEqualTo(-1);
    assertThat(queue.depth().unfinished()).isEqualTo(-1);
  }

  @Test
  void queuesAreDeletedCleanly() {
    QueueSettings settings = settings(Duration.ofMinutes(5), 5);
    try (TaskQueue queue = Providers.get("gcp").queue(config(), settings)) {
      queue.ensure();
      queue.send(tasks(3));

      queue.delete();
      queue.delete();

      assertThat(queue.exists()).isFalse();
      assertThatThrownBy(() -> queue.receive(1, Duration.ZERO))
          .isInstanceOf(QueueException.class).hasMessageContaining("does not exist");
      assertThatThrownBy(() -> queue.send(tasks(1)))
          .isInstanceOf(QueueException.class).hasMessageContaining("does not exist");
    }
  }

  /** load-queue readies the publisher while it validates, before it knows whether to create the queue. */
  @Test
  void preparingToSendCreatesNothingAndThePreparedPublisherSends() {
    QueueSettings settings = settings(Duration.ofMinutes(5), 5);
    try (TaskQueue queue = Providers.get("gcp").queue(config(), settings)) {
      queue.prepareSend();
      assertThat(queue.exists()).isFalse();

      queue.ensure();
      queue.send(tasks(3));

      assertThat(receiveAll(queue, 3)).extracting(t -> t.task().id())
          .containsExactlyInAnyOrderElementsOf(tasks(3).stream().map(Task::id).toList());
      queue.delete();
    }
  }

  private static List<TaskMessage> messages(int count) {
    return tasks(count).stream().map(t -> new TaskMessage(t.index(), Json.taskToJsonBytes(t))).toList();
  }

  /** The loader's path: a list longer than one publish request, each task delivered once with its data and index. */
  @Test
  void taskMessagesOfSeveralRequestsAreEachDeliveredOnce() {
    TaskQueue queue = open(settings(Duration.ofMinutes(5), 5));

    queue.sendMessages(messages(2500));

    assertThat(receiveAll(queue, 2500)).extracting(t -> t.task().id() + "@" + t.task().index())
        .containsExactlyInAnyOrderElementsOf(tasks(2500).stream().map(t -> t.id() + "@" + t.index()).toList());
  }

  /** A failure injected in front of the emulator: the publish RPC answers UNAVAILABLE to the first request. */
  @Test
  void requestThatFailedRetryablyIsSentAgainWhole() {
    PubSubTaskQueue queue = (PubSubTaskQueue) open(settings(Duration.ofMinutes(5), 5));
    AtomicInteger calls = new AtomicInteger();
    queue.wrapTaskPublish(real -> failingFirst(1, StatusCode.Code.UNAVAILABLE, true, calls, real));

    queue.sendMessages(messages(1500));

    assertThat(calls).as("two requests, the first one twice").hasValue(3);
    assertThat(receiveAll(queue, 1500)).extracting(t -> t.task().id())
        .containsExactlyInAnyOrderElementsOf(tasks(1500).stream().map(Task::id).toList());
  }

  /** A request Pub/Sub refuses (not retryable) fails the send at once, saying so, without trying again. */
  @Test
  void refusedRequestIsReportedAndNotSentAgain() {
    PubSubTaskQueue queue = (PubSubTaskQueue) open(settings(Duration.ofMinutes(5), 5));
    AtomicInteger calls = new AtomicInteger();
    queue.wrapTaskPublish(real -> failingFirst(1, StatusCode.Code.INVALID_ARGUMENT, false, calls, real));

    assertThatThrownBy(() -> queue.sendMessages(messages(10)))
        .isInstanceOfSatisfying(QueueException.class, e -> assertThat(e.isRetryable()).isFalse())
        .hasMessageContaining("refused a request of 10 messages")
        .hasMessageContaining("the task at index 0 to the task at index 9");
    assertThat(calls).as("the emulator was never asked").hasValue(1);
  }

  /** A task over Pub/Sub's message limit is refused by name (or index, on the loader's path) before any request. */
  @Test
  void taskOverTheMessageLimitIsRefusedBeforeAnyRequest() {
    PubSubTaskQueue queue = (PubSubTaskQueue) open(settings(Duration.ofMinutes(5), 5));
    AtomicInteger calls = new AtomicInteger();
    queue.wrapTaskPublish(real -> failingFirst(0, StatusCode.Code.UNAVAILABLE, true, calls, real));
    ObjectNode data = Json.MAPPER.createObjectNode().put("blob", "x".repeat(PubSubTaskQueue.MAX_MESSAGE_BYTES));
    List<Task> withLarge = new ArrayList<>(tasks(3));
    withLarge.add(new Task("large", data, 3));
    List<TaskMessage> messagesWithLarge = new ArrayList<>(messages(3));
    messagesWithLarge.add(new TaskMessage(3, new byte[PubSubTaskQueue.MAX_MESSAGE_BYTES + 1]));

    assertThatThrownBy(() -> queue.send(withLarge))
        .isInstanceOfSatisfying(QueueException.class, e -> assertThat(e.isRetryable()).isFalse())
        .hasMessageStartingWith("task large is ").hasMessageContaining("Pub/Sub accepts at most 10000000");
    assertThatThrownBy(() -> queue.sendMessages(messagesWithLarge))
        .isInstanceOfSatisfying(QueueException.class, e -> assertThat(e.isRetryable()).isFalse())
        .hasMessageStartingWith("the task at index 3 is 10000001 bytes");
    assertThat(calls).as("publish requests").hasValue(0);
  }

  private static UnaryCallable<PublishRequest, PublishResponse> failingFirst(int failures, StatusCode.Code code,
      boolean retryable, AtomicInteger calls, UnaryCallable<PublishRequest, PublishResponse> real) {
    return new UnaryCallable<>() {
      @Override
      public ApiFuture<PublishResponse> futureCall(PublishRequest request, ApiCallContext context) {
        if (calls.incrementAndGet() <= failures) {
          return ApiFutures.immediateFailedFuture(ApiExceptionFactory.createException("injected " + code, null,
              GrpcStatusCode.of(io.grpc.Status.Code.valueOf(code.name())), retryable));
        }
        return real.futureCall(request, context);
      }
    };
  }

  @Test
  void missingProjectIsAClearError() {
    ProviderConfig noProject = new ProviderConfig("gcp", null, null, Map.of(ProviderConfig.Keys.PUBSUB_ENDPOINT, EMULATOR.hostPort()));
    if (System.getenv("GOOGLE_CLOUD_PROJECT") == null) {
      assertThatThrownBy(() -> Providers.get("gcp").queue(noProject, settings(LEASE, 5)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("project");
    }
  }

  @Test
  void stopReceivingCancelsAPullInProgress() throws Exception {
    TaskQueue queue = open(settings(Duration.ofSeconds(30), 3));
    CompletableFuture<List<LeasedTask>> waiting = new CompletableFuture<>();
    Thread receiver = new Thread(() -> waiting.complete(queue.receive(1, Duration.ofMinutes(10))));
    receiver.start();
    StopReceiving.awaitWaiting(receiver);

    queue.stopReceiving();

    assertThat(waiting.get(60, TimeUnit.SECONDS)).as("the ten-minute pull returned").isEmpty();
    queue.send(tasks(1));
    assertThat(queue.receive(1, Duration.ofMinutes(10))).as("later receives return at once").isEmpty();
    try (TaskQueue other = Providers.get("gcp").queue(config(), queue.settings())) {
      assertThat(receiveAll(other, 1)).hasSize(1);
    }
  }

  /** Its event loop threads, blocked in native code while they live, would hold up a JVM exiting after the close by 0.3 s. */
  @Test
  void closedQueueLeavesNoEventLoopThreadRunning() throws InterruptedException {
    Set<Thread> before = eventLoopThreads();
    TaskQueue queue = Providers.get("gcp").queue(config(), settings(LEASE, 3));
    queue.ensure();
    assertThat(queue.receive(1, Duration.ZERO)).isEmpty();
    Set<Thread> started = eventLoopThreads();
    started.removeAll(before);
    assertThat(started).as("the emulator channel's own event loop threads").isNotEmpty();

    queue.delete();
    queue.close();

    // close() returns once the group's termination future is done; each thread then still runs its last few
    // instructions, so on a loaded machine it may be alive for a moment: wait for it to end, bounded.
    for (Thread thread : started) {
      thread.join(Duration.ofSeconds(30).toMillis());
    }
    assertThat(started).as("event loop threads still alive after close").noneMatch(Thread::isAlive);
  }

  private static Set<Thread> eventLoopThreads() {
    Set<Thread> threads = new HashSet<>(Thread.getAllStackTraces().keySet());
    threads.removeIf(t -> !t.getName().startsWith("pubsub-emulator-eventloop"));
    return threads;
  }
}
