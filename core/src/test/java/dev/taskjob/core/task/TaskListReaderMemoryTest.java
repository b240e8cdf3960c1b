package dev.taskjob.core.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader streams: reading ten times more tasks does not keep ten times more in memory.
 *
 * <p>Memory is compared, not time: the heap still in use after a full GC is measured once 10,000
 * tasks were read and again after all 100,000. The only state allowed to grow with the number of
 * tasks is the duplicate-id set: 8 bytes per id in a table kept at most half full, so at most 32
 * bytes per id, 2.9 MB for the 90,000 more ids. The bound allows 128 bytes per extra task (11.5 MB)
 * to absorb what a collection leaves behind. A reader that kept its tasks retains about 650 bytes
 * per task here (id, data object and its three fields): 59 MB more, measured by making this test
 * keep them.
 */
class TaskListReaderMemoryTest {

  private static final int TASKS = 100_000;
  private static final int FIRST_MEASUREMENT = 10_000;
  private static final long ALLOWED_BYTES_PER_EXTRA_TASK = 128;

  @Test
  void parses100000TasksFromGzipJsonLinesFileInConstantMemory(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("tasks.jsonl.gz");
    writeGzipJsonLines(file, TASKS);

    long count = 0;
    long indexSum = 0;
    long retainedAtFirst = -1;
    String lastId = null;
    try (TaskListReader reader = TaskListReader.open(file)) {
      while (reader.hasNext()) {
        Task task = reader.next();
        count++;
        indexSum += task.data().get("i").asLong();
        lastId = task.id();
        if (count == FIRST_MEASUREMENT) {
          retainedAtFirst = retainedHeapBytes();
        }
      }
      long retainedAtEnd = retainedHeapBytes();

      assertThat(reader.format()).isEqualTo(TaskListFormat.JSON_LINES);
      assertThat(count).isEqualTo(TASKS);
      assertThat(lastId).isEqualTo("task-100000");
      assertThat(indexSum).isEqualTo((long) TASKS * (TASKS - 1) / 2);
      long growth = retainedAtEnd - retainedAtFirst;
      assertThat(growth)
          .as("heap retained after %d tasks minus after %d tasks", TASKS, FIRST_MEASUREMENT)
          .isLessThan((TASKS - FIRST_MEASUREMENT) * ALLOWED_BYTES_PER_EXTRA_TASK);
    }
  }

  private static void writeGzipJsonLines(Path file, int count) throws IOException {
    try (BufferedWriter out = new BufferedWriter(new OutputStreamWriter(
        new GZIPOutputStream(Files.newOutputStream(file), 64 * 1024), StandardCharsets.UTF_8))) {
      for (int i = 0; i < count; i++) {
        String number = String.format("%06d", i + 1);
        out.write("{\"id\": \"task-" + number + "\", \"data\": {\"i\": " + i
            + ", \"input\": \"gs://survey-bucket/frames/frame-" + number + ".fits\""
            + ", \"note\": \"calibrated with the standard flat field and bias frames for night " + (i % 365) + "\"}}\n");
      }
    }
  }

  /** Heap in use after full collections; repeated until it stops shrinking (bounded). */
  private static long retainedHeapBytes() {
    var memory = ManagementFactory.getMemoryMXBean();
    long previous = Long.MAX_VALUE;
    long used = 0;
    for (int attempt = 0; attempt < 10; attempt++) {
      System.gc();
      used = memory.getHeapMemoryUsage().getUsed();
      if (used >= previous) {
        break;
      }
      previous = used;
    }
    return used;
  }
}
