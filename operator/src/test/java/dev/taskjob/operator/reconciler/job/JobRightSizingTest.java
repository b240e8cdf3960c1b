package dev.taskjob.operator.reconciler.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.crds.v1alpha1.taskjob.PilotSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import dev.taskjob.operator.decision.RightSizing;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How many measured tasks right-sizing waits for: a short pilot's, so the instances after it are sized. */
class JobRightSizingTest {

  @ParameterizedTest(name = "pilot of {0} tasks: {1}")
  @CsvSource(nullValues = "none", value = {
      "none, 20",
      "5,    5",
      "20,   20",
      "50,   20",
  })
  void waitsForTheDefaultOrAShorterPilot(Integer pilotTasks, int expected) {
    TaskJobSpec spec = new TaskJobSpec();
    if (pilotTasks != null) {
      PilotSpec pilot = new PilotSpec();
      pilot.setTasks(pilotTasks);
      spec.setPilot(pilot);
    }
    assertThat(RightSizing.DEFAULT_MIN_MEASURED).isEqualTo(20);
    assertThat(JobRightSizing.minMeasured(spec)).isEqualTo(expected);
  }
}
