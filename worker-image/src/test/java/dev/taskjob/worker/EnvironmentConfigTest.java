package dev.taskjob.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator configures VM workers only through TASKJOB_* variables: a worker JVM started with
 * nothing but its environment must pick every setting up.
 */
class EnvironmentConfigTest {

  @TempDir Path dir;

  @Test
  void takesItsWholeConfigurationFromTheEnvironment() throws Exception {
    // the worker image's JVM options, which also start the JVM sooner
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        WorkerMain.class.getName())
        .redirectErrorStream(true).redirectOutput(dir.resolve("worker.log").toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("TASKJOB_"));
    env.put("TASKJOB_GENERATE_COUNT", "3");
    env.put("TASKJOB_ID_PREFIX", "env-");
    env.put("TASKJOB_COMMAND", "[\"sh\", \"-c\", \"echo $TASK_ID; [ $TASK_ID != env-2 ]\"]");
    env.put("TASKJOB_WORK_DIR", dir.resolve("work").toString());
    env.put("TASKJOB_EVENT_LOG", dir.resolve("events.jsonl").toString());
    env.put("TASKJOB_NUM_SIMULTANEOUS_TASKS", "2");
    env.put("TASKJOB_MAX_RUNTIME", "1m");
    env.put("TASKJOB_RETRY_ON_FAILURE", "true");
    env.put("TASKJOB_MAX_ATTEMPTS", "2");
    env.put("TASKJOB_SHUTDOWN_GRACE_PERIOD", "5");
    env.put("TASKJOB_HEARTBEAT_INTERVAL", "0");
    env.put("TASKJOB_JOB", "default/addition");
    env.put("TASKJOB_INSTANCE_ID", "i-0123");
    Process worker = pb.start();

    assertThat(worker.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(worker.exitValue()).isEqualTo(1);
    String log = Files.readString(dir.resolve("worker.log"));
    assertThat(log).contains("Num simultaneous tasks: 2", "Maximum runtime: 60 seconds", "Retry on failure: true",
        "Max attempts: 2", "Shutdown grace period: 5 seconds", "Job ID: default/addition", "Instance ID: i-0123");
    List<TaskEvent> events = Events.read(dir.resolve("events.jsonl")).all();
    assertThat(events).filteredOn(e -> e.eventType() == EventType.TASK_COMPLETED).extracting(TaskEvent::result)
        .containsExactlyInAnyOrder("env-1", "env-3");
    assertThat(events).filteredOn(e -> e.eventType() == EventType.TASK_FAILED).extracting(TaskEvent::attempt)
        .containsExactly(1, 2);
    assertThat(events).allSatisfy(e -> {
      assertThat(e.job()).isEqualTo("default/addition");
      assertThat(e.instanceId()).isEqualTo("i-0123");
    });
  }
}
