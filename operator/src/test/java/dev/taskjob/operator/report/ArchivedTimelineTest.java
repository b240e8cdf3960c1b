package dev.taskjob.operator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A cluster job's chart samples from its archived events: counts at each sample time, in any event order. */
class ArchivedTimelineTest {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  /** 10 buckets of 10 s over 100 s; two VMs; five tasks. */
  private static List<TaskEvent> job() {
    List<TaskEvent> events = new ArrayList<>();
    events.add(worker(EventType.WORKER_STARTED, "vm-a", 5));
    events.add(worker(EventType.WORKER_STARTED, "vm-b", 25));
    events.add(ended(EventType.TASK_COMPLETED, "vm-a", 0, 1, 35, 20, false));  // runs 15 s to 35 s
    events.add(ended(EventType.TASK_COMPLETED, "vm-a", 1, 1, 52, 30, false));  // 22 s to 52 s
    events.add(ended(EventType.TASK_FAILED, "vm-b", 2, 1, 41, 10, false));     // a retried failure, 31 to 41
    events.add(ended(EventType.TASK_COMPLETED, "vm-b", 2, 2, 68, 20, false));  // its retry succeeds, 48 to 68
    events.add(ended(EventType.TASK_TIMED_OUT, "vm-b", 3, 1, 75, 30, true));   // final: 45 to 75
    events.add(ended(EventType.TASK_COMPLETED, "vm-a", 1, 1, 52, 30, false));  // archived twice
    events.add(worker(EventType.WORKER_STOPPING, "vm-a", 60));
    events.add(worker(EventType.WORKER_STOPPING, "vm-b", 85));
    return events;
  }

  @Test
  void samplesCountWhatRanSucceededAndFailedAtEachTime() {
    List<TimelineSample> samples = timeline(job()).samples(1.0);

    assertThat(samples).hasSize(11);
    assertThat(samples).extracting(TimelineSample::at).containsExactly(
        T0, at(10), at(20), at(30), at(40), at(50), at(60), at(70), at(80), at(90), at(100));
    // running at 20 s: task 0 (15-35); at 30: 0 and 1; at 40: 1 and the failing attempt (31-41); at 50: 1, 2, 3
    assertThat(samples).extracting(TimelineSample::tasksRunning).containsExactly(0L, 0L, 1L, 2L, 2L, 3L, 2L, 1L, 0L,
        0L, 0L);
    assertThat(samples).extracting(TimelineSample::tasksSucceeded).containsExactly(0L, 0L, 0L, 0L, 1L, 1L, 2L, 3L, 3L,
        3L, 3L);
    assertThat(samples).extracting(TimelineSample::tasksFailed).containsExactly(0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 1L,
        1L, 1L);
    // vm-a from 5 s until its worker stopped at 60 s, vm-b from 25 s to 85 s
    assertThat(samples).extracting(TimelineSample::instancesRunning).containsExactly(0, 1, 1, 2, 2, 2, 1, 1, 1, 0, 0);
  }

  @Test
  void theBillIsSpreadOverTheVmsRunningTimeAndTheLastSampleIsTheWholeBill() {
    List<TimelineSample> samples = timeline(job()).samples(11.0);

    // vm-a runs 5-60 s (55 s), vm-b 25-85 s (60 s): 115 VM-seconds for $11
    assertThat(samples.get(1).costSoFar()).isCloseTo(11.0 * 5 / 115, within(1e-9));
    assertThat(samples.get(3).costSoFar()).isCloseTo(11.0 * (25 + 5) / 115, within(1e-9));
    assertThat(samples.get(10).costSoFar()).isEqualTo(11.0);
    for (int i = 1; i < samples.size(); i++) {
      assertThat(samples.get(i).costSoFar()).isGreaterThanOrEqualTo(samples.get(i - 1).costSoFar());
    }
  }

  @Test
  void theOrderOfTheEventsDoesNotMatter() {
    List<TimelineSample> inOrder = timeline(job()).samples(3.0);
    Random random = new Random(42);
    for (int round = 0; round < 20; round++) {
      List<TaskEvent> shuffled = new ArrayList<>(job());
      Collections.shuffle(shuffled, random);
      assertThat(timeline(shuffled).samples(3.0)).isEqualTo(inOrder);
    }
  }

  @Test
  void aHedgedCopysFinalFailureIsNoTasksFailureAndEventsOutsideTheSpanAreClamped() {
    List<TaskEvent> events = new ArrayList<>();
    // a hedged copy running 25 s to 30 s: not running at 30 s, where it ended
    events.add(TaskEvent.builder(EventType.TASK_FAILED).timestamp(at(30)).instanceId("vm-a").taskId("t9")
        .taskIndex(9).attempt(1).elapsedTime(5).finalAttempt(true).hedge(true).build());
    events.add(ended(EventType.TASK_COMPLETED, "vm-a", 8, 1, 130, 200, false)); // began before, ended after the span
    ArchivedTimeline timeline = timeline(events);

    List<TimelineSample> samples = timeline.samples(0.0);

    assertThat(samples.get(samples.size() - 1).tasksFailed()).isZero();
    assertThat(samples.get(samples.size() - 1).tasksSucceeded()).isEqualTo(1);
    assertThat(samples.subList(0, 10)).allSatisfy(s -> assertThat(s.tasksRunning()).isEqualTo(1));
    assertThat(samples.get(10).tasksRunning()).isZero();
    assertThat(timeline.events()).isEqualTo(2);
  }

  @Test
  void needsASpanAndABucket() {
    assertThatThrownBy(() -> new ArchivedTimeline(T0, T0, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ArchivedTimeline(T0, at(10), 0)).isInstanceOf(IllegalArgumentException.class);
  }

  private static ArchivedTimeline timeline(List<TaskEvent> events) {
    ArchivedTimeline timeline = new ArchivedTimeline(T0, at(100), 10);
    events.forEach(timeline::add);
    return timeline;
  }

  private static Instant at(int seconds) {
    return T0.plusSeconds(seconds);
  }

  private static TaskEvent worker(EventType type, String vm, int seconds) {
    return TaskEvent.builder(type).timestamp(at(seconds)).instanceId(vm).build();
  }

  private static TaskEvent ended(EventType type, String vm, long index, int attempt, int endSeconds, int elapsed,
      boolean finalAttempt) {
    return TaskEvent.builder(type).timestamp(at(endSeconds)).instanceId(vm).taskId("t" + index).taskIndex(index)
        .attempt(attempt).elapsedTime(elapsed).finalAttempt(finalAttempt).build();
  }
}
