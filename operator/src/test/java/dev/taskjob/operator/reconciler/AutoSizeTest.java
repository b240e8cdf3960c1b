package dev.taskjob.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.operator.OperatorSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spec.worker.autoSize} on a local job with real workers that measure their tasks: the last two tasks
 * wait on a gate the test opens only once the job has right-sized its pool from the others, so the resize
 * happens while the job runs, on any machine speed.
 */
class AutoSizeTest {

  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final int TASKS = 24;

  @TempDir static Path root;
  static OperatorHarness harness;

  @BeforeAll
  static void start() {
    harness = new OperatorHarness(OperatorSettings.defaults("autosize-test").fast()
        .withWorkerTimeouts(Duration.ofMinutes(5), Duration.ofMinutes(5))
        .withProviderProperties(Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString())));
    harness.start();
  }

  @AfterAll
  static void stop() throws Exception {
    Files.createDirectories(root.resolve("gate")); // lets still-blocked tasks end
    harness.close();
  }

  @Test
  void newInstancesAreSizedForWhatFinishedTasksUsed() throws Exception {
    harness.configMap("small", "tasks.json", TaskJobs.additionTasks(TASKS));
    Path gate = root.resolve("gate");
    // Every task lives a second (the worker samples its processes every 200 ms) and uses a few MiB and
    // almost no CPU; t-22 and t-23 then wait for the gate (bounded at 10 minutes).
    String script = "sleep 1; if [ \"$TASK_ID\" = t-22 ] || [ \"$TASK_ID\" = t-23 ]; then i=0;"
        + " while [ ! -e '" + gate + "' ] && [ $i -lt 12000 ]; do sleep 0.05; i=$((i+1)); done; fi";
    TaskJob job = TaskJobs.fromConfigMap("small", "small", "tasks.json", List.of("sh", "-c", script));
    job.getSpec().getWorker().setCpusPerTask(1.0);
    job.getSpec().getWorker().setMemoryPerTaskGiB(1.0);
    job.getSpec().getWorker().setAutoSize(true);
    harness.apply(job);

    TaskJob sized = harness.awaitJob("small", WAIT, j -> j.getStatus() != null && j.getStatus().getRightSizing() != null
        && j.getStatus().getRightSizing().contains("applied to new instances"));
    InstancePool pool = harness.await(WAIT, () -> harness.pool("small"),
        p -> p != null && Double.valueOf(0.125).equals(p.getSpec().getMemoryPerTaskGiB()), "the pool resized");
    Files.createDirectories(gate);
    TaskJob done = harness.awaitJob("small", WAIT, j -> j.getStatus().getPhase() != null
        && j.getStatus().getPhase().isFinished());

    assertThat(sized.getStatus().getRightSizing()).startsWith("cpusPerTask 0.25, memoryPerTaskGiB 0.125 (from ");
    assertThat(pool.getSpec().getCpusPerTask()).isEqualTo(0.25);
    assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(TaskJobPhase.SUCCEEDED);
    assertThat(done.getStatus().getSucceeded()).isEqualTo(TASKS);
    assertThat(harness.client.v1().events().inNamespace(OperatorHarness.NAMESPACE).list().getItems().stream()
        .filter(e -> "small".equals(e.getInvolvedObject().getName()) && "RightSized".equals(e.getReason())))
        .isNotEmpty();
  }
}
