package dev.taskjob.worker.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The action attached to an event (the supervisor's ack) runs only once the event is in the event queue. */
class EventPublisherTest {

  @TempDir Path dir;

  @Test
  void actionRunsOnlyOnceTheEventCanBeReceived() throws Exception {
    TaskQueue queue = Providers.get("local").queue(new ProviderConfig("local", null, null,
        Map.of(ProviderConfig.Keys.LOCAL_ROOT, dir.toString())), new QueueSettings("tj-events-test", Duration.ofSeconds(30), 3));
    queue.ensure();
    TaskEvent completed = TaskEvent.builder(EventType.TASK_COMPLETED).taskId("t1").taskIndex(0L).attempt(1).build();
    CompletableFuture<List<String>> seenByTheAction = new CompletableFuture<>();

    EventPublisher publisher = new EventPublisher(null, queue);
    publisher.publish(completed, () -> seenByTheAction.complete(
        queue.receiveEvents(10, Duration.ZERO).stream().map(e -> e.event().taskId()).toList()));
    List<String> visible = seenByTheAction.get(30, TimeUnit.SECONDS);
    publisher.close(Duration.ofSeconds(10));

    assertThat(visible).containsExactly("t1");
  }
}
