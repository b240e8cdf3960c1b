package dev.taskjob.provider.local;

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
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A job's queues as directories under {@code <root>/queues/<name>/}: {@code tasks/}, {@code dlq/} and
 * {@code events/}, each a {@link MessageDirectory}. Works across threads and processes on one
 * machine with no server; see the TaskQueue section of docs/architecture.md.
 *
 * <p>Receipts are {@code tasks/<attempt>~<messageId>} (or {@code dlq/...}); a receipt stays valid
 * across lease extensions in any process. {@link #extendLease} and {@link #release} on a lease that
 * expired and was taken by another receiver throw a non-retryable {@link QueueException}; {@link #ack}
 * of such a lease does nothing (the other delivery finishes the task).
 */
public final class LocalTaskQueue implements TaskQueue {

  /** How long a received event stays invisible before it is delivered again, unless configured. */
  static final Duration EVENT_LEASE = Duration.ofSeconds(60);

  private final QueueSettings settings;
  private final Path dir;
  private final MessageDirectory tasks;
  private final MessageDirectory deadLetters;
  private final MessageDirectory events;
  private final Duration eventLease;
  private volatile boolean receiving = true;

  public LocalTaskQueue(Path root, QueueSettings settings) {
    this(root, settings, EVENT_LEASE);
  }

  /** @param eventLease how long a received event stays invisible before it is delivered again */
  public LocalTaskQueue(Path root, QueueSettings settings, Duration eventLease) {
    this.settings = settings;
    this.eventLease = eventLease;
    this.dir = root.resolve("queues").resolve(settings.name());
    this.tasks = new MessageDirectory(settings.name(), dir.resolve("tasks"));
    this.deadLetters = new MessageDirectory(settings.name() + " (dead letters)", dir.resolve("dlq"));
    this.events = new MessageDirectory(settings.name() + " (events)", dir.resolve("events"), true);
  }

  /** The root from {@link ProviderConfig.Keys#LOCAL_ROOT}, else {@code ${java.io.tmpdir}/taskjob-local}. */
  public static Path root(ProviderConfig config) {
    String configured = config == null ? null : config.property(ProviderConfig.Keys.LOCAL_ROOT);
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    return Path.of(System.getProperty("java.io.tmpdir"), "taskjob-local");
  }

  /** The event lease from {@link ProviderConfig.Keys#LOCAL_EVENT_LEASE_SECONDS}, else {@link #EVENT_LEASE}. */
  public static Duration eventLease(ProviderConfig config) {
    String configured = config == null ? null : config.property(ProviderConfig.Keys.LOCAL_EVENT_LEASE_SECONDS);
    if (configured == null || configured.isBlank()) {
      return EVENT_LEASE;
    }
    long seconds = Long.parseLong(configured.trim());
    if (seconds <= 0) {
      throw new IllegalArgumentException(ProviderConfig.Keys.LOCAL_EVENT_LEASE_SECONDS + " must be positive: " + configured);
    }
    return Duration.ofSeconds(seconds);
  }

  /** The directory holding this job's queues. */
  public Path directory() {
    return dir;
  }

  @Override
  public QueueSettings settings() {
    return settings;
  }

  @Override
  public void ensure() {
    tasks.create();
    deadLetters.create();
    events.create();
  }

  @Override
  public boolean exists() {
    return tasks.exists();
  }

  @Override
  public void delete() {
    if (!Files.exists(dir)) {
      return;
    }
    // Rename first so that receivers see the queue gone at once rather than half deleted.
    Path doomed = dir.resolveSibling("." + settings.name() + ".deleting-" + UUID.randomUUID());
    try {
      Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException e) {
      throw new QueueException("cannot delete queue " + settings.name() + ": " + e.getMessage(), true, e);
    }
    deleteTree(doomed);
  }

  @Override
  public void delete(Set<dev.taskjob.core.queue.QueuePart> parts) {
    if (parts.containsAll(EnumSet.allOf(QueuePart.class))) {
      delete();
      return;
    }
    List<Path> doomed = new ArrayList<>();
    if (parts.contains(QueuePart.TASKS)) {
      doomed.add(dir.resolve("tasks"));
      doomed.add(dir.resolve("dlq"));
    }
    if (parts.contains(QueuePart.EVENTS)) {
      doomed.add(dir.resolve("events"));
    }
    for (Path part : doomed) {
      Path renamed = dir.resolve("." + part.getFileName() + ".deleting-" + UUID.randomUUID());
      try {
        Files.move(part, renamed, StandardCopyOption.ATOMIC_MOVE);
      } catch (NoSuchFileException e) {
        continue;
      } catch (IOException e) {
        throw new QueueException("cannot delete " + part + ": " + e.getMessage(), true, e);
      }
      deleteTree(renamed);
    }
  }

  @Override
  public void send(List<Task> toSend) {
    if (toSend.isEmpty()) {
      return;
    }
    List<String> bodies = new ArrayList<>(toSend.size());
    for (Task task : toSend) {
      bodies.add(Json.taskToJson(task));
    }
    tasks.append(bodies);
  }

  @Override
  public void stopReceiving() {
    receiving = false;
  }

  @Override
  public List<LeasedTask> receive(int maxTasks, Duration wait) {
    if (!receiving) {
      return List.of();
    }
    List<MessageDirectory.Message> messages =
        tasks.receive(maxTasks, settings.leaseDuration(), wait, settings.maxAttempts(), deadLetters,
            () -> !receiving);
    return toLeasedTasks(messages, "tasks/");
  }

  @Override
  public void extendLease(LeasedTask task, Duration leaseFromNow) {
    if (!directoryOf(task).extend(receiptOf(task), leaseFromNow)) {
      throw lost(task, "extend");
    }
  }

  @Override
  public void ack(LeasedTask task) {
    directoryOf(task).delete(receiptOf(task));
  }

  @Override
  public void release(LeasedTask task) {
    if (!directoryOf(task).release(receiptOf(task))) {
      throw lost(task, "release");
    }
  }

  /**
   * Counts from the directories. Tasks that were delivered {@code maxAttempts} times and are ready
   * again count as dead-lettered: the next receive moves them there.
   */
  @Override
  public QueueDepth depth() {
    MessageDirectory.Counts t = tasks.counts(settings.maxAttempts());
    MessageDirectory.Counts d = deadLetters.counts(0);
    return new QueueDepth(t.ready(), t.leased(), t.exhausted() + d.total());
  }

  /** Removes every task, leased or not, and every dead letter; events stay. */
  @Override
  public void purge() {
    tasks.purge();
    deadLetters.purge();
  }

  @Override
  public void purgeEvents() {
    events.purge();
  }

  @Override
  public void publishEvents(List<TaskEvent> toPublish) {
    if (toPublish.isEmpty()) {
      return;
    }
    List<String> bodies = new ArrayList<>(toPublish.size());
    for (TaskEvent event : toPublish) {
      bodies.add(Json.eventToJson(event));
    }
    events.append(bodies);
  }

  @Override
  public List<ReceivedEvent> receiveEvents(int maxEvents, Duration wait) {
    List<ReceivedEvent> out = new ArrayList<>();
    for (MessageDirectory.Message m : events.receive(maxEvents, eventLease, wait, 0, null)) {
      out.add(new ReceivedEvent(Json.eventFromJson(m.body()), m.receipt()));
    }
    return out;
  }

  /** The event lease ({@link #eventLease(ProviderConfig)}). */
  @Override
  public Duration eventRedelivery() {
    return eventLease;
  }

  @Override
  public void ackEvents(List<ReceivedEvent> received) {
    events.deleteBatches(received.stream().map(ReceivedEvent::receipt).toList());
  }

  @Override
  public List<LeasedTask> receiveDeadLetters(int maxTasks, Duration wait) {
    tasks.sweepExhausted(settings.maxAttempts(), deadLetters);
    return toLeasedTasks(deadLetters.receive(maxTasks, settings.leaseDuration(), wait, 0, null), "dlq/");
  }

  @Override
  public void close() {
    // Nothing held open: every operation opens and closes its files.
  }

  private static List<LeasedTask> toLeasedTasks(List<MessageDirectory.Message> messages, String prefix) {
    List<LeasedTask> out = new ArrayList<>(messages.size());
    for (MessageDirectory.Message m : messages) {
      out.add(new LeasedTask(Json.taskFromJson(m.body()), m.attempt(), prefix + m.receipt()));
    }
    return out;
  }

  private MessageDirectory directoryOf(LeasedTask task) {
    String receipt = task.receipt();
    if (receipt.startsWith("tasks/")) {
      return tasks;
    }
    if (receipt.startsWith("dlq/")) {
      return deadLetters;
    }
    throw new IllegalArgumentException("not a local queue receipt: " + receipt);
  }

  private static String receiptOf(LeasedTask task) {
    return task.receipt().substring(task.receipt().indexOf('/') + 1);
  }

  private QueueException lost(LeasedTask task, String operation) {
    return new QueueException("cannot " + operation + " task " + task.task().id() + " in queue " + settings.name()
        + ": its lease expired and it was delivered again (or it was acked or purged)", false);
  }

  private static void deleteTree(Path root) {
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new QueueException("cannot delete " + root + ": " + e.getMessage(), true, e);
    }
  }
}
