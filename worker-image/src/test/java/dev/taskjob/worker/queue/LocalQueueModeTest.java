package dev.taskjob.worker.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.StopNotice;
import dev.taskjob.core.event.EventType;
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
   * local watches it without being told to (no metadata service), and stops as a cloud worker does, handing the
   * task it received ahead of a free slot back to the queue.
   */
  @Test
  void theLocalStopNoticeFileLetsRunningTasksFinishTakesNoNewOneAndExits() throws Exception {
    TaskQueue queue = open(Duration.ofSeconds(120), 5);
    queue.send(tasks(4));
    Future<Integer> scaledIn = startWorker("local-scaled-in", queue, "--num-simultaneous-tasks", "2",
        "--preemption-poll-interval", "0.1", "--shutdown-grace-period", "120",
        "--", "sh", "-c", "while [ ! -s \"$TASKJOB_NOTICE_FILE\" ]; do sleep 0.05; done; cat \"$TASKJOB_NOTICE_FILE\"");
    awaitCondition("two tasks started", () -> events("local-scaled-in", EventType.TASK_STARTED).size() == 2);
    // 2 slots hold one received task ahead: it waits for a slot under a lease as long as the test
    awaitCondition("a third task received and held", () -> queue.depth().leased() == 3);
    Path notice = StopNotice.localFile(dir.resolve("local"), "local-scaled-in");
    Files.createDirectories(notice.getParent());
    Files.writeString(notice, StopNotice.SCALE_IN);

    assertThat(await(scaledIn)).isZero();
    assertThat(events("local-scaled-in", EventType.TASK_COMPLETED)).as("the running tasks finished").hasSize(2);
    assertThat(events("local-scaled-in", EventType.TASK_STARTED)).as("no new task after the notice").hasSize(2);
    assertThat(events("local-scaled-in", EventType.TASK_RETRIED)).as("the held task was never interrupted").isEmpty();
    assertThat(events("local-scaled-in", EventType.TASK_FAILED)).isEmpty();
    assertThat(queue.receive(4, Duration.ZERO)).as("the held task handed back at once, and the fourth")
        .extracting(t -> t.task().index()).containsExactlyInAnyOrder(2L, 3L);
  }
}
