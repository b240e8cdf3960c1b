package dev.taskjob.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.crds.v1alpha1.shared.SpeculativeSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.reconciler.job.LedgerStore;
import io.fabric8.kubernetes.api.model.Event;
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
 * {@code spec.worker.speculative} on a local job with real workers: one task's first run blocks on a gate
 * that only a hedged copy can get past (the first run to create a marker directory waits; every later run
 * of that task finds the marker and ends at once), so the job can only finish early through a hedge, on
 * any machine speed. The job Succeeds with every task counted once.
 */
class HedgeTest {

  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final int TASKS = 24;

  @TempDir static Path root;
  static OperatorHarness harness;

  @BeforeAll
  static void start() {
    // Long worker timeouts: a worker slow to start on a loaded machine must not be replaced, since a
    // replacement would rerun t-0 from the queue and finish the job without any hedge.
    harness = new OperatorHarness(OperatorSettings.defaults("hedge-test").fast()
        .withWorkerTimeouts(Duration.ofMinutes(5), Duration.ofMinutes(5))
        .withProviderProperties(Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString())));
    harness.start();
  }

  @AfterAll
  static void stop() throws Exception {
    Files.createDirectories(root.resolve("gate")); // lets a still-blocked first run end
    harness.close();
  }

  @Test
  void aStragglerIsHedgedAndTheJobSucceedsWithEveryTaskCountedOnce() throws Exception {
    harness.configMap("tail", "tasks.json", TaskJobs.additionTasks(TASKS));
    Path marker = root.resolve("first-run-of-t-0");
    Path gate = root.resolve("gate");
    // The first run of t-0 waits for the gate (bounded at 10 minutes so nothing outlives a failed test).
    String script = "if [ \"$TASK_ID\" = t-0 ] && mkdir '" + marker + "' 2>/dev/null; then i=0;"
        + " while [ ! -e '" + gate + "' ] && [ $i -lt 12000 ]; do sleep 0.05; i=$((i+1)); done; fi";
    TaskJob job = TaskJobs.fromConfigMap("tail", "tail", "tasks.json", List.of("sh", "-c", script));
    job.getSpec().getWorker().setSimultaneousTasks(2);
    job.getSpec().getWorker().setCpusPerTask(0.5);
    job.getSpec().getWorker().setShutdownGracePeriod("1s");
    SpeculativeSpec speculative = new SpeculativeSpec();
    speculative.setEnabled(true);
    job.getSpec().getWorker().setSpeculative(speculative);
    harness.apply(job);

    TaskJob done = harness.awaitJob("tail", WAIT, j -> j.getStatus() != null && j.getStatus().getPhase() != null
        && j.getStatus().getPhase().isFinished());

    assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(TaskJobPhase.SUCCEEDED);
    assertThat(Files.exists(gate)).as("the first run of t-0 never got past its gate").isFalse();
    assertThat(Files.isDirectory(marker)).isTrue();
    assertThat(done.getStatus().getSucceeded()).isEqualTo(TASKS);
    assertThat(done.getStatus().getFailed()).isZero();
    Ledger ledger = new LedgerStore(harness.client).load(done).orElseThrow().ledger();
    assertThat(ledger.succeeded()).isEqualTo(TASKS);
    assertThat(ledger.failed()).isZero();
    assertThat(ledger.retried()).as("neither copy used up an attempt").isZero();
    // A quick task in the tail may be hedged as well (its run time is near the p90): it then counts a duplicate.
    assertThat(harness.client.v1().events().inNamespace(OperatorHarness.NAMESPACE).list().getItems().stream()
        .filter(e -> "tail".equals(e.getInvolvedObject().getName()) && "TasksHedged".equals(e.getReason()))
        .map(Event::getMessage))
        .anyMatch(m -> m.matches(".*: (.*, )?t-0(, .*)?$"));
  }
}
