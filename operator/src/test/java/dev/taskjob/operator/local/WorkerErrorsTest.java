package dev.taskjob.operator.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The first error of a job's local workers, as the live progress view shows it. */
class WorkerErrorsTest {

  static Stream<Arguments> logs() {
    return Stream.of(
        Arguments.of("nothing wrong", List.of("2026-12-02 04:30:00.100 INFO - Worker started with 2 slots"), null),
        Arguments.of("a failed task", List.of(
            "2026-12-02 04:30:00.100 INFO - Worker started with 2 slots",
            "2026-12-02 04:30:01.200 WARN - Slot #0: Task t-1 failed with exit code 2 after 0.1 seconds, retry false",
            "2026-12-02 04:30:02.300 ERROR - Cannot receive tasks from the queue: gone"),
            "Slot #0: Task t-1 failed with exit code 2 after 0.1 seconds, retry false"),
        Arguments.of("a log with thread and logger names", List.of(
            "04:30:01.200 INFO  [main] d.t.w.Supervisor - started",
            "04:30:01.300 WARN  [slot-1] d.t.w.TaskLog - Slot #1: Task t-9 timed out after 2.0 seconds"),
            "Slot #1: Task t-9 timed out after 2.0 seconds"),
        Arguments.of("a worker that cannot start", List.of("Error: Could not find or load main class dev.x.Main"),
            "Error: Could not find or load main class dev.x.Main"),
        Arguments.of("an uncaught exception", List.of("Exception in thread \"main\" java.lang.IllegalStateException: no queue"),
            "Exception in thread \"main\" java.lang.IllegalStateException: no queue"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("logs")
  void firstWarningOrErrorIsTheOneShown(String name, List<String> lines, String expected) {
    assertThat(WorkerErrors.firstError(lines)).isEqualTo(Optional.ofNullable(expected));
  }

  @Test
  void readsOnlyTheJobsInstancesAndKeepsTheFirstError(@TempDir Path root) throws Exception {
    Path mine = instance(root, "tj-a-1", "a");
    Path other = instance(root, "tj-b-1", "b");
    Files.writeString(other.resolve("worker.log"), "2026-12-02 04:30:00.000 ERROR - not mine\n");
    Files.writeString(mine.resolve("worker.log"), "2026-12-02 04:30:00.000 INFO - started\n");
    WorkerErrors errors = new WorkerErrors(root);

    assertThat(errors.first("default", "a")).isEmpty();
    Files.writeString(mine.resolve("worker.log"), "2026-12-02 04:30:01.000 WARN - Slot #1: Task x failed\n",
        StandardOpenOption.APPEND);
    assertThat(errors.first("default", "a")).contains("tj-a-1: Slot #1: Task x failed");
    Files.writeString(mine.resolve("worker.log"), "2026-12-02 04:30:02.000 ERROR - later\n", StandardOpenOption.APPEND);
    assertThat(errors.first("default", "a")).contains("tj-a-1: Slot #1: Task x failed");
  }

  @Test
  void progressShowsTheErrorUnderTheJobsLine() {
    TaskJob job = new TaskJob();
    job.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("a").build());
    TaskJobStatus status = new TaskJobStatus();
    status.setPhase(TaskJobPhase.RUNNING);
    job.setStatus(status);

    assertThat(ProgressView.line(job, Optional.of("tj-a-1: Slot #1: Task x failed\n with exit code 1")).lines())
        .hasSize(2).last().isEqualTo("  first worker error: tj-a-1: Slot #1: Task x failed with exit code 1");
    assertThat(ProgressView.line(job, Optional.empty())).isEqualTo(ProgressView.line(job));
  }

  private static Path instance(Path root, String name, String job) throws Exception {
    Path dir = Files.createDirectories(root.resolve("instances").resolve(name));
    Files.writeString(dir.resolve("instance.json"),
        "{\"name\":\"" + name + "\",\"tags\":{\"taskjob-job\":\"" + job + "\",\"taskjob-namespace\":\"default\"}}");
    return dir;
  }
}
