package dev.taskjob.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.crds.v1alpha1.shared.RetrySpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.operator.reliability.FaultRun;
import io.fabric8.kubernetes.api.model.Event;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shape that used to fail a job that had no failing task: short tasks first, then long ones, on
 * three one-slot local instances with {@code maxAttempts: 1}. Near the end the pool shrinks while long
 * tasks run; no task may be failed or lost for it.
 */
class ScaleInTest {

  @TempDir
  static Path root;
  static OperatorHarness harness;

  @BeforeAll
  static void start() {
    harness = new OperatorHarness(FaultRun.settings("scale-in-test", root));
    harness.start();
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  /** 8 × 0.5 s then 4 × 8 s, ids s-0.. and l-0... */
  static String tasks() {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < 12; i++) {
      boolean longTask = i >= 8;
      sb.append(i == 0 ? "" : ",").append("{\"id\":\"").append(longTask ? "l-" + (i - 8) : "s-" + i)
          .append("\",\"data\":{\"seconds\":").append(longTask ? "8" : "0.5").append("}}");
    }
    return sb.append("]").toString();
  }

  @Test
  void shrinkingThePoolWhileLongTasksRunFailsNoTask() {
    harness.configMap("mixed", "tasks.json", tasks());
    TaskJob job = TaskJobs.fromConfigMap("mixed", "mixed", "tasks.json", List.of("sh", "-c", "sleep $TASK_ARG_SECONDS"));
    job.getSpec().getWorker().setSimultaneousTasks(1);
    job.getSpec().getWorker().setCpusPerTask(1.0);
    RetrySpec retry = new RetrySpec();
    retry.setMaxAttempts(1);
    job.getSpec().getWorker().setRetry(retry);
    job.getSpec().getInstances().setMaxInstances(3);
    harness.apply(job);

    TaskJob done = harness.awaitJob("mixed", Duration.ofMinutes(3),
        j -> j.getStatus() != null && j.getStatus().getPhase().isFinished());

    assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(TaskJobPhase.SUCCEEDED);
    assertThat(done.getStatus().getSucceeded()).isEqualTo(12);
    assertThat(done.getStatus().getFailed()).isZero();
    assertThat(done.getStatus().getDeadLettered()).isZero();
    List<String> removals = harness.client.v1().events().inNamespace(OperatorHarness.NAMESPACE).list().getItems()
        .stream().filter(e -> "InstancesRemoved".equals(e.getReason()))
        .sorted(Comparator.comparing(Event::getLastTimestamp)).map(Event::getMessage).toList();
    assertThat(removals).as("the pool shrank while work remained").isNotEmpty();
    assertThat(done.getStatus().getRetried()).as("no task was interrupted by the shrinking").isZero();
  }
}
