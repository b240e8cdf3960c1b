package dev.taskjob.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.Task;
import dev.taskjob.core.task.TaskGenerator;
import dev.taskjob.worker.HeldTasks.Placement;
import dev.taskjob.worker.source.SourcedTask;
import dev.taskjob.worker.source.TaskSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Fetching ahead: how many tasks a worker holds, where a received one goes, held tasks' leases (directory queue). */
class HeldTasksTest {

  private static final Duration LEASE = Duration.ofMinutes(5);
  private static final long SECOND = 1_000_000_000L;

  @TempDir Path dir;

  @ParameterizedTest(name = "{0} slot(s): {1} held ahead")
  @CsvSource({"1, 1", "2, 1", "3, 1", "4, 2", "7, 3", "8, 4", "12, 4", "16, 4", "32, 4", "100, 4"})
  void halfTheSlotsAtLeastOneAtMostFour(int slots, int ahead) {
    assertThat(HeldTasks.limit(slots)).isEqualTo(ahead);
  }

  @ParameterizedTest(name = "8 slots, recent run times [{0}] s: {1} held ahead")
  @CsvSource(delimiter = '|', value = {
      "                                      | 0",  // no task has ended: nothing is known yet
      "0.2                                   | 4",
      "1.99                                  | 4",
      "2.0                                   | 0",  // not short
      "600                                   | 0",
      "0.1 0.1 0.1 30 30                     | 4",  // the median decides, not the mean
      "0.1 0.1 30 30                         | 0",  // the upper median of an even count
      "30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 0.1 0.1 0.1 0.1 0.1 0.1 0.1 0.1 0.1 | 4",  // the latest 16
      "0.1 0.1 0.1 0.1 0.1 0.1 0.1 0.1 0.1 0.1 0.1 0.1 0.1 0.1 0.1 0.1 30 30 30 30 30 30 30 30 30 | 0",
  })
  void tasksAreHeldAheadOnlyOnceTheWorkersRecentTasksAreShort(String runTimes, int ahead) {
    HeldTasks.RecentRunTimes recent = new HeldTasks.RecentRunTimes();
    if (runTimes != null) {
      for (String t : runTimes.trim().split("\\s+")) {
        recent.add(Double.parseDouble(t));
      }
    }
    assertThat(HeldTasks.ahead(8, recent)).isEqualTo(ahead);
  }

  @ParameterizedTest(name = "stopping {0}, {1} of {2} slots running, {3} held: {4}")
  @CsvSource({
      "false, 0, 8, 0, START",
      "false, 7, 8, 0, START",
      "false, 8, 8, 0, HOLD",
      "false, 8, 8, 1, HOLD",
      "false, 7, 8, 1, HOLD",   // a task held longer goes first
      "true,  0, 8, 0, RELEASE",
      "true,  8, 8, 1, RELEASE",
  })
  void aReceivedTaskStartsInAFreeSlotWaitsWhenNoneIsFreeAndGoesBackWhenStopping(boolean stopping, int running,
      int slots, int held, Placement placement) {
    assertThat(HeldTasks.place(stopping, running, slots, held)).isEqualTo(placement);
  }

  @ParameterizedTest(name = "{0} permits of {1} slots + the held allowance: wait {2} s")
  @CsvSource({
      "12, 8, 5",   // every slot free
      "5, 8, 5",    // one slot free beyond the allowance of 4
      "4, 8, 0",    // every slot has a task: held tasks only, from what is there now
      "1, 8, 0",
      "2, 1, 5",    // one slot, free
      "1, 1, 0",
  })
  void theReceiveWaitsOnlyWhileASlotIsFree(int permits, int slots, int waitSeconds) {
    assertThat(HeldTasks.receiveWait(permits, slots, Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(waitSeconds));
  }

  @Test
  void heldTasksGoBackToTheQueueAtOnceAndAreNotExtendedAfterwards() {
    try (DirectSource source = open()) {
      source.queue.send(tasks(3));
      HeldTasks held = new HeldTasks();
      for (SourcedTask t : source.take(2, Duration.ZERO)) {
        held.add(t, 0);
      }
      assertThat(held.size()).isEqualTo(2);

      assertThat(held.handBackAll(source)).isEqualTo(2);
      held.extendLeases(source, LEASE, 100 * SECOND); // would hide them again were they still held

      assertThat(held.isEmpty()).isTrue();
      assertThat(source.extended).isEmpty();
      assertThat(source.take(3, Duration.ZERO))
          .as("both held tasks visible again long before their 5-minute lease ends, and the third")
          .extracting(t -> t.task().id()).containsExactlyInAnyOrderElementsOf(tasks(3).stream().map(Task::id).toList());
    }
  }

  @Test
  void aHeldTasksLeaseIsExtendedOnceAThirdOfItHasPassedSinceItWasLastSet() {
    try (DirectSource source = open()) {
      source.queue.send(tasks(2));
      HeldTasks held = new HeldTasks();
      List<SourcedTask> got = source.take(2, Duration.ZERO);
      held.add(got.get(0), 0);
      held.add(got.get(1), 50 * SECOND);
      long third = LEASE.toNanos() / 3;

      held.extendLeases(source, LEASE, third - 1);
      assertThat(source.extended).as("before a third of the lease").isEmpty();

      held.extendLeases(source, LEASE, third);
      assertThat(source.extended).containsExactly(got.get(0).task().id());

      held.extendLeases(source, LEASE, 50 * SECOND + third);
      assertThat(source.extended).as("the first not again until a third of a lease after its extension")
          .containsExactly(got.get(0).task().id(), got.get(1).task().id());
      assertThat(held.poll().task).as("the task held longest comes first").isEqualTo(got.get(0));
      assertThat(source.take(2, Duration.ZERO)).as("both still leased").isEmpty();
    }
  }

  private DirectSource open() {
    TaskQueue queue = Providers.get("local").queue(
        new ProviderConfig("local", null, null, Map.of(ProviderConfig.Keys.LOCAL_ROOT, dir.toString())),
        new QueueSettings("tj-held-test", LEASE, QueueSettings.deliveriesFor(QueueSettings.DEFAULT_MAX_INTERRUPTIONS)));
    queue.ensure();
    return new DirectSource(queue);
  }

  private static List<Task> tasks(int count) {
    TaskGenerator generator = TaskGenerator.ofCount(count);
    return LongStream.range(0, count).mapToObj(generator::task).toList();
  }

  /**
   * The directory queue with releases and extensions made on the caller's thread (QueueTaskSource releases on a
   * pool of its own), noting which tasks' leases are extended.
   */
  private static final class DirectSource implements TaskSource {
    final TaskQueue queue;
    final List<String> extended = new ArrayList<>();

    DirectSource(TaskQueue queue) {
      this.queue = queue;
    }

    @Override
    public String description() {
      return "directory queue";
    }

    @Override
    public boolean isQueue() {
      return true;
    }

    @Override
    public List<SourcedTask> take(int max, Duration wait) {
      return queue.receive(max, wait).stream().map(t -> new SourcedTask(t.task(), 1, t)).toList();
    }

    @Override
    public boolean exhausted() {
      return false;
    }

    @Override
    public void completed(SourcedTask task) {
      queue.ack(task.lease());
    }

    @Override
    public void retry(SourcedTask task, Duration delay) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void release(SourcedTask task) {
      queue.release(task.lease());
    }

    @Override
    public Duration leaseDuration() {
      return queue.settings().leaseDuration();
    }

    @Override
    public void extendLease(SourcedTask task, Duration leaseFromNow) {
      queue.extendLease(task.lease(), leaseFromNow);
      extended.add(task.task().id());
    }

    @Override
    public void close() {
      queue.close();
    }
  }
}
