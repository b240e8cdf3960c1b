package dev.taskjob.operator.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.TaskGenerator;
import dev.taskjob.testing.FaultInjectingQueue;
import dev.taskjob.testing.MotoServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The crash-and-resume guarantee against SQS (a real moto_server), with a queue kept to hundreds of tasks. */
class TaskLoaderSqsTest {

  @RegisterExtension static final MotoServerExtension MOTO = new MotoServerExtension();

  @Test
  void loadKilledMidwayResumesAndTheQueueHoldsEveryTask() {
    ProviderConfig config = new ProviderConfig("aws", MotoServerExtension.REGION, null, Map.of(
        ProviderConfig.Keys.AWS_ENDPOINT, MOTO.endpoint().toString(),
        "credentials.aws_access_key_id", "test", "credentials.aws_secret_access_key", "test"));
    try (TaskQueue queue = Providers.get("aws").queue(config, new QueueSettings("tj-loader-sqs", Duration.ofMinutes(5), 3))) {
      queue.ensure();
      TaskInput input = TaskInput.generated(TaskGenerator.ofCount(300));
      LoadOptions options = LoadOptions.forProvider("aws").withBatchSize(20).withConcurrency(3)
          .withProgressInterval(Duration.ZERO);
      List<LoadCheckpoint> saved = new ArrayList<>();
      LoadCheckpoint[] atCrash = new LoadCheckpoint[1];
      FaultInjectingQueue crashing = new FaultInjectingQueue(queue, call -> {
        // The process dies at send call 7: that send and every later one never happen.
        if (call >= 7) {
          synchronized (saved) {
            if (atCrash[0] == null) {
              atCrash[0] = saved.isEmpty() ? LoadCheckpoint.START : saved.get(saved.size() - 1);
            }
          }
          return new QueueException("process killed (injected)", false);
        }
        return null;
      });

      assertThatThrownBy(() -> new TaskLoader(options).load(crashing, input, LoadCheckpoint.START, p -> {
        synchronized (saved) {
          saved.add(p.checkpoint());
        }
      })).isInstanceOf(LoadException.class);
      LoadResult resumed = new TaskLoader(options).load(queue, input, atCrash[0], null);

      Map<String, Integer> copies = new HashMap<>();
      for (int round = 0; round < 200; round++) {
        List<LeasedTask> got = queue.receive(10, Duration.ZERO);
        if (got.isEmpty()) {
          break;
        }
        got.forEach(t -> copies.merge(t.task().id(), 1, Integer::sum));
      }
      assertThat(copies).as("every task is in the queue").hasSize(300);
      long duplicates = copies.values().stream().mapToLong(c -> c - 1).sum();
      assertThat(duplicates).isLessThanOrEqualTo(resumed.possiblyDuplicated());
      assertThat(resumed.possiblyDuplicated()).isLessThanOrEqualTo(options.window());
      queue.delete();
    }
  }
}
