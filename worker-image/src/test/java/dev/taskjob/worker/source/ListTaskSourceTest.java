package dev.taskjob.worker.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.task.TaskGenerator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Retries of a task list wait for their back-off on a clock the test turns. */
class ListTaskSourceTest {

  private final AtomicLong nanos = new AtomicLong();
  private final TaskGenerator tasks = TaskGenerator.ofCount(3);
  private final ListTaskSource source = new ListTaskSource(
      LongStream.range(0, 3).mapToObj(tasks::task).iterator(), Long.MAX_VALUE, "3 tasks", null, nanos::get);

  @Test
  void aRetryRunsOnlyOnceItsDelayIsOverAndBeforeNewTasks() {
    SourcedTask first = source.take(1, Duration.ZERO).get(0);
    source.retry(first, Duration.ofSeconds(4));

    assertThat(ids(source.take(1, Duration.ZERO))).as("the retry is not due: a new task instead").containsExactly("1");
    assertThat(source.pendingRetries()).isEqualTo(1);
    nanos.addAndGet(Duration.ofMillis(3999).toNanos());
    assertThat(source.exhausted()).isFalse();
    assertThat(ids(source.take(0, Duration.ZERO))).isEmpty();

    nanos.addAndGet(Duration.ofMillis(1).toNanos());
    List<SourcedTask> next = source.take(2, Duration.ZERO);

    assertThat(ids(next)).containsExactly("0", "2");
    assertThat(next.get(0).attempt()).isEqualTo(2);
    assertThat(source.pendingRetries()).isZero();
    assertThat(source.exhausted()).isTrue();
  }

  @Test
  void retriesComeOutInTheOrderTheyAreDue() {
    List<SourcedTask> all = source.take(3, Duration.ZERO);
    source.retry(all.get(0), Duration.ofSeconds(8));
    source.retry(all.get(1), Duration.ofSeconds(2));
    source.retry(all.get(2), Duration.ZERO);

    assertThat(ids(source.take(3, Duration.ZERO))).containsExactly("2");
    nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    assertThat(ids(source.take(3, Duration.ZERO))).containsExactly("1");
    nanos.addAndGet(Duration.ofSeconds(6).toNanos());
    assertThat(ids(source.take(3, Duration.ZERO))).containsExactly("0");
  }

  /** The tasks' indexes, as text. */
  private static List<String> ids(List<SourcedTask> tasks) {
    return tasks.stream().map(t -> Long.toString(t.task().index())).toList();
  }
}
