package dev.taskjob.operator.archive;

import dev.taskjob.core.Json;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.store.ObjectStore;
import dev.taskjob.operator.ledger.TaskResult;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/** Reads a job's archive (docs/results.md): its task results, one per task, and its events in order. */
public final class ArchiveReader {

  private final ObjectStore store;
  private final String prefix;

  /** @param prefix the job's prefix in the store ({@link OutputLocations#jobPrefix}) */
  public ArchiveReader(ObjectStore store, String prefix) {
    this.store = store;
    this.prefix = prefix;
  }

  /** Each task's final result by index; a line written twice (a crash before the ledger save) counts once. */
  public Map<Long, TaskResult> results() {
    Map<Long, TaskResult> byIndex = new TreeMap<>();
    forEachLine(JobArchive.RESULTS, line -> {
      TaskResult r = Json.MAPPER.convertValue(readTree(line), TaskResult.class);
      byIndex.putIfAbsent(r.taskIndex(), r);
    });
    return byIndex;
  }

  /** Every archived event, in the order consumed (a redelivered event may appear twice). */
  public void forEachEvent(Consumer<TaskEvent> each) {
    forEachLine(JobArchive.EVENTS, line -> each.accept(Json.eventFromJson(line)));
  }

  private void forEachLine(String directory, Consumer<String> each) {
    for (String key : store.list(prefix + directory + "/")) {
      if (!key.endsWith(".jsonl.gz")) {
        continue;
      }
      byte[] part = store.get(key).orElse(null);
      if (part == null) {
        continue;
      }
      try (BufferedReader in = new BufferedReader(new InputStreamReader(
          new GZIPInputStream(new ByteArrayInputStream(part)), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          if (!line.isBlank()) {
            each.accept(line);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + store.location() + key + ": " + e.getMessage(), e);
      }
    }
  }

  private static com.fasterxml.jackson.databind.JsonNode readTree(String line) {
    try {
      return Json.MAPPER.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException("not a result line: " + line, e);
    }
  }
}
