package dev.taskjob.operator.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskMessage;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.Task;
import dev.taskjob.core.task.TaskGenerator;
import dev.taskjob.core.task.TaskListException;
import dev.taskjob.testing.FaultInjectingQueue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loads into the real local queue; see TaskLoaderSqsTest for SQS on moto. */
@SuppressWarnings("unchecked")
class TaskLoaderTest {

  @TempDir Path root;
  private TaskQueue queue;

  @BeforeEach
  void createQueue() {
    ProviderConfig config = new ProviderConfig("local", null, null, Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString()));
    queue = Providers.get("local").queue(config, new QueueSettings("tj-loader-test", Duration.ofMinutes(5), 3));
    queue.ensure();
  }

  @AfterEach
  void closeQueue() {
    queue.close();
  }

  private static LoadOptions options(int batchSize, int concurrency) {
    return LoadOptions.forProvider("local").withBatchSize(batchSize).withConcurrency(concurrency)
        .withRetries(3, Duration.ofMillis(1), Duration.ofMillis(5)).withProgressInterval(Duration.ZERO);
  }

  /** Every task id in the queue with how many times it is there. */
  static Map<String, Integer> drain(TaskQueue queue) {
    Map<String, Integer> copies = new HashMap<>();
    for (int round = 0; round < 10_000; round++) {
      List<LeasedTask> got = queue.receive(1000, Duration.ZERO);
      if (got.isEmpty()) {
        break;
      }
      got.forEach(t -> copies.merge(t.task().id(), 1, Integer::sum));
      got.forEach(queue::ack);
    }
    return copies;
  }

  private Path jsonLines(String name, int from, int to) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = from; i < to; i++) {
      sb.append("{\"id\":\"t").append(i).append("\",\"data\":{\"i\":").append(i).append("}}\n");
    }
    Path file = root.resolve(name);
    Files.writeString(file, sb);
    return file;
  }

  @Test
  void loadsEveryTaskOfSeveralListsWithContinuingIndexes() throws IOException {
    TaskInput input = TaskInput.lists(List.of(
        TaskSource.file(jsonLines("a.jsonl", 0, 1500)),
        TaskSource.bytes("b.json", "[{\"id\":\"x1\"},{\"id\":\"x2\",\"data\":{\"k\":\"v\"}}]".getBytes(StandardCharsets.UTF_8))));
    List<LoadProgress> reports = new ArrayList<>();

    LoadResult result = new TaskLoader(options(100, 3)).load(queue, input, LoadCheckpoint.START, reports::add);

    assertThat(result.total()).isEqualTo(1502);
    assertThat(result.sent()).isEqualTo(1502);
    assertThat(result.possiblyDuplicated()).isZero();
    List<LeasedTask> all = new ArrayList<>();
    for (int round = 0; round < 10 && all.size() < 1502; round++) {
      all.addAll(queue.receive(1000, Duration.ZERO));
    }
    assertThat(all).hasSize(1502);
    assertThat(all).filteredOn(t -> t.task().id().equals("x2"))
        .singleElement().satisfies(t -> assertThat(t.task().index()).isEqualTo(1501));
    LoadProgress last = reports.get(reports.size() - 1);
    assertThat(last.done()).isTrue();
    assertThat(last.sent()).isEqualTo(1502);
    assertThat(last.checkpoint().offset()).isEqualTo(1502);
    assertThat(reports).extracting(p -> p.checkpoint().offset()).isSorted();
  }

  @Test
  void duplicateIdAcrossListsIsReportedBeforeAnythingIsSent() throws IOException {
    TaskInput input = TaskInput.lists(List.of(
        TaskSource.file(jsonLines("a.jsonl", 0, 3000)),
        TaskSource.bytes("b.yaml", "- id: t7\n  data: {}\n".getBytes(StandardCharsets.UTF_8))));

    assertThatThrownBy(() -> new TaskLoader(options(100, 2)).load(queue, input, LoadCheckpoint.START, null))
        .isInstanceOf(TaskListException.class)
        .hasMessageContaining("b.yaml").hasMessageContaining("task 1").hasMessageContaining("duplicate id \"t7\"");
    assertThat(queue.depth().unfinished()).as("nothing sent").isZero();
  }

  @Test
  void malformedTaskAfterManyGoodOnesIsReportedBeforeAnythingIsSent() throws IOException {
    Path file = jsonLines("a.jsonl", 0, 2000);
    Files.writeString(file, "{\"id\":\"bad\",\"data\":[1]}\n", java.nio.file.StandardOpenOption.APPEND);

    assertThatThrownBy(() -> new TaskLoader(options(100, 2)).load(queue,
        TaskInput.lists(List.of(TaskSource.file(file))), LoadCheckpoint.START, null))
        .isInstanceOf(TaskListException.class).hasMessageContaining("task 2001").hasMessageContaining("must be an object");
    assertThat(queue.depth().unfinished()).isZero();
  }

  @Test
  void taskTooLargeForTheQueueIsReportedBeforeAnythingIsSent() {
    LoadOptions sqsSized = new LoadOptions(10, 2, 0, Duration.ZERO, Duration.ZERO, 256 * 1024, Long.MAX_VALUE, Duration.ZERO);
    String big = "[{\"id\":\"small\"},{\"id\":\"big\",\"data\":{\"blob\":\"" + "x".repeat(300_000) + "\"}}]";

    assertThatThrownBy(() -> new TaskLoader(sqsSized).load(queue,
        TaskInput.lists(List.of(TaskSource.bytes("big.json", big.getBytes(StandardCharsets.UTF_8)))), LoadCheckpoint.START, null))
        .isInstanceOf(TaskListException.class).hasMessageContaining("\"big\"").hasMessageContaining("262144");
    assertThat(queue.depth().unfinished()).isZero();
  }

  @Test
  void gzipListIsRead() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write("- id: a\n- id: b\n  data: {x: 1}\n".getBytes(StandardCharsets.UTF_8));
    }

    LoadResult result = new TaskLoader(options(10, 1)).load(queue,
        TaskInput.lists(List.of(TaskSource.bytes("tasks.yaml.gz", bytes.toByteArray()))), LoadCheckpoint.START, null);

    assertThat(result.sent()).isEqualTo(2);
    assertThat(drain(queue)).containsOnlyKeys("a", "b");
  }

  /** The queue, recording the index ranges that reached it through send and through sendMessages. */
  private TaskQueue recording(List<String> calls) {
    return (TaskQueue) Proxy.newProxyInstance(TaskQueue.class.getClassLoader(), new Class<?>[] {TaskQueue.class},
        (proxy, method, args) -> {
          if (method.getName().equals("send")) {
            List<Task> tasks = (List<Task>) args[0];
            record(calls, "send " + tasks.get(0).index() + ".." + tasks.get(tasks.size() - 1).index());
          } else if (method.getName().equals("sendMessages")) {
            List<TaskMessage> messages = (List<TaskMessage>) args[0];
            record(calls, "sendMessages " + messages.get(0).index() + ".." + messages.get(messages.size() - 1).index());
          }
          try {
            return method.invoke(queue, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private static void record(List<String> calls, String call) {
    synchronized (calls) {
      calls.add(call);
    }
  }

  /** Messages kept from validating go out as they are; the tasks past them are read again and sent as tasks. */
  @Test
  void messagesKeptFromValidatingAreSentAndOnlyTheRestIsReadAgain() throws IOException {
    TaskInput input = TaskInput.lists(List.of(TaskSource.file(jsonLines("a.jsonl", 0, 300))));
    byte[] first = Json.taskToJsonBytes(new Task("t0", null, 0));
    // Room for about 120 of the 300 messages (each is about as long as the first, plus 24 bytes kept per array).
    TaskLoader loader = new TaskLoader(options(50, 2).withEncodedBytes(120L * (first.length + 30)));
    TaskLoader.Prepared prepared = loader.prepare(input);
    assertThat(prepared.total()).isEqualTo(300);
    int kept = prepared.messages().size();
    assertThat(kept).isBetween(60, 200);
    assertThat(new String(prepared.messages().get(7), StandardCharsets.UTF_8))
        .isEqualTo("{\"id\":\"t7\",\"index\":7,\"data\":{\"i\":7}}");
    List<String> calls = new ArrayList<>();

    LoadResult result = loader.send(recording(calls), input, prepared, 300, LoadCheckpoint.START, null);

    assertThat(result.sent()).isEqualTo(300);
    assertThat(calls).filteredOn(c -> c.startsWith("sendMessages")).isNotEmpty()
        .allSatisfy(c -> assertThat(Long.parseLong(c.replaceAll(".*\\.\\.", ""))).isLessThan(kept));
    assertThat(calls).filteredOn(c -> c.startsWith("send ")).isNotEmpty()
        .allSatisfy(c -> assertThat(Long.parseLong(c.replaceAll("send (\\d+)\\..*", "$1"))).isGreaterThanOrEqualTo(kept));
    Map<String, Integer> copies = drain(queue);
    assertThat(copies).hasSize(300);
    assertThat(copies.values()).containsOnly(1);
  }

  /** A resumed load starts inside the kept messages, and stops at a limit inside them: no task read again. */
  @Test
  void resumeAndLimitInsideTheKeptMessages() throws IOException {
    TaskInput input = TaskInput.lists(List.of(TaskSource.file(jsonLines("a.jsonl", 0, 300))));
    TaskLoader loader = new TaskLoader(options(50, 2).withEncodedBytes(1 << 20));
    TaskLoader.Prepared prepared = loader.prepare(input);
    assertThat(prepared.messages()).hasSize(300);
    List<String> calls = new ArrayList<>();

    LoadResult result = loader.send(recording(calls), input, prepared, 250, new LoadCheckpoint(120, 100), null);

    assertThat(result.sent()).isEqualTo(130);
    assertThat(calls).isNotEmpty().allSatisfy(c -> assertThat(c).startsWith("sendMessages"));
    Map<String, Integer> copies = drain(queue);
    assertThat(copies).hasSize(130).containsKeys("t120", "t249").doesNotContainKeys("t119", "t250");
  }

  @Test
  void retryableErrorsAreRetriedAndEachTaskSentOnce() {
    FaultInjectingQueue flaky = new FaultInjectingQueue(queue,
        call -> call % 3 == 0 ? new QueueException("throttled (injected)", true) : null);

    LoadResult result = new TaskLoader(options(50, 2)).load(flaky,
        TaskInput.generated(TaskGenerator.ofCount(1000)), LoadCheckpoint.START, null);

    assertThat(result.retries()).isPositive();
    Map<String, Integer> copies = drain(queue);
    assertThat(copies).hasSize(1000);
    assertThat(copies.values()).containsOnly(1);
  }

  @Test
  void persistentRetryableErrorStopsTheLoadWithACheckpoint() {
    FaultInjectingQueue down = new FaultInjectingQueue(queue,
        call -> call > 4 ? new QueueException("unreachable (injected)", true) : null);

    assertThatThrownBy(() -> new TaskLoader(options(50, 1)).load(down,
        TaskInput.generated(TaskGenerator.ofCount(1000)), LoadCheckpoint.START, null))
        .isInstanceOfSatisfying(LoadException.class, e -> {
          assertThat(e.isRetryable()).isTrue();
          assertThat(e.checkpoint().offset()).isEqualTo(200);
          assertThat(e).hasMessageContaining("unreachable (injected)");
        });
  }

  @Test
  void loadKilledMidwayResumesFromTheCheckpointWithBoundedCountedDuplicates() throws IOException {
    TaskInput input = TaskInput.lists(List.of(TaskSource.file(jsonLines("a.jsonl", 0, 2500)),
        TaskSource.file(jsonLines("b.jsonl", 2500, 5000))));
    LoadOptions options = options(100, 4);
    List<LoadCheckpoint> saved = new ArrayList<>();
    LoadCheckpoint[] atCrash = new LoadCheckpoint[1];
    FaultInjectingQueue crashing = new FaultInjectingQueue(queue, call -> {
      // The process dies at send call 23: that send and every later one never happen.
      if (call >= 23) {
        synchronized (saved) {
          if (atCrash[0] == null) {
            atCrash[0] = saved.isEmpty() ? LoadCheckpoint.START : saved.get(saved.size() - 1);
          }
        }
        return new QueueException("process killed (injected)", false);
      }
      return null;
    });

    assertThatThrownBy(() -> new TaskLoader(options).load(crashing, input, LoadCheckpoint.START,
        p -> {
          synchronized (saved) {
            saved.add(p.checkpoint());
          }
        }))
        .isInstanceOf(LoadException.class);
    LoadCheckpoint resumeFrom = atCrash[0];
    assertThat(resumeFrom.offset()).isBetween(1L, 2200L);

    LoadResult resumed = new TaskLoader(options).load(queue, input, resumeFrom, null);

    assertThat(resumed.startOffset()).isEqualTo(resumeFrom.offset());
    assertThat(resumed.sent()).isEqualTo(5000 - resumeFrom.offset());
    assertThat(resumed.possiblyDuplicated()).isLessThanOrEqualTo(options.window());
    Map<String, Integer> copies = drain(queue);
    assertThat(copies).as("every task is in the queue").hasSize(5000);
    long duplicates = copies.values().stream().mapToLong(c -> c - 1).sum();
    assertThat(duplicates).as("duplicates").isLessThanOrEqualTo(resumed.possiblyDuplicated());
    assertThat(copies.values()).allSatisfy(c -> assertThat(c).isBetween(1, 2));
  }
}
