package dev.taskjob.operator.progress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CostLinesTest {

  @Test
  void theSummaryShowsTheRightSizingSuggestion() {
    TaskJobStatus status = new TaskJobStatus();
    status.setRightSizing("cpusPerTask 1, memoryPerTaskGiB 2.5 (from 20 tasks: peak memory p99 2040 MiB, max 2047 MiB;"
        + " cores p99 0.90); sim.8x x8 instead of sim.8x x4, 50% less per task");
    StringBuilder sb = new StringBuilder();

    CostLines.append(sb, status, Map.of());

    assertThat(sb.toString()).isEqualTo("  Right-sizing: " + status.getRightSizing() + System.lineSeparator());
  }

  @Test
  void noLineBeforeEnoughTasksReported() {
    StringBuilder sb = new StringBuilder();

    CostLines.append(sb, new TaskJobStatus(), Map.of());

    assertThat(sb.toString()).doesNotContain("Right-sizing");
  }
}
