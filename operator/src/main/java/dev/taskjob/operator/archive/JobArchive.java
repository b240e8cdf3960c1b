package dev.taskjob.operator.archive;

import dev.taskjob.core.Json;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.store.ObjectStore;
import dev.taskjob.operator.ledger.TaskResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * Writes one job's archive (docs/results.md): every event the operator consumed and each task's
 * final result, as gzip JSON Lines parts rotated by size. The current part is rewritten on each
 * {@link #flush} until it is full, then a new part starts; part names begin with this writer's start
 * time, so a restarted operator adds parts and never overwrites another writer's.
 *
 * <p>The event consumer flushes before saving the ledger, so whatever the saved ledger counts is in
 * the archive. Thread-safe.
 */
public final class JobArchive implements AutoCloseable {

  /** Uncompressed bytes after which a part is closed and the next begins. */
  public static final int DEFAULT_PART_BYTES = 8 * 1024 * 1024;
  public static final String EVENTS = "events";
  public static final String RESULTS = "results";

  private final ObjectStore store;
  private final String prefix;
  private final String writer;
  private final int partBytes;
  private final Part events;
  private final Part results;

  /**
   * @param prefix the job's prefix in the store ({@link OutputLocations#jobPrefix})
   * @param startedAt this writer's start, which names its parts
   */
  public JobArchive(ObjectStore store, String prefix, Instant startedAt, int partBytes) {
    this.store = store;
    this.prefix = prefix;
    this.writer = String.format(Locale.ROOT, "%013d", startedAt.toEpochMilli());
    this.partBytes = partBytes;
    this.events = new Part(EVENTS);
    this.results = new Part(RESULTS);
  }

  /** Holds consumed events and new final results until the next {@link #flush}. */
  public synchronized void add(List<TaskEvent> consumed, List<TaskResult> finals) {
    consumed.forEach(e -> events.append(Json.eventToJson(e)));
    finals.forEach(r -> results.append(Json.MAPPER.valueToTree(r).toString()));
  }

  /** Writes what was added since the last flush; on failure it stays held and the next flush tries again. */
  public synchronized void flush() {
    events.flush();
    results.flush();
  }

  /** Where the archive is, for messages. */
  public String location() {
    return store.location() + prefix;
  }

  @Override
  public void close() {
    store.close();
  }

  /** One stream (events or results): closed parts waiting to be written and the open part. */
  private final class Part {
    private final String directory;
    private final Deque<Sealed> sealed = new ArrayDeque<>();
    private ByteArrayOutputStream open = new ByteArrayOutputStream();
    private int sequence;
    private boolean changed;

    private record Sealed(String key, byte[] lines) {}

    Part(String directory) {
      this.directory = directory;
    }

    void append(String line) {
      byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
      if (open.size() > 0 && open.size() + bytes.length > partBytes) {
        sealed.add(new Sealed(key(), open.toByteArray()));
        open = new ByteArrayOutputStream();
        sequence++;
      }
      open.writeBytes(bytes);
      changed = true;
    }

    void flush() {
      while (!sealed.isEmpty()) {
        Sealed s = sealed.peek();
        store.put(s.key(), gzip(s.lines()));
        sealed.remove();
      }
      if (changed) {
        store.put(key(), gzip(open.toByteArray()));
        changed = false;
      }
    }

    private String key() {
      return String.format(Locale.ROOT, "%s%s/%s-%06d.jsonl.gz", prefix, directory, writer, sequence);
    }
  }

  static byte[] gzip(byte[] raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 4 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
