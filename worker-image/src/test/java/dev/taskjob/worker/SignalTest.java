package dev.taskjob.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.TaskGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM sent to a real worker JVM, started from this test with its task processes. */
class SignalTest {

  // a bound, not an expectation: a worker JVM and its tasks on 2 loaded cores can take more than a minute
  private static final Duration PATIENCE = Duration.ofMinutes(5);

  @TempDir Path dir;
  private Process worker;
  /** Added to the worker's environment. */
  private final Map<String, String> workerEnvironment = new java.util.HashMap<>();
  /** A sleep duration no other process on the machine uses, to find this test's task processes. */
  private final String marker = "7" + ThreadLocalRandom.current().nextInt(100_000, 999_999) + ".5";

  @AfterEach
  void killWorker() {
    if (worker != null && worker.isAlive()) {
      worker.destroyForcibly();
    }
    processesWithMarker().forEach(ProcessHandle::destroyForcibly);
  }

  private Process startWorker(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), WorkerMain.class.getName(),
        "--work-dir", dir.resolve("work").toString(), "--heartbeat-interval", "0"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("worker.log").toFile());
    builder.environment().putAll(workerEnvironment);
    worker = builder.start();
    return worker;
  }

  private Events events() {
    Path log = dir.resolve("work/events.log");
    return Files.exists(log) ? Events.read(log) : new Events(List.of());
  }

  private Path taskFile(int count) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= count; i++) {
      sb.append("{\"id\": \"task-").append(i).append("\"}\n");
    }
    return Files.writeString(dir.resolve("tasks.jsonl"), sb);
  }

  private int awaitExit() throws Exception {
    assertThat(worker.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("worker exited").isTrue();
    return worker.exitValue();
  }

  private static void awaitCondition(String what, Supplier<Boolean> condition) throws InterruptedException {
    Await.until(what, PATIENCE, condition);
  }

  /** How many of the marked processes are {@code sleep} itself (two per task; shells may come and go). */
  private long sleepsWithMarker() {
    return processesWithMarker().stream().filter(p -> {
      try {
        return Files.readString(Path.of("/proc", Long.toString(p.pid()), "comm")).trim().equals("sleep");
      } catch (IOException gone) {
        return false;
      }
    }).count();
  }

  /** Live processes whose command line holds this test's marker. */
  private List<ProcessHandle> processesWithMarker() {
    List<ProcessHandle> found = new ArrayList<>();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path p : procs) {
        try {
          String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
          long pid = Long.parseLong(p.getFileName().toString());
          if (cmdline.contains(marker) && dev.taskjob.worker.process.ProcessTree.isRunning(pid)) {
            ProcessHandle.of(pid).ifPresent(found::add);
          }
        } catch (IOException | RuntimeException gone) {
          // the process ended while we looked
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return found;
  }

  @Test
  void sigtermLetsRunningTasksFinishAndStartsNoMore() throws Exception {
    startWorker("--task-file", taskFile(10).toString(), "--num-simultaneous-tasks", "2",
        "--shutdown-grace-period", "30", "--", "sleep", "1.5");
    awaitCondition("two tasks started", () -> events().of(EventType.TASK_STARTED).size() == 2);

    worker.destroy(); // SIGTERM

    assertThat(awaitExit()).isEqualTo(143);
    Events events = events();
    assertThat(events.of(EventType.TASK_STARTED)).hasSize(2);
    assertThat(events.of(EventType.TASK_COMPLETED)).hasSize(2);
    assertThat(events.of(EventType.TASK_RETRIED)).isEmpty();
    assertThat(events.of(EventType.WORKER_STOPPING).get(0).message()).isEqualTo("SIGTERM");
    assertThat(Files.readString(dir.resolve("worker.log"))).contains("Received SIGTERM");
  }

  @Test
  void sigtermKillsTasksAfterTheGracePeriodAndLeavesNoOrphans() throws Exception {
    // Each task forks a grandchild that would outlive a task killed on its own.
    startWorker("--task-file", taskFile(3).toString(), "--num-simultaneous-tasks", "3",
        "--shutdown-grace-period", "1", "--", "sh -c 'sleep " + marker + "' & sleep " + marker);
    awaitCondition("six sleeps run", () -> sleepsWithMarker() == 6);

    worker.destroy();

    assertThat(awaitExit()).isEqualTo(143);
    assertThat(processesWithMarker()).as("processes left behind").isEmpty();
    List<TaskEvent> interrupted = events().of(EventType.TASK_RETRIED);
    assertThat(interrupted).hasSize(3).allSatisfy(e -> assertThat(e.message()).contains("SIGTERM"));
    assertThat(Files.readString(dir.resolve("worker.log"))).contains("Shutdown grace period is over");
  }

  @Test
  void aSecondSigtermKillsAtOnce() throws Exception {
    startWorker("--task-file", taskFile(2).toString(), "--num-simultaneous-tasks", "2",
        "--shutdown-grace-period", "3600", "--", "sh -c 'sleep " + marker + "' & sleep " + marker);
    awaitCondition("four sleeps run", () -> sleepsWithMarker() == 4);

    worker.destroy();
    awaitCondition("the first signal was handled",
        () -> readQuietly(dir.resolve("worker.log")).contains("Received SIGTERM;"));
    worker.destroy();

    assertThat(awaitExit()).isEqualTo(143);
    assertThat(processesWithMarker()).isEmpty();
    assertThat(events().of(EventType.TASK_RETRIED)).hasSize(2);
  }

  @Test
  void tasksSignalledTogetherWithTheWorkerAreInterruptedNotFailed() throws Exception {
    // A VM shutting down signals every process at once: the tasks may exit 143 before the worker's own
    // handler runs. Those attempts are the machine's doing, so they are released, not reported failed.
    startWorker("--task-file", taskFile(3).toString(), "--num-simultaneous-tasks", "3",
        "--shutdown-grace-period", "30", "--", "sleep", marker);
    awaitCondition("three sleeps run", () -> sleepsWithMarker() == 3);

    List<ProcessHandle> everything = new ArrayList<>(worker.toHandle().descendants().toList());
    everything.add(worker.toHandle());
    everything.forEach(ProcessHandle::destroy);

    assertThat(awaitExit()).isEqualTo(143);
    Events events = events();
    assertThat(events.of(EventType.TASK_FAILED)).as("tasks reported failed").isEmpty();
    assertThat(events.of(EventType.TASK_RETRIED)).hasSize(3)
        .allSatisfy(e -> assertThat(e.message()).startsWith("interrupted"));
  }

  @Test
  void sigtermReleasesQueueLeasesSoTheTasksReturnAtOnce() throws Exception {
    Path root = dir.resolve("local");
    QueueSettings settings = new QueueSettings("tj-signal-test", Duration.ofSeconds(300), 3);
    TaskQueue queue = Providers.get("local").queue(
        new ProviderConfig("local", null, null, Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString())), settings);
    queue.ensure();
    TaskGenerator generator = TaskGenerator.ofCount(2);
    queue.send(LongStream.range(0, 2).mapToObj(generator::task).toList());

    startWorker("--provider", "local", "--local-root", root.toString(), "--queue-name", settings.name(),
        "--lease-seconds", "300", "--num-simultaneous-tasks", "2", "--shutdown-grace-period", "0.5",
        "--event-log-file", dir.resolve("work/events.log").toString(), "--", "sleep", marker);
    awaitCondition("two tasks started", () -> events().of(EventType.TASK_STARTED).size() == 2);
    assertThat(queue.receive(2, Duration.ZERO)).as("both tasks leased by the worker").isEmpty();

    worker.destroy();

    assertThat(awaitExit()).isEqualTo(143);
    List<LeasedTask> back = queue.receive(2, Duration.ofSeconds(2));
    assertThat(back).hasSize(2).allSatisfy(t -> assertThat(t.deliveryAttempt()).isEqualTo(2));
    assertThat(processesWithMarker()).isEmpty();
  }

  @Test
  void tasksReadTheStopNoticeAndGetSigtermAtTheGraceDeadline() throws Exception {
    // At the end of the shutdown grace the task gets SIGTERM; by then the notice says why and when.
    startWorker("--task-file", taskFile(1).toString(), "--shutdown-grace-period", "1", "--kill-grace-period", "60",
        "--", "trap 'cp \"$TASKJOB_NOTICE_FILE\" notice.json; echo saved > saved.txt; exit 0' TERM; sleep " + marker);
    awaitCondition("the task runs", () -> sleepsWithMarker() == 1);

    worker.destroy();

    assertThat(awaitExit()).isEqualTo(143);
    Path taskDir = dir.resolve("work/tasks/task-1");
    assertThat(Files.readString(taskDir.resolve("notice.json"))).contains("\"reason\":\"SIGTERM\"", "\"sigterm_at\":");
    assertThat(Files.readString(taskDir.resolve("saved.txt"))).isEqualTo("saved\n");
    assertThat(events().of(EventType.TASK_RETRIED)).hasSize(1);
    assertThat(processesWithMarker()).isEmpty();
  }

  @Test
  void passesTheMachineDescriptionToTasks() throws Exception {
    workerEnvironment.putAll(Map.of("TASKJOB_INSTANCE_TYPE", "c7g.2xlarge", "TASKJOB_VCPUS", "8",
        "TASKJOB_MEMORY_GIB", "16", "TASKJOB_SPOT", "true", "TASKJOB_PRICE_PER_HOUR", "0.1234",
        "TASKJOB_ZONE", "us-east-1b"));
    startWorker("--task-file", taskFile(1).toString(), "--", "echo \"$TASKJOB_INSTANCE_TYPE $TASKJOB_VCPUS "
        + "$TASKJOB_MEMORY_GIB $TASKJOB_SPOT $TASKJOB_PRICE_PER_HOUR $TASKJOB_ZONE\"");

    assertThat(awaitExit()).isZero();
    assertThat(events().of(EventType.TASK_COMPLETED).get(0).result())
        .isEqualTo("c7g.2xlarge 8 16 true 0.1234 us-east-1b");
  }

  private static String readQuietly(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "";
    }
  }
}
