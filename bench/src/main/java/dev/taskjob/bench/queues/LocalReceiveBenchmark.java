package dev.taskjob.bench.queues;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.Task;
import dev.taskjob.core.task.TaskGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * Cost of one receive from the local queue against the backlog behind it: for each backlog size, a
 * fresh queue is loaded with that many tasks, then {@code --receives} receives of {@code --batch}
 * tasks, each acked, are timed one by one. A warm-up queue is drained first so that every size meets
 * compiled code. Prints {@code RESULT <backlog> <receives> <median us> <p90 us> <mean us>} per size.
 *
 * <p>Usage: {@code LocalReceiveBenchmark [--sizes 100,10000] [--receives 100] [--batch 1]}
 */
public final class LocalReceiveBenchmark {

  private LocalReceiveBenchmark() {}

  public static void main(String[] args) throws IOException {
    int[] sizes = {100, 10_000};
    int receives = 100;
    int batch = 1;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--sizes" -> sizes = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--receives" -> receives = Integer.parseInt(args[i + 1]);
        case "--batch" -> batch = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path root = Files.createTempDirectory("taskjob-receive-bench");
    ProviderConfig config = new ProviderConfig("local", null, null, Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString()));
    timeReceives(config, "warmup", 2_000, 1_000, batch);
    for (int size : sizes) {
      long[] nanos = timeReceives(config, "backlog-" + size, size, Math.min(receives, size / batch), batch);
      long[] sorted = nanos.clone();
      Arrays.sort(sorted);
      double mean = Arrays.stream(nanos).average().orElse(0);
      System.out.printf(Locale.ROOT, "RESULT %d %d %.1f %.1f %.1f%n", size, nanos.length,
          sorted[sorted.length / 2] / 1e3, sorted[(int) (sorted.length * 0.9)] / 1e3, mean / 1e3);
    }
  }

  private static long[] timeReceives(ProviderConfig config, String name, int backlog, int receives, int batch) {
    try (TaskQueue queue = Providers.get("local").queue(config, new QueueSettings(name, Duration.ofMinutes(5), 3))) {
      queue.ensure();
      TaskGenerator generator = TaskGenerator.ofCount(backlog);
      List<Task> tasks = LongStream.range(0, backlog).mapToObj(generator::task).toList();
      queue.send(tasks);
      long[] nanos = new long[receives];
      for (int r = 0; r < receives; r++) {
        long start = System.nanoTime();
        List<LeasedTask> got = queue.receive(batch, Duration.ZERO);
        got.forEach(queue::ack);
        nanos[r] = System.nanoTime() - start;
        if (got.isEmpty()) {
          throw new IllegalStateException("queue " + name + " ran dry after " + r + " receives");
        }
      }
      queue.delete();
      return nanos;
    }
  }
}
