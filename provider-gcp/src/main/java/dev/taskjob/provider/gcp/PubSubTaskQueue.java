package dev.taskjob.provider.gcp;

import com.google.api.core.ApiFuture;
import com.google.api.gax.batching.BatchingSettings;
import com.google.api.gax.grpc.GrpcCallContext;
import com.google.api.gax.rpc.AlreadyExistsException;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.DeadlineExceededException;
import com.google.api.gax.rpc.InvalidArgumentException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.api.gax.rpc.UnaryCallable;
import com.google.api.gax.rpc.UnimplementedException;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.cloud.pubsub.v1.SubscriptionAdminClient;
import com.google.cloud.pubsub.v1.TopicAdminClient;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import com.google.protobuf.UnsafeByteOperations;
import com.google.pubsub.v1.DeadLetterPolicy;
import com.google.pubsub.v1.ExpirationPolicy;
import com.google.pubsub.v1.PublishRequest;
import com.google.pubsub.v1.PublishResponse;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.PullRequest;
import com.google.pubsub.v1.PullResponse;
import com.google.pubsub.v1.ReceivedMessage;
import com.google.pubsub.v1.SeekRequest;
import com.google.pubsub.v1.Subscription;
import com.google.pubsub.v1.SubscriptionName;
import com.google.pubsub.v1.TopicName;
import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueDepth;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.core.queue.QueuePart;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.ReceivedEvent;
import dev.taskjob.core.queue.TaskMessage;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.Task;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

/**
 * A job's queues on Google Cloud Pub/Sub: topics and pull subscriptions {@code <name>-tasks} and
 * {@code <name>-events}, and {@code <name>-dlq} as the task subscription's dead-letter topic.
 *
 * <p>Pub/Sub accepts 5 to 100 delivery attempts in a dead-letter policy. The policy is set to
 * {@code maxAttempts} clamped to that range; for {@code maxAttempts} below 5 this class moves a task
 * delivered more often to the dead-letter topic itself (publish there, then ack), and above 100
 * Pub/Sub's limit of 100 applies. The subscription's ack deadline is the lease, clamped to Pub/Sub's
 * 10..600 s; a shorter lease is applied to each pulled message with {@code modifyAckDeadline}.
 *
 * <p>Receipts are ack ids. Pub/Sub answers success to an extension of an expired ack id, so a lost
 * lease is not detected here (the ledger counts the duplicate delivery). Depth is unknown (-1):
 * Pub/Sub offers no message count through its API (Cloud Monitoring has one, the emulator does not).
 * Thread-safe.
 */
public final class PubSubTaskQueue implements TaskQueue {

  static final int MIN_ACK_DEADLINE_SECONDS = 10;
  static final int MAX_ACK_DEADLINE_SECONDS = 600;
  static final int MIN_POLICY_ATTEMPTS = 5;
  static final int MAX_POLICY_ATTEMPTS = 100;
  /** Pub/Sub's limit on one message's data. */
  static final int MAX_MESSAGE_BYTES = 10_000_000;
  static final int MAX_PULL = 1000;
  /** Set by Pub/Sub (and by this class) on a dead-lettered message: deliveries before it was moved. */
  static final String DELIVERIES_ATTRIBUTE = "CloudPubSubDeadLetterSourceDeliveryCount";
  static final Duration EVENT_ACK_DEADLINE = Duration.ofSeconds(60);
  static final com.google.protobuf.Duration RETENTION = com.google.protobuf.Duration.newBuilder().setSeconds(7 * 24 * 3600).build();
  static final int MAX_RESEND_ROUNDS = 6;

  private final PubSubConnection connection;
  /** Built on first use: a loader into an existing queue needs no topic admin client (each costs a stub's start). */
  private TopicAdminClient topics;
  private SubscriptionAdminClient subscriptions;
  private final QueueSettings settings;
  private final TopicName tasksTopic;
  private final TopicName eventsTopic;
  private final TopicName deadLetterTopic;
  private final SubscriptionName tasksSubscription;
  private final SubscriptionName eventsSubscription;
  private final SubscriptionName deadLetterSubscription;
  /** Events and dead letters: the client library's batching publisher, which fills requests across threads. */
  private final Map<TopicName, Publisher> publishers = new ConcurrentHashMap<>();
  /** Tasks: straight through the publish RPC, a request per loader batch. */
  private PubSubBulkPublisher taskPublisher;
  /** Pulls of tasks in progress, for {@link #stopReceiving} to cancel. */
  private final Set<ApiFuture<PullResponse>> taskPulls = ConcurrentHashMap.newKeySet();
  private volatile boolean receiving = true;

  private PubSubTaskQueue(PubSubConnection connection, QueueSettings settings) {
    this.connection = connection;
    this.settings = settings;
    String project = connection.project();
    this.tasksTopic = TopicName.of(project, settings.name() + "-tasks");
    this.eventsTopic = TopicName.of(project, settings.name() + "-events");
    this.deadLetterTopic = TopicName.of(project, settings.name() + "-dlq");
    this.tasksSubscription = SubscriptionName.of(project, settings.name() + "-tasks");
    this.eventsSubscription = SubscriptionName.of(project, settings.name() + "-events");
    this.deadLetterSubscription = SubscriptionName.of(project, settings.name() + "-dlq");
  }

  /** A queue with its own clients, configured from {@code config} (see {@link PubSubConnection}). */
  public static PubSubTaskQueue create(ProviderConfig config, QueueSettings settings) {
    return new PubSubTaskQueue(PubSubConnection.open(config), settings);
  }

  private synchronized TopicAdminClient topics() {
    if (topics == null) {
      try {
        topics = TopicAdminClient.create(connection.topicAdminSettings());
      } catch (IOException e) {
        throw new QueueException("cannot create a Pub/Sub topic admin client: " + e.getMessage(), true, e);
      }
    }
    return topics;
  }

  private synchronized SubscriptionAdminClient subscriptions() {
    if (subscriptions == null) {
      try {
        subscriptions = SubscriptionAdminClient.create(connection.subscriptionAdminSettings());
      } catch (IOException e) {
        throw new QueueException("cannot create a Pub/Sub subscription admin client: " + e.getMessage(), true, e);
      }
    }
    return subscriptions;
  }

  /** Builds the topic admin client, whose publish RPC sends the tasks, ahead of the first send. */
  @Override
  public void prepareSend() {
    taskPublisher();
  }

  private synchronized PubSubBulkPublisher taskPublisher() {
    if (taskPublisher == null) {
      taskPublisher = new PubSubBulkPublisher(topics().publishCallable(), Duration.ofMillis(100));
    }
    return taskPublisher;
  }

  /** Sends tasks through {@code wrap} of the publish RPC, with no wait between attempts: for tests that inject failures. */
  synchronized void wrapTaskPublish(UnaryOperator<UnaryCallable<PublishRequest, PublishResponse>> wrap) {
    taskPublisher = new PubSubBulkPublisher(wrap.apply(topics().publishCallable()), Duration.ZERO);
  }

  @Override
  public QueueSettings settings() {
    return settings;
  }

  /** Attempts in the subscription's dead-letter policy: max attempts within Pub/Sub's 5..100. */
  static int policyAttempts(int maxAttempts) {
    return Math.max(MIN_POLICY_ATTEMPTS, Math.min(MAX_POLICY_ATTEMPTS, maxAttempts));
  }

  /** Seconds for the subscription's ack deadline. */
  static int subscriptionAckDeadline(Duration lease) {
    return (int) Math.max(MIN_ACK_DEADLINE_SECONDS, Math.min(MAX_ACK_DEADLINE_SECONDS, lease.toSeconds()));
  }

  private int leaseSeconds() {
    return (int) Math.max(1, Math.min(MAX_ACK_DEADLINE_SECONDS, settings.leaseDuration().toSeconds()));
  }

  @Override
  public void ensure() {
    call("create topics and subscriptions", () -> {
      for (TopicName topic : List.of(deadLetterTopic, tasksTopic, eventsTopic)) {
        try {
          topics().createTopic(topic);
        } catch (AlreadyExistsException e) {
          // idempotent
        }
      }
      createSubscription(Subscription.newBuilder().setName(deadLetterSubscription.toString())
          .setTopic(deadLetterTopic.toString()).setAckDeadlineSeconds(subscriptionAckDeadline(settings.leaseDuration())));
      createSubscription(Subscription.newBuilder().setName(tasksSubscription.toString())
          .setTopic(tasksTopic.toString()).setAckDeadlineSeconds(subscriptionAckDeadline(settings.leaseDuration()))
          .setDeadLetterPolicy(DeadLetterPolicy.newBuilder().setDeadLetterTopic(deadLetterTopic.toString())
              .setMaxDeliveryAttempts(policyAttempts(settings.maxAttempts()))));
      createSubscription(Subscription.newBuilder().setName(eventsSubscription.toString())
          .setTopic(eventsTopic.toString()).setAckDeadlineSeconds((int) EVENT_ACK_DEADLINE.toSeconds()));
      return null;
    });
  }

  private void createSubscription(Subscription.Builder subscription) {
    try {
      // Keep undelivered messages as long as Pub/Sub allows, and never expire an idle subscription:
      // a big job's tasks may wait for days.
      subscriptions().createSubscription(subscription.setMessageRetentionDuration(RETENTION)
          .setExpirationPolicy(ExpirationPolicy.getDefaultInstance()).build());
    } catch (AlreadyExistsException e) {
      // idempotent
    }
  }

  @Override
  public boolean exists() {
    try {
      subscriptions().getSubscription(tasksSubscription);
      return true;
    } catch (NotFoundException e) {
      return false;
    } catch (ApiException e) {
      throw translate("look up " + tasksSubscription.getSubscription(), e);
    }
  }

  @Override
  public void delete() {
    deleteQueues(List.of(tasksSubscription, eventsSubscription, deadLetterSubscription),
        List.of(tasksTopic, eventsTopic, deadLetterTopic));
  }

  @Override
  public void delete(Set<dev.taskjob.core.queue.QueuePart> parts) {
    List<SubscriptionName> subscriptionsToDelete = new ArrayList<>();
    List<TopicName> topicsToDelete = new ArrayList<>();
    if (parts.contains(QueuePart.TASKS)) {
      subscriptionsToDelete.addAll(List.of(tasksSubscription, deadLetterSubscription));
      topicsToDelete.addAll(List.of(tasksTopic, deadLetterTopic));
    }
    if (parts.contains(QueuePart.EVENTS)) {
      subscriptionsToDelete.add(eventsSubscription);
      topicsToDelete.add(eventsTopic);
    }
    deleteQueues(subscriptionsToDelete, topicsToDelete);
  }

  private void deleteQueues(List<SubscriptionName> subscriptionsToDelete, List<TopicName> topicsToDelete) {
    for (SubscriptionName s : subscriptionsToDelete) {
      try {
        subscriptions().deleteSubscription(s);
      } catch (NotFoundException e) {
        // already gone
      } catch (ApiException e) {
        throw translate("delete subscription " + s.getSubscription(), e);
      }
    }
    for (TopicName t : topicsToDelete) {
      shutdown(publishers.remove(t));
      try {
        topics().deleteTopic(t);
      } catch (NotFoundException e) {
        // already gone
      } catch (ApiException e) {
        throw translate("delete topic " + t.getTopic(), e);
      }
    }
  }

  @Override
  public void send(List<Task> tasks) {
    publishTasks(tasks.size(), i -> Json.taskToJsonBytes(tasks.get(i)), i -> "task " + tasks.get(i).id());
  }

  /** Sends the bytes as they are (no copy): the loader's path, which encoded the tasks while validating. */
  @Override
  public void sendMessages(List<TaskMessage> tasks) {
    publishTasks(tasks.size(), i -> tasks.get(i).body(), i -> "the task at index " + tasks.get(i).index());
  }

  /** Publishes task messages {@code 0..count-1} through the bulk publisher, each refused first if too large. */
  private void publishTasks(int count, IntFunction<byte[]> body, IntFunction<String> describe) {
    List<PubsubMessage> messages = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] data = body.apply(i);
      if (data.length > MAX_MESSAGE_BYTES) {
        throw tooLarge(describe.apply(i), data.length);
      }
      messages.add(PubsubMessage.newBuilder().setData(UnsafeByteOperations.unsafeWrap(data)).build());
    }
    taskPublisher().publish(tasksTopic, messages, describe);
  }

  private static QueueException tooLarge(String what, int bytes) {
    return new QueueException(what + " is " + bytes + " bytes as a message; Pub/Sub accepts at most "
        + MAX_MESSAGE_BYTES + " (make its data smaller, or pass a reference to the data instead)", false);
  }

  @Override
  public void publishEvents(List<TaskEvent> events) {
    publish(eventsTopic, events, Json::eventToJson, e -> "event " + e.eventType().jsonName(), Map.of());
  }

  /**
   * Publishes through the client library's batching publisher (one per topic, shared by all
   * threads, so concurrent senders fill each other's batches) and waits until every message is
   * accepted; messages whose publish failed with a retryable error are published again.
   */
  private <T> void publish(TopicName topic, List<T> items, Function<T, String> toBody, Function<T, String> describe,
      Map<String, String> attributes) {
    List<PubsubMessage> messages = new ArrayList<>(items.size());
    for (T item : items) {
      ByteString data = ByteString.copyFromUtf8(toBody.apply(item));
      if (data.size() > MAX_MESSAGE_BYTES) {
        throw tooLarge(describe.apply(item), data.size());
      }
      messages.add(PubsubMessage.newBuilder().setData(data).putAllAttributes(attributes).build());
    }
    Publisher publisher = publisher(topic);
    List<Integer> pending = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      pending.add(i);
    }
    long backoffMillis = 100;
    for (int round = 1; !pending.isEmpty(); round++) {
      List<ApiFuture<String>> futures = new ArrayList<>(pending.size());
      for (int i : pending) {
        futures.add(publisher.publish(messages.get(i)));
      }
      List<Integer> failed = new ArrayList<>();
      ApiException lastError = null;
      for (int k = 0; k < futures.size(); k++) {
        try {
          futures.get(k).get();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof ApiException api && api.isRetryable()) {
            failed.add(pending.get(k));
            lastError = api;
          } else if (e.getCause() instanceof NotFoundException nf) {
            throw translate("publish to " + topic.getTopic(), nf);
          } else {
            throw new QueueException("Pub/Sub refused " + describe.apply(items.get(pending.get(k))) + ": "
                + e.getCause().getMessage(), false, e.getCause());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new QueueException("interrupted while publishing to " + topic.getTopic(), true, e);
        }
      }
      if (!failed.isEmpty() && round >= MAX_RESEND_ROUNDS) {
        throw new QueueException("Pub/Sub kept failing " + failed.size() + " messages to " + topic.getTopic() + " after "
            + round + " attempts: " + lastError.getMessage(), true, lastError);
      }
      if (!failed.isEmpty()) {
        sleep(backoffMillis);
        backoffMillis = Math.min(backoffMillis * 2, 5_000);
      }
      pending = failed;
    }
  }

  private Publisher publisher(TopicName topic) {
    return publishers.computeIfAbsent(topic, t -> {
      try {
        Publisher.Builder b = Publisher.newBuilder(t)
            .setCredentialsProvider(connection.credentialsProvider())
            // Large batches, a short linger: a loader's concurrent sends fill requests of ~1000
            // messages instead of paying a round trip per handful.
            .setBatchingSettings(BatchingSettings.newBuilder()
                .setElementCountThreshold(1000L)
                .setRequestByteThreshold(4L * 1024 * 1024)
                .setDelayThresholdDuration(Duration.ofMillis(5))
                .build());
        if (connection.channelProvider() != null) {
          b.setChannelProvider(connection.channelProvider());
        }
        return b.build();
      } catch (IOException e) {
        throw new QueueException("cannot create a Pub/Sub publisher for " + t.getTopic() + ": " + e.getMessage(), true, e);
      }
    });
  }

  @Override
  public void stopReceiving() {
    receiving = false;
    taskPulls.forEach(pull -> pull.cancel(true));
  }

  @Override
  public List<LeasedTask> receive(int maxTasks, Duration wait) {
    if (!receiving) {
      return List.of();
    }
    List<ReceivedMessage> pulled = pull(tasksSubscription, maxTasks, wait);
    if (pulled.isEmpty()) {
      return List.of();
    }
    int lease = leaseSeconds();
    if (lease < subscriptionAckDeadline(settings.leaseDuration())) {
      modifyAckDeadline(tasksSubscription, pulled.stream().map(ReceivedMessage::getAckId).toList(), lease);
    }
    List<LeasedTask> out = new ArrayList<>(pulled.size());
    List<ReceivedMessage> exhausted = new ArrayList<>();
    for (ReceivedMessage m : pulled) {
      int attempt = Math.max(1, m.getDeliveryAttempt());
      if (attempt > settings.maxAttempts()) {
        exhausted.add(m);
      } else {
        out.add(new LeasedTask(Json.taskFromJson(m.getMessage().getData().toStringUtf8()), attempt, m.getAckId()));
      }
    }
    if (!exhausted.isEmpty()) {
      deadLetter(exhausted);
    }
    return out;
  }

  /** Dead-letters in code what Pub/Sub's policy (at least 5 attempts) would redeliver: publish to the DLQ, then ack. */
  private void deadLetter(List<ReceivedMessage> exhausted) {
    Publisher publisher = publisher(deadLetterTopic);
    List<ApiFuture<String>> futures = new ArrayList<>();
    for (ReceivedMessage m : exhausted) {
      futures.add(publisher.publish(m.getMessage().toBuilder().clearMessageId().clearPublishTime()
          .putAttributes(DELIVERIES_ATTRIBUTE, Integer.toString(m.getDeliveryAttempt() - 1)).build()));
    }
    List<String> moved = new ArrayList<>();
    for (int i = 0; i < futures.size(); i++) {
      try {
        futures.get(i).get(30, TimeUnit.SECONDS);
        moved.add(exhausted.get(i).getAckId());
      } catch (Exception e) {
        // Not acked: the task is delivered again and dead-lettered on a later receive.
      }
    }
    if (!moved.isEmpty()) {
      acknowledge(tasksSubscription, moved);
    }
  }

  @Override
  public List<LeasedTask> receiveDeadLetters(int maxTasks, Duration wait) {
    List<LeasedTask> out = new ArrayList<>();
    for (ReceivedMessage m : pull(deadLetterSubscription, maxTasks, wait)) {
      String deliveries = m.getMessage().getAttributesOrDefault(DELIVERIES_ATTRIBUTE, "");
      int attempt = deliveries.matches("\\d+") ? Integer.parseInt(deliveries) : Math.max(1, m.getDeliveryAttempt());
      out.add(new LeasedTask(Json.taskFromJson(m.getMessage().getData().toStringUtf8()), attempt,
          DLQ_PREFIX + m.getAckId()));
    }
    return out;
  }

  private static final String DLQ_PREFIX = "dlq|";

  @Override
  public List<ReceivedEvent> receiveEvents(int maxEvents, Duration wait) {
    List<ReceivedEvent> out = new ArrayList<>();
    for (ReceivedMessage m : pull(eventsSubscription, maxEvents, wait)) {
      out.add(new ReceivedEvent(Json.eventFromJson(m.getMessage().getData().toStringUtf8()), m.getAckId()));
    }
    return out;
  }

  /**
   * Synchronous pull: waits up to {@code wait} for the first messages (a pull may return early and
   * empty, so it pulls again while time is left), then takes what is immediately available.
   */
  private List<ReceivedMessage> pull(SubscriptionName subscription, int max, Duration wait) {
    List<ReceivedMessage> out = new ArrayList<>();
    long deadline = System.nanoTime() + Math.max(0, wait.toNanos());
    while (out.size() < max) {
      long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
      boolean waitForMessages = out.isEmpty() && remainingMillis > 0;
      PullRequest request = PullRequest.newBuilder().setSubscription(subscription.toString())
          .setMaxMessages(Math.min(MAX_PULL, max - out.size()))
          .setReturnImmediately(!waitForMessages)
          .build();
      PullResponse response;
      try {
        GrpcCallContext context = GrpcCallContext.createDefault()
            .withTimeoutDuration(Duration.ofMillis(waitForMessages ? Math.max(remainingMillis, 100) : 10_000));
        response = call(subscription, request, context);
      } catch (DeadlineExceededException e) {
        break;
      } catch (ApiException e) {
        throw translate("pull from " + subscription.getSubscription(), e);
      }
      if (response == null) {
        break; // cancelled by stopReceiving
      }
      out.addAll(response.getReceivedMessagesList());
      if (response.getReceivedMessagesCount() == 0 && (!out.isEmpty() || System.nanoTime() >= deadline)) {
        break;
      }
    }
    return out;
  }

  /**
   * One pull. A pull of tasks is kept where {@link #stopReceiving} can cancel it; then this returns null.
   * A pull that the cancel reaches after Pub/Sub answered loses nothing: unacked messages come back once
   * their ack deadline passes.
   */
  private PullResponse call(SubscriptionName subscription, PullRequest request, GrpcCallContext context) {
    if (!subscription.equals(tasksSubscription)) {
      return subscriptions().pullCallable().call(request, context);
    }
    ApiFuture<PullResponse> future = subscriptions().pullCallable().futureCall(request, context);
    taskPulls.add(future);
    try {
      if (!receiving) {
        future.cancel(true);
      }
      return future.get();
    } catch (CancellationException e) {
      return null;
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new QueueException("interrupted while pulling from " + subscription.getSubscription(), true, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ApiException api) {
        throw api;
      }
      throw new QueueException("pull from " + subscription.getSubscription() + " failed: " + e.getCause(), true,
          e.getCause());
    } finally {
      taskPulls.remove(future);
    }
  }

  @Override
  public void extendLease(LeasedTask task, Duration leaseFromNow) {
    int seconds = (int) Math.max(0, Math.min(MAX_ACK_DEADLINE_SECONDS, (leaseFromNow.toMillis() + 999) / 1000));
    modifyAckDeadline(subscriptionOf(task), List.of(ackIdOf(task)), seconds, task);
  }

  @Override
  public void release(LeasedTask task) {
    modifyAckDeadline(subscriptionOf(task), List.of(ackIdOf(task)), 0, task);
  }

  @Override
  public void ack(LeasedTask task) {
    acknowledge(subscriptionOf(task), List.of(ackIdOf(task)));
  }

  /** The event subscription's ack deadline. */
  @Override
  public Duration eventRedelivery() {
    return EVENT_ACK_DEADLINE;
  }

  @Override
  public void ackEvents(List<ReceivedEvent> events) {
    if (!events.isEmpty()) {
      acknowledge(eventsSubscription, events.stream().map(ReceivedEvent::receipt).toList());
    }
  }

  private void acknowledge(SubscriptionName subscription, List<String> ackIds) {
    for (int from = 0; from < ackIds.size(); from += MAX_PULL) {
      List<String> part = ackIds.subList(from, Math.min(ackIds.size(), from + MAX_PULL));
      try {
        subscriptions().acknowledge(subscription, part);
      } catch (InvalidArgumentException e) {
        // An expired ack id: the message was delivered again and the newer delivery will be acked.
      } catch (ApiException e) {
        throw translate("ack in " + subscription.getSubscription(), e);
      }
    }
  }

  private void modifyAckDeadline(SubscriptionName subscription, List<String> ackIds, int seconds) {
    modifyAckDeadline(subscription, ackIds, seconds, null);
  }

  private void modifyAckDeadline(SubscriptionName subscription, List<String> ackIds, int seconds, LeasedTask task) {
    try {
      subscriptions().modifyAckDeadline(subscription, ackIds, seconds);
    } catch (InvalidArgumentException e) {
      String what = task == null ? ackIds.size() + " messages" : "task " + task.task().id();
      throw new QueueException("cannot change the lease of " + what + " in " + subscription.getSubscription()
          + ": its ack id expired (it was delivered again or acked)", false, e);
    } catch (ApiException e) {
      throw translate("change the lease in " + subscription.getSubscription(), e);
    }
  }

  /** Pub/Sub has no message count in its API, and the emulator has no Cloud Monitoring: unknown. */
  @Override
  public QueueDepth depth() {
    if (!exists()) {
      throw new QueueException("Pub/Sub subscription " + tasksSubscription.getSubscription() + " does not exist", false);
    }
    return new QueueDepth(-1, -1, -1);
  }

  /** Acks every task and dead letter published so far (a seek to now); events stay. */
  @Override
  public void purge() {
    purgeSubscriptions(List.of(tasksSubscription, deadLetterSubscription));
  }

  @Override
  public void purgeEvents() {
    purgeSubscriptions(List.of(eventsSubscription));
  }

  /** Seeks each subscription to now, which acknowledges everything published before. */
  private void purgeSubscriptions(List<SubscriptionName> toPurge) {
    Timestamp now = toTimestamp(Instant.now());
    for (SubscriptionName s : toPurge) {
      try {
        subscriptions().seek(SeekRequest.newBuilder().setSubscription(s.toString()).setTime(now).build());
      } catch (UnimplementedException e) {
        drain(s);
      } catch (ApiException e) {
        throw translate("purge " + s.getSubscription(), e);
      }
    }
  }

  /** Purge where seek is unavailable: pull and ack until a pull comes back empty (bounded). */
  private void drain(SubscriptionName subscription) {
    for (int round = 0; round < 10_000; round++) {
      List<ReceivedMessage> got = pull(subscription, MAX_PULL, Duration.ZERO);
      if (got.isEmpty()) {
        return;
      }
      acknowledge(subscription, got.stream().map(ReceivedMessage::getAckId).toList());
    }
  }

  @Override
  public void close() {
    publishers.values().forEach(PubSubTaskQueue::shutdown);
    publishers.clear();
    synchronized (this) {
      if (topics != null) {
        topics.close();
      }
      if (subscriptions != null) {
        subscriptions.close();
      }
    }
    connection.close();
  }

  private static void shutdown(Publisher publisher) {
    if (publisher == null) {
      return;
    }
    publisher.shutdown();
    try {
      publisher.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private SubscriptionName subscriptionOf(LeasedTask task) {
    return task.receipt().startsWith(DLQ_PREFIX) ? deadLetterSubscription : tasksSubscription;
  }

  private static String ackIdOf(LeasedTask task) {
    return task.receipt().startsWith(DLQ_PREFIX) ? task.receipt().substring(DLQ_PREFIX.length()) : task.receipt();
  }

  private static Timestamp toTimestamp(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }

  private <T> T call(String what, java.util.function.Supplier<T> action) {
    try {
      return action.get();
    } catch (ApiException e) {
      throw translate(what, e);
    }
  }

  private QueueException translate(String what, ApiException e) {
    if (e instanceof NotFoundException) {
      return new QueueException("cannot " + what + ": the Pub/Sub topic or subscription does not exist (queues of "
          + settings.name() + " are created when the job starts loading)", false, e);
    }
    return new QueueException("cannot " + what + ": " + e.getStatusCode().getCode() + " " + e.getMessage(), e.isRetryable(), e);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueException("interrupted while publishing to Pub/Sub", true, e);
    }
  }
}
