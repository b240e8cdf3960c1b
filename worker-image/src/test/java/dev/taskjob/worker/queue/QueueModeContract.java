package dev.taskjob.worker.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.ReceivedEvent;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.Task;
import dev.taskjob.core.task.TaskGenerator;
import dev.taskjob.worker.Await;
import dev.taskjob.worker.WorkerMain;
import dev.taskjob.core.cloud.StopNotice;
import dev.taskjob.worker.spot.FakeMetadataServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker taking tasks from a job's queue, run against each provider's queue implementation (the
 * directory queue, SQS on moto, the Pub/Sub emulator). Workers run in this JVM, each with its own
 * work directory and event log; task processes are real.
 */
abstract class QueueModeContract {

  private static final AtomicInteger QUEUE_COUNTER = new AtomicInteger();
  /**
   * Upper bound for any wait in these tests, a safety net: they normally take a few seconds, and a clean-clone CI
   * run on 2 cores at load average 10 to 50 can take far longer than a minute.
   */
  static final Duration PATIENCE = Duration.ofMinutes(5);

  @TempDir Path dir;
  private final List<TaskQueue> opened = new ArrayList<>();
  private final ExecutorService workers = Executors.newCachedThreadPool();

  abstract String provider();

  /** Options that point a worker at this provider's queue service. */
  abstract List<String> providerArgs();

  abstract ProviderConfig config();

  /** Whether the provider reports how many tasks are waiting. */
  boolean reportsDepth() {
    return true;
  }

  /**
   * Whether the queue may hand one message to two receivers at once. SQS standard queues and Pub/Sub deliver at
   * least once (the ledger counts the extra run as a duplicate); moto's receive is not atomic across concurrent
   * calls, and a clean-clone run saw two workers' first receives both get one task. The local queue leases each
   * message under a file lock: exactly once.
   */
  boolean mayDeliverTwice() {
    return false;
  }

  @AfterEach
  void cleanUp() throws InterruptedException {
    workers.shutdownNow();
    workers.awaitTermination(30, TimeUnit.SECONDS);
    opened.forEach(q -> {
      q.delete();
      q.close();
    });
  }

  TaskQueue open(Duration lease, int deliveries) {
    QueueSettings settings = new QueueSettings("tj-worker-" + provider() + "-" + QUEUE_COUNTER.incrementAndGet()
        + "-" + ProcessHandle.current().pid(), lease, deliveries);
    TaskQueue queue = Providers.get(provider()).queue(config(), settings);
    queue.ensure();
    opened.add(queue);
    return queue;
  }

  static List<Task> tasks(int count) {
    TaskGenerator generator = TaskGenerator.ofCount(count);
    return LongStream.range(0, count).mapToObj(generator::task).toList();
  }

  /** Starts a worker on {@code queue} in this JVM; its files are under {@code dir/name}. */
  Future<Integer> startWorker(String name, TaskQueue queue, String... args) {
    List<String> all = new ArrayList<>(List.of("--provider", provider(), "--queue-name", queue.settings().name(),
        "--lease-seconds", Long.toString(queue.settings().leaseDuration().toSeconds()),
        "--max-interruptions", Integer.toString(queue.settings().maxAttempts() - 1),
        "--work-dir", dir.resolve(name).toString(), "--event-log-file", eventLog(name).toString(),
        "--heartbeat-interval", "0", "--instance-id", name));
    all.addAll(providerArgs());
    all.addAll(List.of(args));
    return workers.submit(() -> WorkerMain.execute(all.toArray(String[]::new)));
  }

  Path eventLog(String worker) {
    return dir.resolve(worker + "-events.log");
  }

  List<TaskEvent> events(String worker) {
    try {
      if (!Files.exists(eventLog(worker))) {
        return List.of();
      }
      return Files.readAllLines(eventLog(worker)).stream().filter(l -> !l.isBlank()).map(Json::eventFromJson).toList();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  List<TaskEvent> events(String worker, EventType type) {
    return events(worker).stream().filter(e -> e.eventType() == type).toList();
  }

  static int await(Future<Integer> worker) throws Exception {
    return worker.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
  }

  static void awaitCondition(String what, Supplier<Boolean> condition) throws InterruptedException {
    Await.until(what, PATIENCE, condition);
  }

  @Test
  void everyQueuedTaskRunsAcrossTwoWorkersOnceWhereTheQueueDeliversOnce() throws Exception {
    TaskQueue queue = open(Duration.ofSeconds(30), 3);
    queue.send(tasks(24));
    Path out = Files.createDirectory(dir.resolve("out"));
    // Where the queue delivers exactly once a second run of a task fails (noclobber) and so fails its worker;
    // where it may deliver twice, each run appends a line.
    String marker = mayDeliverTwice() ? "echo $TASK_ID >> " + out + "/$TASK_ID"
        : "set -C; echo $TASK_ID > " + out + "/$TASK_ID";

    // Idle time counts from a worker's start: two JVM-sharing workers on a loaded machine may take over a
    // second for their first receive, so "empty" must mean longer than that.
    Future<Integer> a = startWorker("a", queue, "--num-simultaneous-tasks", "3", "--exit-when-empty", "5", "--", marker);
    Future<Integer> b = startWorker("b", queue, "--num-simultaneous-tasks", "3", "--exit-when-empty", "5", "--", marker);

    assertThat(await(a)).isZero();
    assertThat(await(b)).isZero();
    try (var files = Files.list(out)) {
      assertThat(files.count()).isEqualTo(24);
    }
    List<TaskEvent> completed = new ArrayList<>(events("a", EventType.TASK_COMPLETED));
    completed.addAll(events("b", EventType.TASK_COMPLETED));
    List<String> ids = tasks(24).stream().map(Task::id).toList();
    if (mayDeliverTwice()) {
      assertThat(completed).extracting(TaskEvent::taskId).containsAll(ids);
      assertThat(completed).extracting(TaskEvent::taskId).allMatch(ids::contains);
    } else {
      assertThat(completed).extracting(TaskEvent::taskId).doesNotHaveDuplicates().hasSize(24);
    }
    assertThat(queue.receive(10, Duration.ofMillis(500))).as("every task acknowledged").isEmpty();
    if (reportsDepth()) {
      assertThat(queue.depth().unfinished()).isZero();
    }
  }

  @Test
  void extendsTheLeaseOfALongTaskSoItIsNotDeliveredTwice() throws Exception {
    Duration lease = Duration.ofSeconds(2);
    TaskQueue queue = open(lease, 3);
    queue.send(tasks(1));

    Future<Integer> worker = startWorker("long", queue, "--num-simultaneous-tasks", "1", "--exit-when-empty", "1",
        "--", "sleep", "5");
    awaitCondition("the task started", () -> !events("long", EventType.TASK_STARTED).isEmpty());
    // While the task runs for more than twice its lease, nobody else may receive it.
    List<LeasedTask> stolen = new ArrayList<>();
    while (!worker.isDone() && stolen.isEmpty()) {
      stolen.addAll(queue.receive(1, Duration.ofMillis(500)));
    }

    assertThat(stolen).as("deliveries to another receiver while the task ran").isEmpty();
    assertThat(await(worker)).isZero();
    TaskEvent done = events("long", EventType.TASK_COMPLETED).get(0);
    assertThat(done.elapsedTime()).isGreaterThan(2 * lease.toSeconds());
    assertThat(events("long", EventType.TASK_STARTED)).hasSize(1);
    assertThat(queue.receive(1, Duration.ofMillis(500))).as("acknowledged when done").isEmpty();
  }

  @Test
  void preemptionNoticeReleasesLeasesAndAnotherWorkerRunsTheTasks() throws Exception {
    // Leases far longer than the test: tasks come back quickly only if the preempted worker releases them.
    TaskQueue queue = open(Duration.ofSeconds(120), 5);
    queue.send(tasks(4));
    try (FakeMetadataServer metadata = new FakeMetadataServer()) {
      Future<Integer> preempted = startWorker("preempted", queue, "--num-simultaneous-tasks", "2",
          "--preemption-check", "aws", "--metadata-url", metadata.baseUrl(), "--preemption-poll-interval", "0.1",
          "--", "sleep", "60");
      awaitCondition("two tasks started", () -> events("preempted", EventType.TASK_STARTED).size() == 2);
      metadata.announce(Instant.now().plusSeconds(3));

      assertThat(await(preempted)).isZero();
      assertThat(events("preempted", EventType.SPOT_INTERRUPTION)).hasSize(1);
      assertThat(events("preempted", EventType.TASK_RETRIED)).hasSize(2)
          .allSatisfy(e -> assertThat(e.message()).contains("spot interruption", "released"));
      assertThat(events("preempted", EventType.TASK_COMPLETED)).isEmpty();
    }

    Future<Integer> replacement = startWorker("replacement", queue, "--num-simultaneous-tasks", "4",
        "--exit-when-empty", "1", "--", "true");
    assertThat(await(replacement)).isZero();
    Set<String> ids = tasks(4).stream().map(Task::id).collect(Collectors.toSet());
    assertThat(events("replacement", EventType.TASK_COMPLETED)).extracting(TaskEvent::taskId)
        .containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void aScaleInStopNoticeLetsRunningTasksFinishTakesNoNewOneAndExits() throws Exception {
    TaskQueue queue = open(Duration.ofSeconds(120), 5);
    queue.send(tasks(4));
    try (FakeMetadataServer metadata = new FakeMetadataServer()) {
      // each task ends well once it reads the worker's stop notice, as a task that checkpoints would
      Future<Integer> scaledIn = startWorker("scaled-in", queue, "--num-simultaneous-tasks", "2",
          "--preemption-check", "gcp", "--metadata-url", metadata.baseUrl(), "--preemption-poll-interval", "0.1",
          "--shutdown-grace-period", "120",
          "--", "sh", "-c", "while [ ! -s \"$TASKJOB_NOTICE_FILE\" ]; do sleep 0.05; done; cat \"$TASKJOB_NOTICE_FILE\"");
      awaitCondition("two tasks started", () -> events("scaled-in", EventType.TASK_STARTED).size() == 2);
      metadata.setInstanceValue(StopNotice.KEY, StopNotice.SCALE_IN);

      assertThat(await(scaledIn)).isZero();
      assertThat(events("scaled-in", EventType.TASK_COMPLETED)).as("the running tasks finished").hasSize(2);
      assertThat(events("scaled-in", EventType.TASK_STARTED)).as("no new task after the notice").hasSize(2);
      assertThat(events("scaled-in", EventType.SPOT_INTERRUPTION)).as("not a spot interruption").isEmpty();
    }
    List<LeasedTask> left = new ArrayList<>();
    for (int look = 0; look < 10 && left.size() < 2; look++) {
      left.addAll(queue.receive(4, Duration.ofSeconds(1)));
    }
    assertThat(left).as("the two tasks never started are still queued").hasSize(2);
  }

  @Test
  void threeSpotNoticesPerTaskDoNotUseUpASingleAttempt() throws Exception {
    // A job's queue: deliveries per message = 1 + the default interruption allowance.
    TaskQueue queue = open(Duration.ofSeconds(120), QueueSettings.deliveriesFor(QueueSettings.DEFAULT_MAX_INTERRUPTIONS));
    queue.send(tasks(2));
    for (int round = 1; round <= 3; round++) {
      String name = "preempted-" + round;
      try (FakeMetadataServer metadata = new FakeMetadataServer()) {
        Future<Integer> preempted = startWorker(name, queue, "--num-simultaneous-tasks", "2", "--max-attempts", "1",
            "--preemption-check", "aws", "--metadata-url", metadata.baseUrl(), "--preemption-poll-interval", "0.1",
            "--", "sleep", "60");
        awaitCondition("both tasks started in round " + name, () -> events(name, EventType.TASK_STARTED).size() == 2);
        metadata.announce(Instant.now().plusSeconds(1));
        assertThat(await(preempted)).isZero();
      }
      assertThat(events(name, EventType.TASK_STARTED)).as("attempt numbers after %d notices", round - 1)
          .extracting(TaskEvent::attempt).containsOnly(1);
      assertThat(events(name, EventType.TASK_RETRIED)).hasSize(2);
    }

    Future<Integer> last = startWorker("last", queue, "--num-simultaneous-tasks", "2", "--max-attempts", "1",
        "--exit-when-empty", "1", "--", "true");

    assertThat(await(last)).isZero();
    assertThat(events("last", EventType.TASK_COMPLETED)).extracting(TaskEvent::attempt).containsExactly(1, 1);
    assertThat(events("last", EventType.TASK_COMPLETED)).extracting(TaskEvent::taskId)
        .containsExactlyInAnyOrderElementsOf(tasks(2).stream().map(Task::id).toList());
    assertThat(queue.receiveDeadLetters(10, Duration.ofMillis(500))).as("nothing dead-lettered").isEmpty();
  }

  @Test
  void failedTasksGoBackToTheQueueUntilTheirLastAttempt() throws Exception {
    TaskQueue queue = open(Duration.ofSeconds(30), 3);
    queue.send(tasks(2));

    Future<Integer> worker = startWorker("retry", queue, "--num-simultaneous-tasks", "2", "--exit-when-empty", "1",
        "--retry-on-failure", "--max-attempts", "3", "--", "sh", "-c", "[ $TASK_INDEX = 0 ]");

    assertThat(await(worker)).isEqualTo(1);
    List<TaskEvent> failed = events("retry", EventType.TASK_FAILED);
    assertThat(failed).extracting(TaskEvent::attempt).containsExactly(1, 2, 3);
    assertThat(failed).extracting(TaskEvent::retry).containsExactly(true, true, false);
    assertThat(events("retry", EventType.TASK_COMPLETED)).hasSize(1);
    assertThat(queue.receive(10, Duration.ofMillis(500))).as("the final failure is acknowledged").isEmpty();
    assertThat(queue.receiveDeadLetters(10, Duration.ofMillis(500))).isEmpty();
  }

  @Test
  void aHedgedCopyThatFailsIsNotRetriedAndUsesNoAttempt() throws Exception {
    TaskQueue queue = open(Duration.ofSeconds(30), 3);
    queue.send(List.of(tasks(2).get(0).asHedge(), tasks(2).get(1).asHedge()));

    await(startWorker("hedge", queue, "--num-simultaneous-tasks", "2", "--exit-when-empty", "1",
        "--retry-on-failure", "--max-attempts", "3", "--", "sh", "-c", "[ $TASK_INDEX = 0 ]"));

    assertThat(events("hedge", EventType.TASK_STARTED)).allMatch(TaskEvent::isHedge).hasSize(2);
    assertThat(events("hedge", EventType.TASK_COMPLETED)).singleElement()
        .satisfies(e -> assertThat(e.isHedge()).isTrue()).satisfies(e -> assertThat(e.finalAttempt()).isTrue());
    TaskEvent failed = events("hedge", EventType.TASK_FAILED).stream().collect(
        java.util.stream.Collectors.collectingAndThen(java.util.stream.Collectors.toList(), l -> {
          assertThat(l).as("a hedged copy runs once").hasSize(1);
          return l.get(0);
        }));
    assertThat(failed.isHedge()).isTrue();
    assertThat(failed.retry()).isFalse();
    assertThat(failed.finalAttempt()).as("its failure decides nothing").isFalse();
    assertThat(queue.receive(10, Duration.ofMillis(500))).as("both copies acknowledged, none sent again").isEmpty();
    assertThat(queue.receiveDeadLetters(10, Duration.ofMillis(500))).isEmpty();
  }

  @Test
  void aTaskThatCannotStartFailsAloneAndIsAcknowledged() throws Exception {
    TaskQueue queue = open(Duration.ofSeconds(30), 3);
    List<Task> sent = new ArrayList<>(tasks(2));
    sent.add(new Task("nul", Json.MAPPER.createObjectNode().put("text", "a\0b"), 2));
    queue.send(sent);

    Future<Integer> worker = startWorker("poison", queue, "--num-simultaneous-tasks", "1", "--exit-when-empty", "1",
        "--retry-on-failure", "--", "true");

    assertThat(await(worker)).isEqualTo(1);
    assertThat(events("poison", EventType.TASK_COMPLETED)).extracting(TaskEvent::taskId)
        .containsExactlyInAnyOrderElementsOf(tasks(2).stream().map(Task::id).toList());
    List<TaskEvent> failed = events("poison", EventType.TASK_FAILED);
    assertThat(failed).hasSize(1);
    assertThat(failed.get(0).taskId()).isEqualTo("nul");
    assertThat(failed.get(0).result()).startsWith("could not start: data field \"text\" holds a NUL character");
    assertThat(failed.get(0).finalAttempt()).isTrue();
    assertThat(queue.receive(10, Duration.ofMillis(500))).as("every task acknowledged").isEmpty();
    assertThat(queue.receiveDeadLetters(10, Duration.ofMillis(500))).isEmpty();
  }

  @Test
  void sendsEventsToTheJobsEventQueue() throws Exception {
    TaskQueue queue = open(Duration.ofSeconds(30), 3);
    queue.send(tasks(2));

    assertThat(await(startWorker("events", queue, "--exit-when-empty", "1", "--", "true"))).isZero();

    Map<EventType, Long> counts = new java.util.EnumMap<>(EventType.class);
    Set<String> seen = new HashSet<>();
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (counts.getOrDefault(EventType.WORKER_STOPPING, 0L) == 0 && System.nanoTime() < deadline) {
      List<ReceivedEvent> batch = queue.receiveEvents(10, Duration.ofMillis(500));
      for (ReceivedEvent e : batch) {
        if (seen.add(Json.eventToJson(e.event()))) {
          counts.merge(e.event().eventType(), 1L, Long::sum);
        }
      }
      queue.ackEvents(batch);
    }
    assertThat(counts).containsEntry(EventType.WORKER_STARTED, 1L).containsEntry(EventType.TASK_STARTED, 2L)
        .containsEntry(EventType.TASK_COMPLETED, 2L).containsEntry(EventType.WORKER_STOPPING, 1L);
  }

  @Test
  void aStartupFailureIsTheWorkersOnlyEventAndNoTaskIsTaken() throws Exception {
    TaskQueue queue = open(Duration.ofSeconds(30), 3);
    queue.send(tasks(1));

    assertThat(await(startWorker("refused", queue, "--startup-failure",
        "image alpine:3.20 has no glibc (/lib64/ld-linux-x86-64.so.2 is missing)", "--", "true"))).isEqualTo(3);

    List<ReceivedEvent> received = new ArrayList<>();
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (received.isEmpty() && System.nanoTime() < deadline) {
      List<ReceivedEvent> batch = queue.receiveEvents(10, Duration.ofMillis(500));
      received.addAll(batch);
      queue.ackEvents(batch);
    }
    assertThat(received).singleElement().satisfies(e -> {
      assertThat(e.event().eventType()).isEqualTo(EventType.WORKER_STOPPING);
      assertThat(e.event().instanceId()).isEqualTo("refused");
      assertThat(e.event().message())
          .isEqualTo("startup failed: image alpine:3.20 has no glibc (/lib64/ld-linux-x86-64.so.2 is missing)");
    });
    assertThat(queue.receive(10, Duration.ofMillis(500))).as("the task, still waiting for a worker").hasSize(1);
  }
}
