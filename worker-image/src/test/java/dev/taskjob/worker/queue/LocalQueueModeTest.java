package dev.taskjob.worker.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.StopNotice;
import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.TaskQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The worker on the local provider's directory queue. */
class LocalQueueModeTest extends QueueModeContract {

  @Override
  String provider() {
    return "local";
  }

  @Override
  List<String> providerArgs() {
    return List.of("--local-root", dir.resolve("local").toString());
  }

  @Override
  ProviderConfig config() {
    return new ProviderConfig("local", null, null, Map.of(ProviderConfig.Keys.LOCAL_ROOT, dir.resolve("local").toString()));
  }

  /**
   * The local provider's stop notice, a file where the provider writes it for this instance: a worker of provider
   * local watches it without being told to (no metadata service), and stops as a cloud worker does. It had
   * fetched a task ahead of a free slot (one short task had ended), and hands that task back at once; the queue
   * allows one delivery (no interruptions), so the task goes back as a new message, not to the dead letters.
   */
  @Test
  void theLocalStopNoticeFileLetsRunningTasksFinishTakesNoNewOneAndExits() throws Exception {
    TaskQueue queue = open(Duration.ofSeconds(120), 1);
    queue.send(tasks(5));
    Path first = dir.resolve("first-task-ran");
    Future<Integer> scaledIn = startWorker("local-scaled-in", queue, "--num-simultaneous-tasks", "2",
        "--preemption-poll-interval", "0.1", "--shutdown-grace-period", "120",
        "--", "sh", "-c", "mkdir '" + first + "' 2>/dev/null && exit 0;"
            + " while [ ! -s \"$TASKJOB_NOTICE_FILE\" ]; do sleep 0.05; done; cat \"$TASKJOB_NOTICE_FILE\"");
    awaitCondition("a short task ended, two wait", () -> events("local-scaled-in", EventType.TASK_STARTED).size() == 3);
    // 2 slots hold one received task ahead once a short task has ended: it waits under a lease as long as the test
    awaitCondition("a fourth task received and held", () -> queue.depth().leased() == 3);
    Path notice = StopNotice.localFile(dir.resolve("local"), "local-scaled-in");
    Files.createDirectories(notice.getParent());
    Files.writeString(notice, StopNotice.SCALE_IN);

    assertThat(await(scaledIn)).isZero();
    List<String> started = events("local-scaled-in", EventType.TASK_STARTED).stream().map(TaskEvent::taskId).toList();
    assertThat(events("local-scaled-in", EventType.TASK_COMPLETED)).as("the running tasks finished").hasSize(3);
    assertThat(started).as("no new task after the notice").hasSize(3);
    assertThat(events("local-scaled-in", EventType.TASK_RETRIED)).as("the held task was never interrupted").isEmpty();
    assertThat(events("local-scaled-in", EventType.TASK_FAILED)).isEmpty();
    assertThat(queue.receive(5, Duration.ZERO)).as("the held task handed back at once, and the fifth")
        .extracting(t -> t.task().id()).hasSize(2).doesNotContainAnyElementsOf(started);
    assertThat(queue.depth().deadLettered()).as("no task dead-lettered").isZero();
  }

  /**
   * Before any task of its own has ended a worker knows nothing of the run times, so it receives for its free
   * slots only: the tasks it did not start were never delivered (a worker that received for a held task as
   * well takes three in its first receive).
   */
  @Test
  void aWorkerHoldsNoTaskAheadBeforeATaskHasEndedShort() throws Exception {
    TaskQueue queue = open(Duration.ofSeconds(120), 5);
    queue.send(tasks(4));
    Future<Integer> worker = startWorker("long-tasks", queue, "--num-simultaneous-tasks", "2",
        "--preemption-poll-interval", "0.1", "--shutdown-grace-period", "120",
        "--", "sh", "-c", "while [ ! -s \"$TASKJOB_NOTICE_FILE\" ]; do sleep 0.05; done");
    awaitCondition("two tasks started", () -> events("long-tasks", EventType.TASK_STARTED).size() == 2);
    Path notice = StopNotice.localFile(dir.resolve("local"), "long-tasks");
    Files.createDirectories(notice.getParent());
    Files.writeString(notice, StopNotice.SCALE_IN);

    assertThat(await(worker)).isZero();
    assertThat(queue.receive(4, Duration.ZERO)).as("the two tasks not started, never delivered before")
        .extracting(t -> t.deliveryAttempt()).containsExactly(1, 1);
  }
}
