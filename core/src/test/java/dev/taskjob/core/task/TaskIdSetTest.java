package dev.taskjob.core.task;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Duplicate detection in 8 bytes per id. */
class TaskIdSetTest {

  @Test
  void reportsSecondSightingOfAnIdOnly() {
    TaskIdSet ids = new TaskIdSet();

    assertThat(ids.add("a")).isTrue();
    assertThat(ids.add("b")).isTrue();
    assertThat(ids.add("a")).isFalse();
    assertThat(ids.add("A")).isTrue();
    assertThat(ids.add("")).isTrue();
    assertThat(ids.add("")).isFalse();
    assertThat(ids.size()).isEqualTo(4);
  }

  @Test
  void keepsEveryIdAcrossGrowth() {
    TaskIdSet ids = new TaskIdSet();
    for (int i = 0; i < 200_000; i++) {
      assertThat(ids.add("task-" + i)).isTrue();
    }
    for (int i = 0; i < 200_000; i += 997) {
      assertThat(ids.add("task-" + i)).as("task-%d seen before", i).isFalse();
    }
    assertThat(ids.size()).isEqualTo(200_000);
  }
}
