package dev.taskjob.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.testing.MotoServerExtension;
import dev.taskjob.testing.PubSubEmulatorExtension;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * The rms-cloud-tasks queue commands a user relies on, as taskjob runs them on each provider's real queue:
 * {@code load_queue --limit}, {@code show_queue --detail}, {@code purge_queue} and {@code delete_queue} with
 * {@code --task-queue-only} / {@code --event-queue-only}.
 */
class RmsQueueCommandsTest {

  @RegisterExtension static final MotoServerExtension MOTO = new MotoServerExtension();
  @RegisterExtension static final PubSubEmulatorExtension PUBSUB = new PubSubEmulatorExtension();

  @TempDir static Path dir;

  record Run(int exitCode, String out, String err) {}

  /** A provider's command-line target and the same queue opened directly, to publish and read events. */
  record Target(String provider, List<String> args, ProviderConfig config) {
    @Override
    public String toString() {
      return provider;
    }

    String[] with(String... command) {
      List<String> all = new ArrayList<>(List.of(command));
      all.addAll(args);
      return all.toArray(String[]::new);
    }

    TaskQueue open(String queue) {
      return Providers.get(provider).queue(config, new QueueSettings(queue, Duration.ofMinutes(10), 3));
    }
  }

  static Stream<Arguments> providers() {
    String root = dir.resolve("local-root").toString();
    return Stream.of(
        Arguments.of(new Target("local", List.of("--provider", "local", "--local-root", root),
            new ProviderConfig("local", null, null, Map.of(ProviderConfig.Keys.LOCAL_ROOT, root)))),
        Arguments.of(new Target("aws", List.of("--provider", "aws", "--region", MotoServerExtension.REGION,
            "--endpoint", MOTO.endpoint().toString()), new ProviderConfig("aws", MotoServerExtension.REGION, null,
            Map.of(ProviderConfig.Keys.AWS_ENDPOINT, MOTO.endpoint().toString())))),
        Arguments.of(new Target("gcp", List.of("--provider", "gcp", "--project", PubSubEmulatorExtension.PROJECT,
            "--endpoint", PUBSUB.hostPort()), new ProviderConfig("gcp", null, null, Map.of(
            ProviderConfig.Keys.PROJECT, PubSubEmulatorExtension.PROJECT,
            ProviderConfig.Keys.PUBSUB_ENDPOINT, PUBSUB.hostPort())))));
  }

  private static Run taskjob(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = TaskjobCli.commandLine(args); // as main builds it
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private static Path taskFile(String name, int count) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      sb.append("{\"task_id\":\"t").append(i).append("\",\"data\":{\"i\":").append(i).append("}}\n");
    }
    return Files.writeString(dir.resolve(name + ".jsonl"), sb);
  }

  private static TaskEvent event(int i) {
    return TaskEvent.builder(EventType.WORKER_HEARTBEAT).timestamp(Instant.now()).instanceId("vm-" + i)
        .runningTasks(0).completedTasks(i).build();
  }

  /** Every event waiting, received and acked: what the operator would still get. */
  private static int drainEvents(TaskQueue queue) {
    int n = 0;
    for (int round = 0; round < 20; round++) {
      var got = queue.receiveEvents(100, Duration.ofMillis(round == 0 ? 1500 : 300));
      if (got.isEmpty()) {
        return n;
      }
      n += got.size();
      queue.ackEvents(got);
    }
    return n;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("providers")
  void loadQueueLimitLoadsThatManyFromTheStartTask(Target target) throws IOException {
    String queue = "tj-rms-limit-" + target.provider();

    Run load = taskjob(target.with("load-queue", "--queue", queue, "--task-file",
        taskFile("limit-" + target.provider(), 60).toString(), "--start-task", "10", "--limit", "25", "--no-progress"));

    assertThat(load.exitCode()).as(load.err()).isZero();
    assertThat(load.out()).contains("Loaded 25 tasks", "25 of the list's 60 tasks not loaded (--limit); load them with --start-task 35");
    try (TaskQueue opened = target.open(queue)) {
      List<String> ids = new ArrayList<>();
      for (int round = 0; round < 20 && ids.size() < 25; round++) {
        opened.receive(10, Duration.ofSeconds(1)).forEach(t -> {
          ids.add(t.task().id());
          opened.ack(t);
        });
      }
      assertThat(ids).hasSize(25).allSatisfy(id -> assertThat(Integer.parseInt(id.substring(1))).isBetween(10, 34));
      assertThat(opened.receive(10, Duration.ofMillis(500))).isEmpty();
      opened.delete();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("providers")
  void showQueueDetailPrintsASampleTaskAndGivesItBack(Target target) throws IOException {
    String queue = "tj-rms-show-" + target.provider();
    taskjob(target.with("load-queue", "--queue", queue, "--task-file", taskFile("show-" + target.provider(), 1).toString(),
        "--no-progress"));

    Run show = taskjob(target.with("queue", "show", "--queue", queue, "--detail"));

    assertThat(show.exitCode()).as(show.err()).isZero();
    assertThat(show.out()).contains("Queue " + queue, "sample task (delivery 1): ", "\"id\":\"t0\"", "\"data\":{\"i\":0}");
    try (TaskQueue opened = target.open(queue)) {
      var again = opened.receive(1, Duration.ofSeconds(2));
      assertThat(again).as("the sample is back in the queue").hasSize(1);
      assertThat(again.get(0).task().id()).isEqualTo("t0");
      opened.delete();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("providers")
  void purgeQueueEventQueueOnlyKeepsTheTasks(Target target) throws IOException {
    String queue = "tj-rms-purge-" + target.provider();
    taskjob(target.with("load-queue", "--queue", queue, "--task-file", taskFile("purge-" + target.provider(), 5).toString(),
        "--no-progress"));
    try (TaskQueue opened = target.open(queue)) {
      opened.publishEvents(List.of(event(1), event(2), event(3)));

      Run purge = taskjob(target.with("queue", "purge", "--queue", queue, "--event-queue-only", "--force"));

      assertThat(purge.exitCode()).as(purge.err()).isZero();
      assertThat(purge.out()).contains("Purged the events of queue " + queue);
      assertThat(drainEvents(opened)).isZero();
      assertThat(opened.receive(5, Duration.ofSeconds(2))).isNotEmpty();

      opened.publishEvents(List.of(event(4)));
      Run tasksOnly = taskjob(target.with("queue", "purge", "--queue", queue, "--task-queue-only", "--force"));

      assertThat(tasksOnly.out()).contains("Purged the tasks and dead letters of queue " + queue);
      assertThat(drainEvents(opened)).isEqualTo(1);
      opened.delete();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("providers")
  void deleteQueueTaskQueueOnlyKeepsTheEventQueue(Target target) throws IOException {
    String queue = "tj-rms-delete-" + target.provider();
    taskjob(target.with("load-queue", "--queue", queue, "--task-file", taskFile("delete-" + target.provider(), 5).toString(),
        "--no-progress"));
    try (TaskQueue opened = target.open(queue)) {
      opened.publishEvents(List.of(event(1)));

      Run delete = taskjob(target.with("queue", "delete", "--queue", queue, "--task-queue-only", "--force"));

      assertThat(delete.exitCode()).as(delete.err()).isZero();
      assertThat(delete.out()).contains("Deleted the task and dead-letter queues of " + queue);
      assertThat(taskjob(target.with("queue", "status", "--queue", queue)).out()).contains("does not exist");
      assertThat(drainEvents(opened)).as("events kept").isEqualTo(1);

      Run events = taskjob(target.with("queue", "delete", "--queue", queue, "--event-queue-only", "--force"));

      assertThat(events.out()).contains("Deleted the event queue of " + queue);
      opened.ensure(); // nothing left to read: a new, empty event queue
      assertThat(drainEvents(opened)).isZero();
      opened.delete();
    }
  }

  @org.junit.jupiter.api.Test
  void taskAndEventOnlyCannotBeCombined() {
    Run both = taskjob("queue", "purge", "--provider", "local", "--queue", "tj-x", "--task-queue-only",
        "--event-queue-only", "--force");

    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err()).contains("mutually exclusive");
  }

  @org.junit.jupiter.api.Test
  void limitBelowOneIsRefusedNamingTheOption() throws IOException {
    Run load = taskjob("load-queue", "--provider", "local", "--local-root", dir.toString(), "--queue", "tj-x",
        "--task-file", taskFile("bad-limit", 3).toString(), "--limit", "0");

    assertThat(load.exitCode()).isEqualTo(2);
    assertThat(load.err()).contains("--limit must be >= 1, was 0");
  }
}
