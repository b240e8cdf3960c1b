package dev.taskjob.operator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobTimelineTest {

  private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");

  @Test
  void keepsOnlySamplesWhoseCountsChanged() {
    JobTimeline timeline = new JobTimeline();
    TimelineSample idle = new TimelineSample(T0, 0, 0, 0, 1, 0, 0, 0.0);

    timeline.record(idle);
    timeline.record(new TimelineSample(T0.plusSeconds(1), 0, 0, 0, 1, 0, 0, 0.0));
    timeline.record(new TimelineSample(T0.plusSeconds(2), 2, 0, 0, 0, 1, 0, 0.001));
    timeline.record(new TimelineSample(T0.plusSeconds(3), 2, 0, 0, 0, 1, 0, 0.001));

    assertThat(timeline.samples()).extracting(TimelineSample::at).containsExactly(T0, T0.plusSeconds(2));
  }

  @Test
  void refusesASampleOlderThanTheLast() {
    JobTimeline timeline = new JobTimeline();
    timeline.record(new TimelineSample(T0.plusSeconds(5), 0, 0, 0, 0, 0, 0, 0.0));

    assertThatThrownBy(() -> timeline.record(new TimelineSample(T0, 1, 0, 0, 0, 0, 0, 0.0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("older than the last one");
  }

  @Test
  void sampleReadsTheJobAndPoolStatusWithMissingFieldsAsZero() {
    TaskJobStatus job = new TaskJobStatus();
    job.setRunning(3L);
    job.setSucceeded(40L);
    job.setFailed(2L);
    job.setCostSoFar(0.25);
    job.setInstancesRunning(9);
    InstancePoolStatus pool = new InstancePoolStatus();
    pool.setPending(1);
    pool.setRunning(2);

    assertThat(TimelineSample.of(T0, job, pool)).isEqualTo(new TimelineSample(T0, 3, 40, 2, 1, 2, 0, 0.25));
    assertThat(TimelineSample.of(T0, job, null)).isEqualTo(new TimelineSample(T0, 3, 40, 2, 0, 9, 0, 0.25));
    assertThat(TimelineSample.of(T0, null, null)).isEqualTo(new TimelineSample(T0, 0, 0, 0, 0, 0, 0, 0.0));
  }
}
