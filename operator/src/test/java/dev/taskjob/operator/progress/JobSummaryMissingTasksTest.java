package dev.taskjob.operator.progress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The part of a job summary ({@code taskjob local}, {@code taskjob status}) that names the tasks a job
 * finished without a result for.
 */
class JobSummaryMissingTasksTest {

  private static String missingPart(long total, long succeeded, long failed, List<String> missingIds) {
    TaskJobStatus status = new TaskJobStatus();
    status.setTotal(total);
    status.setSucceeded(succeeded);
    status.setFailed(failed);
    status.setMissingTaskIds(missingIds);
    status.setLedgerConfigMap("job-ledger");
    StringBuilder sb = new StringBuilder();
    JobSummary.appendMissingTasks(sb, status);
    return sb.toString();
  }

  @Test
  void namesEachTaskWithoutAResult() {
    assertThat(missingPart(10, 7, 1, List.of("a", "b"))).isEqualTo(String.format(
        "  Tasks without a result (2):%n    a%n    b%n"));
  }

  @Test
  void pointsAtTheLedgerForTheRest() {
    List<String> first20 = IntStream.range(0, 20).mapToObj(i -> "t" + i).toList();
    assertThat(missingPart(100, 50, 0, first20))
        .startsWith(String.format("  Tasks without a result (50):%n    t0%n"))
        .endsWith(String.format("    t19%n    ... and 30 more: see missing-tasks.tsv.gz in ConfigMap job-ledger%n"));
  }

  @Test
  void saysNothingWhenEveryTaskHasAResult() {
    assertThat(missingPart(3, 2, 1, null)).isEmpty();
  }
}
