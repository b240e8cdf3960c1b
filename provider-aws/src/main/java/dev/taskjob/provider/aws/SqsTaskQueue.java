package dev.taskjob.provider.aws;

import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueDepth;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.core.queue.QueuePart;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.ReceivedEvent;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.Task;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageNotInflightException;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.PurgeQueueInProgressException;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDeletedRecentlyException;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.QueueNameExistsException;
import software.amazon.awssdk.services.sqs.model.ReceiptHandleIsInvalidException;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * A job's queues on Amazon SQS: standard queues {@code <name>-tasks} and {@code <name>-events}, and
 * {@code <name>-dlq} as the task queue's dead-letter queue through a redrive policy whose
 * {@code maxReceiveCount} is the job's max attempts. The task queue's visibility timeout is the lease.
 *
 * <p>Receipts are SQS receipt handles. Thread-safe: the SDK client is.
 */
public final class SqsTaskQueue implements TaskQueue {

  /** SQS limits: entries per batch call and bytes per message and per batch. */
  static final int MAX_BATCH_ENTRIES = 10;
  static final int MAX_BATCH_BYTES = 256 * 1024;
  /** Longest long poll SQS allows, in seconds. */
  static final int MAX_WAIT_SECONDS = 20;
  /** Longest visibility timeout SQS allows: 12 hours. */
  static final int MAX_VISIBILITY_SECONDS = 12 * 60 * 60;
  /** Keep messages as long as SQS allows (14 days): big jobs may wait in the queue for days. */
  static final int RETENTION_SECONDS = 14 * 24 * 60 * 60;
  static final Duration EVENT_VISIBILITY = Duration.ofSeconds(60);
  /** Rounds of resending entries that a batch response lists as failed. */
  static final int MAX_RESEND_ROUNDS = 8;

  private final SqsClient sqs;
  private final boolean ownsClient;
  private final QueueSettings settings;
  private final String tasksName;
  private final String eventsName;
  private final String deadLetterName;
  private final Map<String, String> urls = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile boolean receiving = true;

  /** Uses {@code sqs} without closing it. */
  public SqsTaskQueue(SqsClient sqs, QueueSettings settings) {
    this(sqs, false, settings);
  }

  private SqsTaskQueue(SqsClient sqs, boolean ownsClient, QueueSettings settings) {
    this.sqs = sqs;
    this.ownsClient = ownsClient;
    this.settings = settings;
    this.tasksName = settings.name() + "-tasks";
    this.eventsName = settings.name() + "-events";
    this.deadLetterName = settings.name() + "-dlq";
    int lease = (int) settings.leaseDuration().toSeconds();
    if (lease < 1 || lease > MAX_VISIBILITY_SECONDS) {
      throw new IllegalArgumentException("lease duration must be 1s..12h on SQS, was " + settings.leaseDuration());
    }
  }

  /** A queue with its own client, configured from {@code config} (see {@link AwsClientConfig}). */
  public static SqsTaskQueue create(ProviderConfig config, QueueSettings settings) {
    return new SqsTaskQueue(client(config), true, settings);
  }

  /** An SQS client for {@code config}, with a connection pool sized for concurrent batch sends. */
  public static SqsClient client(ProviderConfig config) {
    SqsClientBuilder builder = SqsClient.builder()
        .region(AwsClientConfig.region(config))
        .credentialsProvider(AwsClientConfig.credentials(config))
        .httpClientBuilder(ApacheHttpClient.builder().maxConnections(128));
    URI endpoint = AwsClientConfig.endpoint(config);
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    return builder.build();
  }

  @Override
  public QueueSettings settings() {
    return settings;
  }

  /** The SQS queue names: tasks, events, dead letters. */
  public List<String> queueNames() {
    return List.of(tasksName, eventsName, deadLetterName);
  }

  @Override
  public void ensure() {
    call("create queues", () -> {
      String deadLetterUrl = createOrUpdate(deadLetterName, Map.of(
          QueueAttributeName.MESSAGE_RETENTION_PERIOD, Integer.toString(RETENTION_SECONDS)));
      String deadLetterArn = sqs.getQueueAttributes(b -> b.queueUrl(deadLetterUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
          .attributes().get(QueueAttributeName.QUEUE_ARN);
      String redrive = "{\"deadLetterTargetArn\":\"" + deadLetterArn + "\",\"maxReceiveCount\":" + settings.maxAttempts() + "}";
      createOrUpdate(tasksName, Map.of(
          QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(settings.leaseDuration().toSeconds()),
          QueueAttributeName.MESSAGE_RETENTION_PERIOD, Integer.toString(RETENTION_SECONDS),
          QueueAttributeName.REDRIVE_POLICY, redrive));
      createOrUpdate(eventsName, Map.of(
          QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(EVENT_VISIBILITY.toSeconds()),
          QueueAttributeName.MESSAGE_RETENTION_PERIOD, Integer.toString(RETENTION_SECONDS)));
      return null;
    });
  }

  private String createOrUpdate(String name, Map<QueueAttributeName, String> attributes) {
    String url;
    try {
      url = sqs.createQueue(b -> b.queueName(name).attributes(attributes).tags(Map.of("taskjob:queue", settings.name())))
          .queueUrl();
    } catch (QueueNameExistsException e) {
      // Exists with other attributes (a job re-created with another lease): bring them up to date.
      url = sqs.getQueueUrl(b -> b.queueName(name)).queueUrl();
      String existing = url;
      sqs.setQueueAttributes(b -> b.queueUrl(existing).attributes(attributes));
    }
    urls.put(name, url);
    return url;
  }

  @Override
  public boolean exists() {
    try {
      url(tasksName);
      return true;
    } catch (QueueException e) {
      if (e.getCause() instanceof QueueDoesNotExistException) {
        return false;
      }
      throw e;
    }
  }

  @Override
  public void delete() {
    deleteQueues(List.of(tasksName, eventsName, deadLetterName));
  }

  @Override
  public void delete(Set<dev.taskjob.core.queue.QueuePart> parts) {
    List<String> names = new ArrayList<>();
    if (parts.contains(QueuePart.TASKS)) {
      names.addAll(List.of(tasksName, deadLetterName));
    }
    if (parts.contains(QueuePart.EVENTS)) {
      names.add(eventsName);
    }
    deleteQueues(names);
  }

  private void deleteQueues(List<String> names) {
    for (String name : names) {
      try {
        String url = sqs.getQueueUrl(b -> b.queueName(name)).queueUrl();
        sqs.deleteQueue(b -> b.queueUrl(url));
      } catch (QueueDoesNotExistException e) {
        // already gone
      } catch (SdkException e) {
        throw translate("delete queue " + name, e);
      }
      urls.remove(name);
    }
  }

  @Override
  public void send(List<Task> tasks) {
    sendBodies(tasksName, tasks, Json::taskToJson, t -> "task " + t.id());
  }

  @Override
  public void publishEvents(List<TaskEvent> events) {
    sendBodies(eventsName, events, Json::eventToJson, e -> "event " + e.eventType().jsonName());
  }

  /**
   * Sends in batches of up to 10 entries and 256 KiB. Entries a response lists as failed are resent
   * alone, with backoff; an entry the service blames on the sender (malformed) fails the call at once.
   */
  private <T> void sendBodies(String queue, List<T> items, Function<T, String> toBody, Function<T, String> describe) {
    // Check every size first: a too-large item fails the call before anything is sent.
    List<String> bodies = new ArrayList<>(items.size());
    int[] sizes = new int[items.size()];
    for (int i = 0; i < items.size(); i++) {
      String body = toBody.apply(items.get(i));
      sizes[i] = body.getBytes(StandardCharsets.UTF_8).length;
      if (sizes[i] > MAX_BATCH_BYTES) {
        throw new QueueException(describe.apply(items.get(i)) + " is " + sizes[i] + " bytes as a message; SQS accepts at most "
            + MAX_BATCH_BYTES + " (make its data smaller, or pass a reference to the data instead)", false);
      }
      bodies.add(body);
    }
    String url = url(queue);
    List<SendMessageBatchRequestEntry> batch = new ArrayList<>(MAX_BATCH_ENTRIES);
    Map<String, T> byEntryId = new HashMap<>();
    int batchBytes = 0;
    for (int i = 0; i < items.size(); i++) {
      if (batch.size() == MAX_BATCH_ENTRIES || batchBytes + sizes[i] > MAX_BATCH_BYTES) {
        sendBatch(url, queue, batch, byEntryId, describe);
        batch = new ArrayList<>(MAX_BATCH_ENTRIES);
        byEntryId = new HashMap<>();
        batchBytes = 0;
      }
      String entryId = Integer.toString(i);
      batch.add(SendMessageBatchRequestEntry.builder().id(entryId).messageBody(bodies.get(i)).build());
      byEntryId.put(entryId, items.get(i));
      batchBytes += sizes[i];
    }
    if (!batch.isEmpty()) {
      sendBatch(url, queue, batch, byEntryId, describe);
    }
  }

  private <T> void sendBatch(String url, String queue, List<SendMessageBatchRequestEntry> entries, Map<String, T> items,
      Function<T, String> describe) {
    List<SendMessageBatchRequestEntry> toSend = entries;
    long backoffMillis = 50;
    for (int round = 1; ; round++) {
      List<SendMessageBatchRequestEntry> sending = toSend;
      SendMessageBatchResponse response;
      try {
        response = sqs.sendMessageBatch(b -> b.queueUrl(url).entries(sending));
      } catch (SdkException e) {
        throw translate("send to " + queue, e);
      }
      if (response.failed().isEmpty()) {
        return;
      }
      List<SendMessageBatchRequestEntry> retry = new ArrayList<>();
      for (BatchResultErrorEntry failed : response.failed()) {
        T item = items.get(failed.id());
        if (Boolean.TRUE.equals(failed.senderFault())) {
          throw new QueueException("SQS rejected " + describe.apply(item) + ": " + failed.code() + " " + failed.message(), false);
        }
        sending.stream().filter(e -> e.id().equals(failed.id())).findFirst().ifPresent(retry::add);
      }
      if (round >= MAX_RESEND_ROUNDS) {
        BatchResultErrorEntry first = response.failed().get(0);
        throw new QueueException("SQS kept failing " + retry.size() + " entries of a batch to " + queue + " after "
            + round + " attempts (last: " + first.code() + " " + first.message() + ")", true);
      }
      toSend = retry;
      sleep(backoffMillis);
      backoffMillis = Math.min(backoffMillis * 2, 2_000);
    }
  }

  @Override
  public void stopReceiving() {
    // A long poll in progress cannot be cancelled through the synchronous client; close() ends it by
    // shutting down the client's connections. Receives after this return at once.
    receiving = false;
  }

  @Override
  public List<LeasedTask> receive(int maxTasks, Duration wait) {
    if (!receiving) {
      return List.of();
    }
    List<LeasedTask> out = new ArrayList<>();
    for (Message m : receiveMessages(tasksName, maxTasks, wait)) {
      out.add(new LeasedTask(Json.taskFromJson(m.body()), receiveCount(m), m.receiptHandle()));
    }
    return out;
  }

  @Override
  public List<LeasedTask> receiveDeadLetters(int maxTasks, Duration wait) {
    List<LeasedTask> out = new ArrayList<>();
    for (Message m : receiveMessages(deadLetterName, maxTasks, wait)) {
      out.add(new LeasedTask(Json.taskFromJson(m.body()), receiveCount(m), deadLetterName + "|" + m.receiptHandle()));
    }
    return out;
  }

  @Override
  public List<ReceivedEvent> receiveEvents(int maxEvents, Duration wait) {
    List<ReceivedEvent> out = new ArrayList<>();
    for (Message m : receiveMessages(eventsName, maxEvents, wait)) {
      out.add(new ReceivedEvent(Json.eventFromJson(m.body()), m.receiptHandle()));
    }
    return out;
  }

  /**
   * Long-polls for the first messages (SQS waits at most 20 s per call, so longer waits poll again),
   * then takes what is immediately available until {@code max} or an empty answer.
   */
  private List<Message> receiveMessages(String queue, int max, Duration wait) {
    String url = url(queue);
    List<Message> out = new ArrayList<>();
    long deadline = System.nanoTime() + Math.max(0, wait.toNanos());
    while (out.size() < max) {
      long remainingSeconds = Math.max(0, (deadline - System.nanoTime()) / 1_000_000_000L);
      int waitSeconds = out.isEmpty() ? (int) Math.min(MAX_WAIT_SECONDS, remainingSeconds) : 0;
      int count = Math.min(MAX_BATCH_ENTRIES, max - out.size());
      ReceiveMessageResponse response;
      try {
        response = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(count).waitTimeSeconds(waitSeconds)
            .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT));
      } catch (SdkException e) {
        throw translate("receive from " + queue, e);
      }
      out.addAll(response.messages());
      if (response.messages().isEmpty()) {
        if (!out.isEmpty() || System.nanoTime() >= deadline - 1_000_000_000L) {
          break;
        }
        // the long poll ended early and time is left: poll again
      }
    }
    return out;
  }

  private static int receiveCount(Message m) {
    String count = m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
    try {
      return count == null ? 1 : Integer.parseInt(count);
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  @Override
  public void extendLease(LeasedTask task, Duration leaseFromNow) {
    long seconds = Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, (leaseFromNow.toMillis() + 999) / 1000));
    changeVisibility(task, (int) seconds, "extend the lease of");
  }

  @Override
  public void release(LeasedTask task) {
    changeVisibility(task, 0, "release");
  }

  private void changeVisibility(LeasedTask task, int seconds, String what) {
    Handle handle = handle(task);
    try {
      sqs.changeMessageVisibility(b -> b.queueUrl(handle.url).receiptHandle(handle.receipt).visibilityTimeout(seconds));
    } catch (MessageNotInflightException | ReceiptHandleIsInvalidException e) {
      throw new QueueException("cannot " + what + " task " + task.task().id() + " in " + handle.queue
          + ": its lease expired and it was delivered again (or it was acked)", false, e);
    } catch (SdkException e) {
      throw translate(what + " task " + task.task().id(), e);
    }
  }

  @Override
  public void ack(LeasedTask task) {
    Handle handle = handle(task);
    try {
      sqs.deleteMessage(b -> b.queueUrl(handle.url).receiptHandle(handle.receipt));
    } catch (ReceiptHandleIsInvalidException e) {
      // The delivery is stale; the newer delivery will be acked by whoever holds it.
    } catch (SdkException e) {
      throw translate("ack task " + task.task().id(), e);
    }
  }

  /** The event queue's visibility timeout. */
  @Override
  public Duration eventRedelivery() {
    return EVENT_VISIBILITY;
  }

  @Override
  public void ackEvents(List<ReceivedEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    String url = url(eventsName);
    for (int from = 0; from < events.size(); from += MAX_BATCH_ENTRIES) {
      List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
      List<ReceivedEvent> part = events.subList(from, Math.min(events.size(), from + MAX_BATCH_ENTRIES));
      for (int i = 0; i < part.size(); i++) {
        entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i)).receiptHandle(part.get(i).receipt()).build());
      }
      DeleteMessageBatchResponse response;
      try {
        response = sqs.deleteMessageBatch(b -> b.queueUrl(url).entries(entries));
      } catch (SdkException e) {
        throw translate("ack events", e);
      }
      List<BatchResultErrorEntry> retryable = response.failed().stream()
          .filter(f -> !"ReceiptHandleIsInvalid".equals(f.code()) && !Boolean.TRUE.equals(f.senderFault())).toList();
      if (!retryable.isEmpty()) {
        throw new QueueException("SQS failed to delete " + retryable.size() + " events: " + retryable.get(0).message(), true);
      }
    }
  }

  /**
   * Approximate counts from SQS: waiting = visible + delayed messages; leased = in flight (not
   * visible); dead-lettered = everything in the dead-letter queue. SQS updates them within about a minute.
   */
  @Override
  public QueueDepth depth() {
    return call("read queue depth", () -> {
      GetQueueAttributesResponse tasks = sqs.getQueueAttributes(b -> b.queueUrl(url(tasksName)).attributeNames(
          QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
          QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED));
      GetQueueAttributesResponse dead = sqs.getQueueAttributes(b -> b.queueUrl(url(deadLetterName)).attributeNames(
          QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
      return new QueueDepth(
          count(tasks, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES) + count(tasks, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED),
          count(tasks, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE),
          count(dead, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES) + count(dead, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    });
  }

  private static long count(GetQueueAttributesResponse response, QueueAttributeName name) {
    String value = response.attributes().get(name);
    return value == null ? 0 : Long.parseLong(value);
  }

  /** Purges the task and dead-letter queues (SQS allows one purge per queue per minute; a running purge counts). */
  @Override
  public void purge() {
    purgeQueues(List.of(tasksName, deadLetterName));
  }

  @Override
  public void purgeEvents() {
    purgeQueues(List.of(eventsName));
  }

  private void purgeQueues(List<String> names) {
    for (String name : names) {
      try {
        String url = url(name);
        sqs.purgeQueue(b -> b.queueUrl(url));
      } catch (PurgeQueueInProgressException e) {
        // a purge from the last minute is still removing messages
      } catch (SdkException e) {
        throw translate("purge " + name, e);
      }
    }
  }

  @Override
  public void close() {
    if (ownsClient) {
      sqs.close();
    }
  }

  private record Handle(String queue, String url, String receipt) {}

  private Handle handle(LeasedTask task) {
    String receipt = task.receipt();
    String prefix = deadLetterName + "|";
    if (receipt.startsWith(prefix)) {
      return new Handle(deadLetterName, url(deadLetterName), receipt.substring(prefix.length()));
    }
    return new Handle(tasksName, url(tasksName), receipt);
  }

  private String url(String name) {
    String url = urls.get(name);
    if (url != null) {
      return url;
    }
    try {
      url = sqs.getQueueUrl(b -> b.queueName(name)).queueUrl();
    } catch (SdkException e) {
      throw translate("find queue " + name, e);
    }
    urls.put(name, url);
    return url;
  }

  private <T> T call(String what, java.util.function.Supplier<T> action) {
    try {
      return action.get();
    } catch (SdkException e) {
      throw translate(what, e);
    }
  }

  private QueueException translate(String what, SdkException e) {
    if (e instanceof QueueDoesNotExistException) {
      return new QueueException("cannot " + what + ": SQS queue does not exist (queues of " + settings.name()
          + " are created when the job starts loading)", false, e);
    }
    if (e instanceof QueueDeletedRecentlyException) {
      return new QueueException("cannot " + what + ": SQS refuses to re-create a queue within 60 s of deleting it", true, e);
    }
    if (e instanceof AwsServiceException ase) {
      boolean retryable = ase.isThrottlingException() || ase.statusCode() >= 500 || ase.retryable();
      String detail = ase.awsErrorDetails() == null ? ase.getMessage()
          : ase.awsErrorDetails().errorCode() + ": " + ase.awsErrorDetails().errorMessage();
      return new QueueException("cannot " + what + ": " + detail, retryable, e);
    }
    boolean retryable = e instanceof SdkClientException || e.retryable();
    return new QueueException("cannot " + what + ": " + e.getMessage(), retryable, e);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueException("interrupted while resending to SQS", true, e);
    }
  }
}
