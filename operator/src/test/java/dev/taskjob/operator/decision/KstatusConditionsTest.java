package dev.taskjob.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolPhase;
import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs kstatus's rules for custom resources over the conditions written in every phase. The rules,
 * as kstatus applies them to an object without a built-in status reader:
 * <ol>
 *   <li>{@code status.observedGeneration} differs from {@code metadata.generation}: InProgress;</li>
 *   <li>condition {@code Reconciling} is True: InProgress;</li>
 *   <li>condition {@code Stalled} is True: Failed;</li>
 *   <li>otherwise: Current.</li>
 * </ol>
 */
class KstatusConditionsTest {

  private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");
  private static final long GENERATION = 4;

  static String kstatus(long generation, long observedGeneration, List<Condition> conditions) {
    if (generation != observedGeneration) {
      return "InProgress";
    }
    if (Conditions.isTrue(conditions, "Reconciling")) {
      return "InProgress";
    }
    if (Conditions.isTrue(conditions, "Stalled")) {
      return "Failed";
    }
    return "Current";
  }

  @ParameterizedTest(name = "TaskJob {0}")
  @EnumSource(TaskJobPhase.class)
  void aTaskJobIsInProgressUntilItFinishesOrIsSuspendedThenCurrentOrFailed(TaskJobPhase phase) {
    List<Condition> conditions = new ArrayList<>();
    if (phase == TaskJobPhase.FAILED) {
      Conditions.set(conditions, ConditionTypes.FAILED, Condition.TRUE, "CreateRefused",
          "instances cannot be created: InvalidParameterValue", GENERATION, NOW);
    }

    KstatusConditions.set(conditions, phase.displayName(), phase.inProgress(), phase == TaskJobPhase.FAILED,
        GENERATION, NOW);

    String expected = switch (phase) {
      case PENDING, LOADING, RUNNING, DRAINING -> "InProgress";
      case SUCCEEDED, SUSPENDED -> "Current";
      case FAILED -> "Failed";
    };
    assertThat(kstatus(GENERATION, GENERATION, conditions)).isEqualTo(expected);
    assertThat(kstatus(GENERATION + 1, GENERATION, conditions)).as("a spec not yet observed").isEqualTo("InProgress");
    assertThat(conditions).filteredOn(c -> c.getType().equals("Reconciling") || c.getType().equals("Stalled"))
        .hasSize(2).allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(GENERATION));
    if (phase == TaskJobPhase.FAILED) {
      Condition stalled = Conditions.find(conditions, "Stalled").orElseThrow();
      assertThat(stalled.getReason()).isEqualTo("CreateRefused");
      assertThat(stalled.getMessage()).contains("InvalidParameterValue");
    }
  }

  @ParameterizedTest(name = "InstancePool {0}")
  @EnumSource(InstancePoolPhase.class)
  void anInstancePoolIsCurrentOnlyWhenReady(InstancePoolPhase phase) {
    List<Condition> conditions = new ArrayList<>();

    KstatusConditions.set(conditions, phase.name(), phase != InstancePoolPhase.READY,
        phase == InstancePoolPhase.FAILED, GENERATION, NOW);

    String expected = switch (phase) {
      case PENDING, SCALING, TERMINATING -> "InProgress";
      case READY -> "Current";
      case FAILED -> "Failed";
    };
    assertThat(kstatus(GENERATION, GENERATION, conditions)).isEqualTo(expected);
  }
}
