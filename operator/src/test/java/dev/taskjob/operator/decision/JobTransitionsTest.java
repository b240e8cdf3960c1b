package dev.taskjob.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JobTransitionsTest {

  private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");

  private static TaskJobStatus status(TaskJobPhase phase) {
    TaskJobStatus s = new TaskJobStatus();
    s.setPhase(phase);
    s.setQueueName("q");
    return s;
  }

  private static String condition(TaskJobStatus s, String type) {
    return Conditions.find(s.getConditions(), type).map(c -> c.getStatus() + "/" + c.getReason()).orElse("-");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      # case                       | succeeded | failed | remaining | failedBefore | phase     | complete                   | failedCondition         | event
      every task succeeded         | 10        | 0      | 0         | false        | Succeeded | True/AllTasksSucceeded     | -                       | Succeeded
      a task failed                | 9         | 1      | 0         | false        | Failed    | False/NotAllTasksSucceeded | True/TasksFailed        | Failed
      tasks without a result       | 8         | 0      | 2         | false        | Failed    | False/NotAllTasksSucceeded | True/TasksWithoutResult | Failed
      failed before (pool gave up) | 10        | 0      | 0         | true         | Failed    | False/NotAllTasksSucceeded | True/PoolGaveUp         | Failed
      """)
  void finishesByTheCounts(String name, long succeeded, long failed, long remaining, boolean failedBefore,
      String phase, String complete, String failedCondition, String event) {
    TaskJobStatus s = status(TaskJobPhase.DRAINING);
    if (failedBefore) {
      Conditions.set(s.getConditions(), ConditionTypes.FAILED, Condition.TRUE, "PoolGaveUp", "x", 1L, T);
    }
    JobTransitions.Notice notice = JobTransitions.finish(s,
        new JobTransitions.Counts(succeeded, failed, remaining, 0, 0), 1L, T);
    assertThat(s.getPhase().displayName()).isEqualTo(phase);
    assertThat(condition(s, ConditionTypes.COMPLETE)).isEqualTo(complete);
    assertThat(condition(s, ConditionTypes.FAILED)).isEqualTo(failedCondition);
    assertThat(condition(s, ConditionTypes.DRAINING)).isEqualTo("False/Drained");
    assertThat(notice.reason()).isEqualTo(event);
    assertThat(notice.warning()).isEqualTo(!"Succeeded".equals(event));
    assertThat(s.getCompletionTime()).isEqualTo(T.toString());
    assertThat(s.getMessage()).contains(succeeded + " succeeded", failed + " failed");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # case                   | ttl  | completedAgo | remaining
      kept when no ttl         | -    | 10           | -
      not finished             | 60   | -            | -
      waits the rest           | 60   | 10           | PT50S
      due exactly now          | 60   | 60           | PT0S
      overdue is due           | 60   | 600          | PT0S
      """)
  void ttlAfterFinished(String name, Integer ttl, Long completedAgo, String remaining) {
    Duration left = JobTransitions.ttlRemaining(ttl, completedAgo == null ? null : T.minusSeconds(completedAgo)
        .toString(), T);
    assertThat(left == null ? null : left.toString()).isEqualTo(remaining);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      # case                          | mayResolve | phase   | pending | failedCondition
      a Secret that may appear later  | true       | Pending | true    | -
      an invalid field                | false      | Failed  | false   | True/InvalidSpec
      """)
  void refusesAJobThatCannotStart(String name, boolean mayResolve, String phase, boolean pending,
      String failedCondition) {
    TaskJobStatus s = new TaskJobStatus();
    boolean lookAgain = JobTransitions.refuse(s, "InvalidSpec", "spec.x: bad", mayResolve, 1L, T);
    assertThat(lookAgain).isEqualTo(pending);
    assertThat(s.getPhase().displayName()).isEqualTo(phase);
    assertThat(condition(s, ConditionTypes.ACCEPTED)).isEqualTo("False/InvalidSpec");
    assertThat(condition(s, ConditionTypes.FAILED)).isEqualTo(failedCondition);
    assertThat(s.getMessage()).isEqualTo("spec.x: bad");
  }

  @Test
  void drainStartsOnceAndKeepsItsFirstReason() {
    TaskJobStatus s = status(TaskJobPhase.RUNNING);
    s.setInstancesDesired(4);
    assertThat(JobTransitions.startDraining(s, "AllTasksFinished", "done", 1L, T)).isPresent();
    assertThat(JobTransitions.startDraining(s, "QueueEmptyAndIdle", "idle", 1L, T.plusSeconds(5))).isEmpty();
    assertThat(s.getPhase()).isEqualTo(TaskJobPhase.DRAINING);
    assertThat(s.getInstancesDesired()).isZero();
    Condition draining = Conditions.find(s.getConditions(), ConditionTypes.DRAINING).orElseThrow();
    assertThat(draining.getReason()).isEqualTo("AllTasksFinished");
    assertThat(draining.getLastTransitionTime()).isEqualTo(T.toString());
  }

  @Test
  void aFailureDuringTheRunFailsAndDrains() {
    TaskJobStatus s = status(TaskJobPhase.LOADING);
    JobTransitions.Notice[] notices = JobTransitions.failAndDrain(s, "LoadFailed", "loading stopped: bad line", 1L, T);
    assertThat(s.getPhase()).isEqualTo(TaskJobPhase.DRAINING);
    assertThat(condition(s, ConditionTypes.FAILED)).isEqualTo("True/LoadFailed");
    assertThat(notices).extracting(JobTransitions.Notice::reason).containsExactly("LoadFailed", "Draining");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # verdict            | reason
      ALL_TASKS_FINISHED   | AllTasksFinished
      QUEUE_EMPTY_AND_IDLE | QueueEmptyAndIdle
      KEEP_RUNNING         | -
      """)
  void drainReasonFollowsTheVerdict(DrainDecision.Verdict verdict, String reason) {
    assertThat(JobTransitions.drainFor(verdict, 3, 1, 2, Duration.ofMinutes(2))
        .map(JobTransitions.Notice::reason).orElse(null)).isEqualTo(reason);
  }

  @Test
  void loadedMovesToRunning() {
    TaskJobStatus s = status(TaskJobPhase.LOADING);
    JobTransitions.Notice notice = JobTransitions.loaded(s, 12, 1L, T);
    assertThat(s.getPhase()).isEqualTo(TaskJobPhase.RUNNING);
    assertThat(s.getLoaded()).isEqualTo(12);
    assertThat(condition(s, ConditionTypes.LOADED)).isEqualTo("True/AllTasksLoaded");
    assertThat(condition(s, ConditionTypes.LOADING)).isEqualTo("False/AllTasksLoaded");
    assertThat(notice.message()).isEqualTo("All 12 tasks are in queue q");
  }

  @ParameterizedTest(name = "{0} with suspend={1}: {2}")
  @CsvSource(delimiter = '|', textBlock = """
      # phase    | suspend | action
      Pending    | true    | NONE
      Loading    | true    | SUSPEND
      Running    | true    | SUSPEND
      Suspended  | true    | NONE
      Draining   | true    | NONE
      Succeeded  | true    | NONE
      Failed     | true    | NONE
      Pending    | false   | NONE
      Loading    | false   | NONE
      Running    | false   | NONE
      Suspended  | false   | RESUME
      Draining   | false   | NONE
      Succeeded  | false   | NONE
      """)
  void suspendsOnlyWhatRunsAndResumesOnlyWhatIsSuspended(String phase, boolean suspend, String action) {
    TaskJobPhase p = TaskJobPhase.valueOf(phase.toUpperCase(java.util.Locale.ROOT));
    assertThat(JobTransitions.suspension(p, suspend)).isEqualTo(JobTransitions.Suspension.valueOf(action));
  }

  @ParameterizedTest(name = "suspended while {0}, resumes to {1}")
  @CsvSource(delimiter = '|', textBlock = """
      # loaded condition | resumes to
      false              | Loading
      true               | Running
      """)
  void suspendsWithNoInstancesAndResumesWhereItWas(boolean loaded, String resumesTo) {
    TaskJobStatus s = status(loaded ? TaskJobPhase.RUNNING : TaskJobPhase.LOADING);
    s.setInstancesDesired(3);
    if (loaded) {
      JobTransitions.loaded(s, 10, 1L, T);
    }
    JobTransitions.Notice suspended = JobTransitions.suspend(s, 2L, T);
    assertThat(s.getPhase()).isEqualTo(TaskJobPhase.SUSPENDED);
    assertThat(s.getInstancesDesired()).isZero();
    assertThat(condition(s, ConditionTypes.SUSPENDED)).isEqualTo("True/JobSuspended");
    assertThat(suspended.reason()).isEqualTo("Suspended");
    assertThat(suspended.warning()).isFalse();

    JobTransitions.Notice resumed = JobTransitions.resume(s, 3L, T.plusSeconds(60));
    assertThat(s.getPhase().displayName()).isEqualTo(resumesTo);
    assertThat(condition(s, ConditionTypes.SUSPENDED)).isEqualTo("False/JobResumed");
    assertThat(resumed.reason()).isEqualTo("Resumed");
    assertThat(resumed.message()).contains(resumesTo);
  }
}
