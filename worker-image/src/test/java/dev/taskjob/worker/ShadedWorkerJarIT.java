package dev.taskjob.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.event.EventType;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.ReceivedEvent;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.Task;
import dev.taskjob.core.task.TaskGenerator;
import dev.taskjob.testing.MotoServerExtension;
import dev.taskjob.testing.PubSubEmulatorExtension;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged worker ({@code target/taskjob-worker-VERSION-all.jar}, without the providers' instance, price
 * and object-store clients) run as a VM runs it, {@code java -jar}, against moto's SQS and the Pub/Sub
 * emulator: it takes every task, runs it, reports to the job's event queue and stops on SIGTERM. Run by failsafe after
 * {@code package}: {@code mvn -pl worker-image -am verify -Dit.test=ShadedWorkerJarIT}.
 */
class ShadedWorkerJarIT {

  private static final long BOUND_SECONDS = 180;
  private static final int TASKS = 3;

  @RegisterExtension static final MotoServerExtension MOTO = new MotoServerExtension();
  @RegisterExtension static final PubSubEmulatorExtension PUBSUB = new PubSubEmulatorExtension();

  @TempDir Path dir;

  @Test
  void runsTasksFromSqs() throws Exception {
    ProviderConfig config = new ProviderConfig("aws", MotoServerExtension.REGION, null,
        Map.of(ProviderConfig.Keys.AWS_ENDPOINT, MOTO.endpoint().toString()));
    runsEveryTask(config, List.of("--provider", "aws", "--region", MotoServerExtension.REGION,
        "--aws-endpoint-url", MOTO.endpoint().toString()));
  }

  @Test
  void runsTasksFromPubSub() throws Exception {
    ProviderConfig config = new ProviderConfig("gcp", "us-central1", null, Map.of(ProviderConfig.Keys.PROJECT,
        PubSubEmulatorExtension.PROJECT, ProviderConfig.Keys.PUBSUB_ENDPOINT, PUBSUB.hostPort()));
    runsEveryTask(config, List.of("--provider", "gcp", "--project", PubSubEmulatorExtension.PROJECT,
        "--pubsub-emulator-host", PUBSUB.hostPort()));
  }

  private static long count(Path dir) throws java.io.IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.count();
    }
  }

  private void runsEveryTask(ProviderConfig config, List<String> providerArgs) throws Exception {
    Path jar = Path.of(System.getProperty("taskjob.worker.jar", "target/missing.jar"));
    assertThat(jar).as("the shaded worker jar; run this test with failsafe after package").isRegularFile();
    String queueName = "tj-jar-" + config.provider() + "-" + ProcessHandle.current().pid();
    TaskQueue queue = Providers.get(config.provider()).queue(config,
        new QueueSettings(queueName, Duration.ofSeconds(30), 3));
    try {
      queue.ensure();
      TaskGenerator generator = TaskGenerator.ofCount(TASKS);
      List<Task> tasks = LongStream.range(0, TASKS).mapToObj(generator::task).toList();
      queue.send(tasks);
      Path out = Files.createDirectory(dir.resolve("out"));

      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
          "--queue-name", queueName, "--lease-seconds", "30", "--max-interruptions", "2",
          "--work-dir", dir.resolve("work").toString(), "--heartbeat-interval", "0", "--instance-id", "jar-worker",
          "--num-simultaneous-tasks", "2"));
      command.addAll(providerArgs);
      command.addAll(List.of("--", "sh", "-c", "echo $TASK_ID > " + out + File.separator + "$TASK_ID"));
      Path log = dir.resolve("worker.log");
      Process worker = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
        while (count(out) < TASKS && worker.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
      } finally {
        worker.destroy(); // SIGTERM: the worker's graceful shutdown
      }
      boolean exited = worker.waitFor(BOUND_SECONDS, TimeUnit.SECONDS);
      if (!exited) {
        worker.destroyForcibly();
      }
      String output = Files.readString(log);
      assertThat(exited).as("the worker exited after SIGTERM within %d s; its log:%n%s", BOUND_SECONDS, output).isTrue();
      assertThat(output).doesNotContain("NoClassDefFoundError", "ClassNotFoundException", "ServiceConfigurationError");
      try (Stream<Path> files = Files.list(out)) {
        assertThat(files.map(p -> p.getFileName().toString())).as("tasks run; the worker's log:%n%s", output)
            .containsExactlyInAnyOrderElementsOf(tasks.stream().map(Task::id).toList());
      }

      List<EventType> events = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
      while (events.stream().filter(t -> t == EventType.TASK_COMPLETED).count() < TASKS
          && System.nanoTime() < deadline) {
        List<ReceivedEvent> received = queue.receiveEvents(10, Duration.ofSeconds(1));
        received.forEach(e -> events.add(e.event().eventType()));
        queue.ackEvents(received);
      }
      assertThat(events).as("events the worker sent to the job's event queue")
          .contains(EventType.WORKER_STARTED).filteredOn(t -> t == EventType.TASK_COMPLETED).hasSize(TASKS);
    } finally {
      queue.delete();
      queue.close();
    }
  }
}
