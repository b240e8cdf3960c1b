package dev.taskjob.provider.local;

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
import dev.taskjob.testing.StopReceiving;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalTaskQueueTest {

  private static final Duration SHORT_LEASE = Duration.ofSeconds(2);

  @TempDir Path root;
  private TaskQueue queue;

  @BeforeEach
  void createQueue() {
    queue = open(new QueueSettings("tj-test-job-1234", SHORT_LEASE, 3));
    queue.ensure();
  }

  @AfterEach
  void closeQueue() {
    queue.close();
  }

  private TaskQueue open(QueueSettings settings) {
    ProviderConfig config = new ProviderConfig("local", null, null, Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString()));
    return Providers.get("local").queue(config, settings);
  }

  private static List<Task> tasks(int count) {
    TaskGenerator generator = TaskGenerator.ofCount(count);
    return LongStream.range(0, count).mapToObj(generator::task).toList();
  }

  @Test
  void deliversEachTaskWithItsDataAndIndex() {
    queue.send(tasks(3));

    List<LeasedTask> got = queue.receive(10, Duration.ofSeconds(1));

    assertThat(got).extracting(t -> t.task().id()).containsExactly("task-1", "task-2", "task-3");
    assertThat(got).extracting(t -> t.task().index()).containsExactly(0L, 1L, 2L);
    assertThat(got.get(1).task().data().get("n").asLong()).isEqualTo(1);
    assertThat(got).allSatisfy(t -> assertThat(t.deliveryAttempt()).isEqualTo(1));
  }

  @Test
  void leasedTaskNotAckedReappearsAfterItsLease() throws Exception {
    queue.send(tasks(1));
    LeasedTask first = queue.receive(1, Duration.ZERO).get(0);

    assertThat(queue.receive(1, Duration.ZERO)).as("invisible while leased").isEmpty();
    List<LeasedTask> again = queue.receive(1, Duration.ofSeconds(5));

    assertThat(again).singleElement().satisfies(t -> {
      assertThat(t.task().id()).isEqualTo(first.task().id());
      assertThat(t.deliveryAttempt()).isEqualTo(2);
    });
  }

  @Test
  void extendedLeaseHolds() throws Exception {
    queue.send(tasks(1));
    LeasedTask leased = queue.receive(1, Duration.ZERO).get(0);

    queue.extendLease(leased, Duration.ofSeconds(30));
    Thread.sleep(SHORT_LEASE.toMillis() + 500);

    assertThat(queue.receive(1, Duration.ofMillis(300))).as("still leased past the original lease").isEmpty();
    assertThat(queue.depth().leased()).isEqualTo(1);
    queue.ack(leased);
    assertThat(queue.depth()).isEqualTo(new QueueDepth(0, 0, 0));
  }

  @Test
  void releasedTaskComesBackAtOnce() {
    queue = open(new QueueSettings("tj-test-release", Duration.ofMinutes(5), 3));
    queue.ensure();
    queue.send(tasks(1));
    LeasedTask leased = queue.receive(1, Duration.ZERO).get(0);

    queue.release(leased);

    assertThat(queue.receive(1, Duration.ZERO)).singleElement()
        .satisfies(t -> assertThat(t.deliveryAttempt()).isEqualTo(2));
  }

  @Test
  void taskFailingMaxAttemptsTimesLandsInDeadLetterQueue() {
    queue = open(new QueueSettings("tj-test-dlq", Duration.ofMinutes(5), 3));
    queue.ensure();
    List<Task> two = tasks(2);
    queue.send(two.subList(0, 1));
    for (int attempt = 1; attempt <= 3; attempt++) {
      List<LeasedTask> got = queue.receive(1, Duration.ZERO);
      assertThat(got).singleElement().satisfies(t -> assertThat(t.task().id()).isEqualTo("task-1"));
      queue.release(got.get(0));
    }

    assertThat(queue.depth().deadLettered()).as("exhausted, not yet moved").isEqualTo(1);
    queue.send(two.subList(1, 2));
    List<LeasedTask> next = queue.receive(1, Duration.ZERO);
    assertThat(next).as("the fourth delivery goes to the DLQ instead").extracting(t -> t.task().id())
        .containsExactly("task-2");
    assertThat(queue.depth()).isEqualTo(new QueueDepth(0, 1, 1));

    List<LeasedTask> dead = queue.receiveDeadLetters(10, Duration.ZERO);
    assertThat(dead).singleElement().satisfies(t -> assertThat(t.task().id()).isEqualTo("task-1"));
    queue.ack(dead.get(0));
    assertThat(queue.depth().deadLettered()).isZero();
  }

  @Test
  void receiveDeadLettersCollectsExhaustedTasksNobodyReceivedAgain() {
    queue = open(new QueueSettings("tj-test-sweep", Duration.ofMinutes(5), 1));
    queue.ensure();
    queue.send(tasks(1));
    queue.release(queue.receive(1, Duration.ZERO).get(0));

    assertThat(queue.receiveDeadLetters(10, Duration.ZERO)).extracting(t -> t.task().id()).containsExactly("task-1");
  }

  @Test
  void extendingALostLeaseFails() throws Exception {
    queue.send(tasks(1));
    LeasedTask first = queue.receive(1, Duration.ZERO).get(0);
    LeasedTask second = queue.receive(1, Duration.ofSeconds(5)).get(0);

    assertThatThrownBy(() -> queue.extendLease(first, Duration.ofSeconds(30)))
        .isInstanceOf(QueueException.class).hasMessageContaining("task-1").hasMessageContaining("lease expired");
    queue.ack(first); // a stale ack does not remove the new delivery
    assertThat(queue.depth().leased()).isEqualTo(1);
    queue.ack(second);
    assertThat(queue.depth().unfinished()).isZero();
  }

  @Test
  void receiptStaysValidInAnotherQueueInstance() {
    queue.send(tasks(1));
    LeasedTask leased = queue.receive(1, Duration.ZERO).get(0);
    queue.extendLease(leased, Duration.ofSeconds(30));

    try (TaskQueue other = open(queue.settings())) {
      other.extendLease(leased, Duration.ofSeconds(60));
      other.ack(leased);
    }

    assertThat(queue.depth()).isEqualTo(new QueueDepth(0, 0, 0));
  }

  @Test
  void depthCountsWaitingAndLeased() {
    queue = open(new QueueSettings("tj-test-depth", Duration.ofMinutes(5), 3));
    queue.ensure();
    queue.send(tasks(2500));
    assertThat(queue.depth()).isEqualTo(new QueueDepth(2500, 0, 0));

    List<LeasedTask> got = queue.receive(5, Duration.ZERO);

    assertThat(got).hasSize(5);
    assertThat(queue.depth()).isEqualTo(new QueueDepth(2495, 5, 0));
  }

  @Test
  void deliversEveryTaskOnceAcrossSegments() {
    queue = open(new QueueSettings("tj-test-many", Duration.ofMinutes(5), 3));
    queue.ensure();
    queue.send(tasks(2500));

    List<String> ids = new ArrayList<>();
    for (int round = 0; round < 100; round++) {
      List<LeasedTask> got = queue.receive(64, Duration.ZERO);
      if (got.isEmpty()) {
        break;
      }
      got.forEach(t -> ids.add(t.task().id()));
      got.forEach(queue::ack);
    }

    assertThat(ids).hasSize(2500).doesNotHaveDuplicates();
    assertThat(queue.depth()).isEqualTo(new QueueDepth(0, 0, 0));
  }

  @Test
  void aReceiveTouchesOnlyWhatItDeliversNotTheBacklog() throws Exception {
    queue = open(new QueueSettings("tj-test-backlog", Duration.ofMinutes(5), 3));
    queue.ensure();
    List<Task> all = tasks(10_000);
    queue.send(all);

    List<LeasedTask> got = queue.receive(5, Duration.ZERO);

    Path tasksDir = ((LocalTaskQueue) queue).directory().resolve("tasks");
    try (var active = Files.list(tasksDir.resolve("active"))) {
      assertThat(active.count()).as("one file per delivered task, none for the backlog").isEqualTo(5);
    }
    try (var pending = Files.list(tasksDir.resolve("pending"))) {
      assertThat(pending.count()).as("the backlog stays in its segments").isEqualTo(10);
    }
    assertThat(got).extracting(t -> t.task().id()).containsExactlyElementsOf(all.subList(0, 5).stream().map(Task::id).toList());
    assertThat(queue.depth()).isEqualTo(new QueueDepth(9_995, 5, 0));
  }

  @Test
  void tasksComeInSendOrderAcrossManySmallSegments() {
    queue = open(new QueueSettings("tj-test-small-segments", Duration.ofMinutes(5), 3));
    queue.ensure();
    List<Task> all = tasks(300);
    for (int from = 0; from < all.size(); from += 3) {
      queue.send(all.subList(from, from + 3));
    }

    List<String> ids = new ArrayList<>();
    for (int round = 0; round < 10 && ids.size() < all.size(); round++) {
      List<LeasedTask> got = queue.receive(100, Duration.ZERO);
      got.forEach(t -> ids.add(t.task().id()));
      got.forEach(queue::ack);
    }

    assertThat(ids).containsExactlyElementsOf(all.stream().map(Task::id).toList());
    assertThat(queue.depth()).isEqualTo(new QueueDepth(0, 0, 0));
  }

  @Test
  void anUnreadableCursorRereadsFromTheOldestSegmentSoNothingIsLost() throws Exception {
    queue = open(new QueueSettings("tj-test-torn-head", Duration.ofMinutes(5), 3));
    queue.ensure();
    queue.send(tasks(1500));
    List<LeasedTask> first = queue.receive(10, Duration.ZERO);
    first.forEach(queue::ack);

    Files.writeString(((LocalTaskQueue) queue).directory().resolve("tasks").resolve("head"), "torn");
    Map<String, Integer> deliveries = new HashMap<>();
    first.forEach(t -> deliveries.merge(t.task().id(), 1, Integer::sum));
    for (int round = 0; round < 100; round++) {
      List<LeasedTask> got = queue.receive(64, Duration.ZERO);
      if (got.isEmpty()) {
        break;
      }
      got.forEach(t -> deliveries.merge(t.task().id(), 1, Integer::sum));
      got.forEach(queue::ack);
    }

    assertThat(deliveries).as("every task delivered at least once").hasSize(1500);
    assertThat(queue.depth()).isEqualTo(new QueueDepth(0, 0, 0));
  }

  @Test
  void concurrentReceiversNeverShareALease() throws Exception {
    queue = open(new QueueSettings("tj-test-threads", Duration.ofMinutes(5), 3));
    queue.ensure();
    queue.send(tasks(3000));
    Map<String, Integer> deliveries = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> receivers = new ArrayList<>();
      for (int r = 0; r < 8; r++) {
        receivers.add(pool.submit(() -> {
          for (int round = 0; round < 2000; round++) {
            List<LeasedTask> got = queue.receive(7, Duration.ofMillis(50));
            if (got.isEmpty()) {
              return;
            }
            for (LeasedTask t : got) {
              deliveries.merge(t.task().id(), 1, Integer::sum);
              queue.ack(t);
            }
          }
        }));
      }
      for (Future<?> f : receivers) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(deliveries).hasSize(3000);
    assertThat(deliveries.values()).containsOnly(1);
  }

  @Test
  void concurrentReceiverProcessesNeverShareALease() throws Exception {
    queue = open(new QueueSettings("tj-test-processes", Duration.ofMinutes(5), 3));
    queue.ensure();
    queue.send(tasks(1500));
    List<Process> processes = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      processes.add(new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"),
          QueueReceiverProcess.class.getName(), root.toString(), queue.settings().name())
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start());
    }
    Map<String, Integer> deliveries = new HashMap<>();
    for (Process process : processes) {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        out.lines().forEach(id -> deliveries.merge(id, 1, Integer::sum));
      }
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).isZero();
    }

    assertThat(deliveries).hasSize(1500);
    assertThat(deliveries.values()).containsOnly(1);
    assertThat(queue.depth().unfinished()).isZero();
  }

  @Test
  void eventsArePublishedReceivedAndAcked() {
    List<TaskEvent> sent = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sent.add(TaskEvent.builder(EventType.TASK_COMPLETED).taskId("task-" + i).taskIndex(i).job("ns/job").build());
    }
    queue.publishEvents(sent);

    List<ReceivedEvent> got = queue.receiveEvents(10, Duration.ofSeconds(1));
    assertThat(got).extracting(e -> e.event().taskId())
        .containsExactly("task-0", "task-1", "task-2", "task-3", "task-4");
    queue.ackEvents(got);

    assertThat(queue.receiveEvents(10, Duration.ZERO)).isEmpty();
    assertThat(queue.depth().unfinished()).as("events are not tasks").isZero();
  }

  @Test
  void purgeRemovesEveryTaskButKeepsTheQueue() {
    queue.send(tasks(1200));
    queue.receive(3, Duration.ZERO);

    queue.purge();

    assertThat(queue.exists()).isTrue();
    assertThat(queue.depth()).isEqualTo(new QueueDepth(0, 0, 0));
    assertThat(queue.receive(1, Duration.ZERO)).isEmpty();
  }

  @Test
  void deleteRemovesTheQueueDirectory() {
    queue.send(tasks(10));
    Path dir = ((LocalTaskQueue) queue).directory();

    queue.delete();
    queue.delete(); // idempotent

    assertThat(queue.exists()).isFalse();
    assertThat(dir).doesNotExist();
    try (var left = Files.list(dir.getParent())) {
      assertThat(left.map(p -> p.getFileName().toString()).collect(Collectors.toList())).isEmpty();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    assertThatThrownBy(() -> queue.receive(1, Duration.ZERO))
        .isInstanceOf(QueueException.class).hasMessageContaining("does not exist")
        .satisfies(e -> assertThat(((QueueException) e).isRetryable()).isFalse());
  }

  @Test
  void queuesOfTwoJobsAreSeparate() {
    try (TaskQueue other = open(new QueueSettings("tj-test-other", SHORT_LEASE, 3))) {
      other.ensure();
      other.send(tasks(4));
      queue.send(tasks(1));

      assertThat(queue.receive(10, Duration.ZERO)).hasSize(1);
      assertThat(other.receive(10, Duration.ZERO)).hasSize(4);
    }
  }

  /** Receives and acks until the queue stays empty, printing each task id: run as a separate JVM. */
  static final class QueueReceiverProcess {
    public static void main(String[] args) {
      ProviderConfig config = new ProviderConfig("local", null, null, Map.of(ProviderConfig.Keys.LOCAL_ROOT, args[0]));
      try (TaskQueue q = new LocalProviderModule().queue(config, new QueueSettings(args[1], Duration.ofMinutes(5), 3))) {
        AtomicInteger empty = new AtomicInteger();
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        for (int round = 0; round < 5000 && empty.get() < 3; round++) {
          List<LeasedTask> got = q.receive(5, Duration.ofMillis(100));
          if (got.isEmpty()) {
            empty.incrementAndGet();
          }
          for (LeasedTask t : got) {
            ids.add(t.task().id());
            q.ack(t);
          }
        }
        ids.forEach(System.out::println);
      }
    }
  }

  @Test
  void stopReceivingEndsAWaitingReceiveAndLeavesTheTasksForOthers() throws Exception {
    CompletableFuture<List<LeasedTask>> waiting = new CompletableFuture<>();
    Thread receiver = new Thread(() -> waiting.complete(queue.receive(1, Duration.ofMinutes(10))));
    receiver.start();
    StopReceiving.awaitWaiting(receiver);

    queue.stopReceiving();

    assertThat(waiting.get(60, TimeUnit.SECONDS)).as("the ten-minute receive returned").isEmpty();
    queue.send(tasks(1));
    assertThat(queue.receive(1, Duration.ofMinutes(10))).as("later receives return at once").isEmpty();
    try (TaskQueue other = open(queue.settings())) {
      assertThat(other.receive(1, Duration.ofSeconds(10))).hasSize(1);
    }
  }

  @Test
  void theEventLeaseIsAMinuteUnlessThePropertySetsAPositiveOne() {
    assertThat(LocalTaskQueue.eventLease(null)).isEqualTo(Duration.ofMinutes(1));
    assertThat(LocalTaskQueue.eventLease(new ProviderConfig("local", null, List.of(), Map.of())))
        .isEqualTo(Duration.ofMinutes(1));
    assertThat(LocalTaskQueue.eventLease(new ProviderConfig("local", null, List.of(),
        Map.of(ProviderConfig.Keys.LOCAL_EVENT_LEASE_SECONDS, "20")))).isEqualTo(Duration.ofSeconds(20));
    assertThatThrownBy(() -> LocalTaskQueue.eventLease(new ProviderConfig("local", null, List.of(),
        Map.of(ProviderConfig.Keys.LOCAL_EVENT_LEASE_SECONDS, "0")))).isInstanceOf(IllegalArgumentException.class);
  }
}
