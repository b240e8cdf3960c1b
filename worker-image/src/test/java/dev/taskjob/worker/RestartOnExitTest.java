package dev.taskjob.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.Task;
import dev.taskjob.worker.events.EventPublisher;
import dev.taskjob.worker.process.TaskCommand;
import dev.taskjob.worker.process.TaskLauncher;
import dev.taskjob.worker.source.QueueTaskSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A held task starts on the exit watcher that saw its slot free, not after a round of the dispatcher. The
 * worker runs in this JVM on the directory queue with one slot; each task waits for a gate file the test
 * creates, so which task is running, ended or held is decided by the test, not by timing.
 */
class RestartOnExitTest {

  /** A safety net for each wait; the waits normally end within a second. */
  private static final Duration PATIENCE = Duration.ofMinutes(5);

  @TempDir Path dir;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private TaskQueue queue;

  @AfterEach
  void cleanUp() throws InterruptedException {
    threads.shutdownNow();
    threads.awaitTermination(30, TimeUnit.SECONDS);
    if (queue != null) {
      queue.delete();
      queue.close();
    }
  }

  @ParameterizedTest(name = "stopping {0}, a task held {1}, a copy running or starting {2}: starts on exit {3}")
  @CsvSource({
      "false, true,  false, true",
      "false, false, false, false",  // nothing to start: the slot waits for the fetcher, as before
      "true,  true,  false, false",  // a stopping worker starts nothing; the held task goes back to the queue
      "false, true,  true,  false",  // a hedge shares its copy's directory: it waits for that copy's report
  })
  void theRule(boolean stopping, boolean held, boolean copy, boolean starts) {
    assertThat(HeldTasks.startsOnExit(stopping, held, copy)).isEqualTo(starts);
  }

  @Test
  void theHeldTaskStartsInTheSlotItsPredecessorLeftAndEveryTaskIsReportedOnce() throws Exception {
    Supervisor worker = worker(List.of(task("t0"), task("t1"), task("t2")));
    Future<Integer> run = threads.submit(worker::run);

    open("t0"); // a short first task: the worker now fetches one task ahead of its slot
    await("t1 started", () -> events(EventType.TASK_STARTED).size() == 2);
    await("t2 received and held", () -> worker.heldCount() == 1);
    open("t1");
    await("t2 started", () -> events(EventType.TASK_STARTED).size() == 3);
    open("t2");

    assertThat(run.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isZero();
    assertThat(worker.restartsOnExit()).as("t2 started by the exit watcher of t1").isEqualTo(1);
    assertThat(events(EventType.TASK_STARTED)).extracting(e -> e.taskId() + " in slot " + e.slot())
        .containsExactly("t0 in slot 0", "t1 in slot 0", "t2 in slot 0");
    assertThat(events(EventType.TASK_COMPLETED)).extracting(TaskEvent::taskId)
        .containsExactlyInAnyOrder("t0", "t1", "t2");
    assertThat(worker.summary().succeeded()).isEqualTo(3);
    assertThat(queue.depth().leased()).as("every task acknowledged").isZero();
    assertThat(queue.depth().waiting()).isZero();
  }

  /** A held task whose data cannot become its environment, taken by the exit watcher: it fails alone. */
  @Test
  void aHeldTaskThatCannotStartFailsAloneWhenTheExitWatcherTakesIt() throws Exception {
    Task nul = new Task("nul", Json.MAPPER.createObjectNode().put("text", "a\0b"), 2);
    Supervisor worker = worker(List.of(task("t0"), task("t1"), nul));
    Future<Integer> run = threads.submit(worker::run);

    open("t0");
    await("t1 started", () -> events(EventType.TASK_STARTED).size() == 2);
    await("nul received and held", () -> worker.heldCount() == 1);
    open("t1");

    assertThat(run.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Supervisor.EXIT_TASKS_FAILED);
    assertThat(worker.restartsOnExit()).as("the exit watcher of t1 took the task that cannot start").isEqualTo(1);
    List<TaskEvent> failed = events(EventType.TASK_FAILED);
    assertThat(failed).extracting(TaskEvent::taskId).containsExactly("nul");
    assertThat(failed.get(0).result()).startsWith("could not start: data field \"text\" holds a NUL character");
    assertThat(events(EventType.TASK_COMPLETED)).extracting(TaskEvent::taskId).containsExactlyInAnyOrder("t0", "t1");
    assertThat(queue.depth().leased()).as("every task acknowledged").isZero();
  }

  private Supervisor worker(List<Task> tasks) throws IOException {
    Path root = dir.resolve("local");
    ProviderConfig config = new ProviderConfig("local", null, null, Map.of(ProviderConfig.Keys.LOCAL_ROOT,
        root.toString()));
    queue = Providers.get("local").queue(config, new QueueSettings("restart-on-exit", Duration.ofMinutes(5), 1));
    queue.ensure();
    queue.send(tasks);
    Files.createDirectories(dir.resolve("gates"));
    TaskCommand command = TaskCommand.ofArguments(List.of("sh", "-c",
        "while [ ! -e \"$GATES/$TASK_ID\" ]; do sleep 0.01; done"));
    TaskLauncher launcher = new TaskLauncher(command, Files.createDirectories(dir.resolve("tasks")), true,
        Map.of("GATES", dir.resolve("gates").toString()));
    WorkerSettings settings = new WorkerSettings(1, null, Duration.ofMinutes(1), RetryPolicy.none(), null,
        Duration.ofMillis(200), Long.MAX_VALUE, WorkerSettings.KeepTaskDirs.NONE, "restart-on-exit", "w1", "localhost",
        Duration.ofMillis(200), 2048, Duration.ofSeconds(5), null, null, RetryBackoff.defaults(Duration.ZERO));
    EventPublisher events = new EventPublisher(dir.resolve("events.log"), null);
    return new Supervisor(settings, new QueueTaskSource(queue, "test queue"), launcher, events, null);
  }

  private static Task task(String id) {
    return new Task(id, Json.MAPPER.createObjectNode().put("n", 1), 0);
  }

  private void open(String taskId) throws IOException {
    Files.createFile(dir.resolve("gates").resolve(taskId));
  }

  private List<TaskEvent> events(EventType type) {
    try {
      Path file = dir.resolve("events.log");
      if (!Files.exists(file)) {
        return List.of();
      }
      return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).map(Json::eventFromJson)
          .filter(e -> e.eventType() == type).toList();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void await(String what, Supplier<Boolean> condition) throws InterruptedException {
    Await.until(what, PATIENCE, condition);
  }
}
