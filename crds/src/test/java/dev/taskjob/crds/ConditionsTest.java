package dev.taskjob.crds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {

  private static final Instant T1 = Instant.parse("2026-01-01T10:00:00.123Z");
  private static final Instant T2 = Instant.parse("2026-01-01T11:00:00Z");

  @Test
  void addsNewConditionStampedWithTheTime() {
    List<Condition> conditions = new ArrayList<>();
    assertThat(Conditions.set(conditions, ConditionTypes.COMPLETE, Condition.FALSE, "Running", "3 of 10 done", 1L, T1))
        .isTrue();
    assertThat(conditions).singleElement().satisfies(c -> {
      assertThat(c.getType()).isEqualTo("Complete");
      assertThat(c.getLastTransitionTime()).isEqualTo("2026-01-01T10:00:00Z");
      assertThat(c.getObservedGeneration()).isEqualTo(1L);
    });
  }

  @Test
  void keepsTransitionTimeWhenOnlyTheMessageChanges() {
    List<Condition> conditions = new ArrayList<>();
    Conditions.set(conditions, ConditionTypes.COMPLETE, Condition.FALSE, "Running", "3 of 10 done", 1L, T1);
    assertThat(Conditions.set(conditions, ConditionTypes.COMPLETE, Condition.FALSE, "Running", "7 of 10 done", 1L, T2))
        .isTrue();
    assertThat(conditions).singleElement().satisfies(c -> {
      assertThat(c.getMessage()).isEqualTo("7 of 10 done");
      assertThat(c.getLastTransitionTime()).isEqualTo("2026-01-01T10:00:00Z");
    });
  }

  @Test
  void movesTransitionTimeWhenTheStatusChanges() {
    List<Condition> conditions = new ArrayList<>();
    Conditions.set(conditions, ConditionTypes.COMPLETE, Condition.FALSE, "Running", "", 1L, T1);
    Conditions.set(conditions, ConditionTypes.COMPLETE, Condition.TRUE, "AllTasksDone", "", 1L, T2);
    assertThat(Conditions.find(conditions, ConditionTypes.COMPLETE)).get()
        .extracting(Condition::getLastTransitionTime).isEqualTo("2026-01-01T11:00:00Z");
    assertThat(Conditions.isTrue(conditions, ConditionTypes.COMPLETE)).isTrue();
    assertThat(Conditions.isTrue(conditions, ConditionTypes.FAILED)).isFalse();
  }

  @Test
  void reportsNoChangeForTheSameCondition() {
    List<Condition> conditions = new ArrayList<>();
    Conditions.set(conditions, ConditionTypes.READY, Condition.TRUE, "AllRunning", "4 of 4", 2L, T1);
    assertThat(Conditions.set(conditions, ConditionTypes.READY, Condition.TRUE, "AllRunning", "4 of 4", 2L, T2))
        .isFalse();
    assertThat(conditions).hasSize(1);
  }
}
