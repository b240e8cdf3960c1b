package dev.taskjob.operator.ledger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskjob.core.Json;
import dev.taskjob.core.stats.ElapsedTimeStats;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The ledger's form in its ConfigMap: two gzip entries in {@code binaryData} and a readable summary in
 * {@code data}. The bitmaps of a million tasks take at most 125 KiB each before compression and the
 * failed-task list is capped at {@link Ledger#MAX_FAILED_RECORD_BYTES}, so a ledger stays far below the
 * 1 MiB object limit whatever the outcome.
 */
public final class LedgerCodec {

  /** Counts, bitmaps and the replay window (gzip, binary). */
  public static final String STATE_KEY = "ledger.bin.gz";
  /** Failed tasks, one per line: {@code index<TAB>id<TAB>reason} (gzip). */
  public static final String FAILED_KEY = "failed-tasks.tsv.gz";
  /** Human-readable counts (JSON) in {@code data}. */
  /** Tasks the job finished without a result for, named from the task source: {@code index\tid} lines, gzip. */
  public static final String MISSING_KEY = "missing-tasks.tsv.gz";
  public static final String SUMMARY_KEY = "summary.json";
  /** Elapsed-time statistics of finished tasks ({@link ElapsedTimeStats.Snapshot} as gzip JSON). */
  public static final String ELAPSED_KEY = "elapsed-times.json.gz";
  /** Succeeded tasks' own shares of their VMs' cost, in millionths of a USD (as {@link #ELAPSED_KEY}). */
  public static final String TASK_COST_KEY = "task-costs.json.gz";

  /**
   * The job's {@code maxAttempts} and each unfinished task's counted failures, sparse (gzip, binary): an
   * int limit, an int count of tasks with failures, then (when there are any) a bitmap over the unfinished
   * tasks in index order marking those with failures, and their counts as shorts in index order. Absent in
   * a ledger saved before failures were counted.
   */
  public static final String FAILURE_COUNTS_KEY = "failure-counts.bin.gz";

  /** Finished tasks' peak memory and CPU ({@link TaskUsage.Snapshot} as gzip JSON). */
  public static final String TASK_USAGE_KEY = "task-usage.json.gz";

  /**
   * Tasks sent a hedged copy: their indexes ascending, each as the unsigned LEB128 varint of its distance from
   * the previous one (gzip). Only the tail is hedged, so a few bytes per copy; absent when none was sent.
   */
  public static final String HEDGED_KEY = "hedged-tasks.bin.gz";

  private static final int MAGIC = 0x544a4c31; // "TJL1"

  private LedgerCodec() {}

  /** The entries of {@code binaryData}, raw bytes (the ConfigMap holds them base64-encoded). */
  public static Map<String, byte[]> encodeBinary(Ledger ledger) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    out.put(STATE_KEY, gzip(stateBytes(ledger)));
    out.put(FAILED_KEY, gzip(failedBytes(ledger)));
    out.put(FAILURE_COUNTS_KEY, gzip(failureCountBytes(ledger)));
    out.put(ELAPSED_KEY, gzip(elapsedBytes(ledger.elapsedTimes())));
    if (ledger.taskCostMicros().count() > 0) {
      out.put(TASK_COST_KEY, gzip(elapsedBytes(ledger.taskCostMicros())));
    }
    if (ledger.usage().measured() > 0) {
      out.put(TASK_USAGE_KEY, gzip(jsonBytes(ledger.usage().snapshot())));
    }
    if (!ledger.missingTasks().isEmpty()) {
      out.put(MISSING_KEY, gzip(missingBytes(ledger)));
    }
    if (ledger.hedgedCount() > 0) {
      out.put(HEDGED_KEY, gzip(hedgedBytes(ledger.hedgedIndexes())));
    }
    return out;
  }

  /** The readable summary for {@code data}. */
  public static String summary(Ledger ledger) {
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put("total", ledger.total());
    node.put("succeeded", ledger.succeeded());
    node.put("failed", ledger.failed());
    node.put("remaining", ledger.remaining());
    node.put("retried", ledger.retried());
    node.put("duplicates", ledger.duplicates());
    node.put("deadLettered", ledger.deadLettered());
    node.put("failedTasksListed", ledger.failedTasks().size());
    node.put("failedTasksTruncated", ledger.failedTasksTruncated());
    node.put("missingTasksListed", ledger.missingTasks().size());
    node.put("hedged", ledger.hedgedCount());
    ElapsedTimeStats times = ledger.elapsedTimes();
    if (times.count() > 0) {
      ObjectNode elapsed = node.putObject("elapsedSeconds");
      elapsed.put("count", times.count());
      elapsed.put("min", round(times.min()));
      elapsed.put("max", round(times.max()));
      elapsed.put("mean", round(times.mean()));
      elapsed.put("standardDeviation", round(times.standardDeviation()));
      elapsed.put("median", round(times.median()));
      elapsed.put("p90", round(times.percentile(90)));
      elapsed.put("p95", round(times.percentile(95)));
    }
    ElapsedTimeStats costs = ledger.taskCostMicros();
    if (costs.count() > 0) {
      ObjectNode cost = node.putObject("taskCostUsd");
      cost.put("count", costs.count());
      cost.put("mean", usd(costs.mean()));
      cost.put("p50", usd(costs.median()));
      cost.put("p90", usd(costs.percentile(90)));
      cost.put("p99", usd(costs.percentile(99)));
    }
    TaskUsage usage = ledger.usage();
    if (usage.measured() > 0) {
      putPercentiles(node.putObject("peakMemoryMiB"), usage.peakMemoryMiB());
      putPercentiles(node.putObject("cpuSeconds"), usage.cpuSeconds());
    }
    return node.toPrettyString();
  }

  private static void putPercentiles(ObjectNode node, ElapsedTimeStats stats) {
    node.put("count", stats.count());
    node.put("p50", round(stats.median()));
    node.put("p90", round(stats.percentile(90)));
    node.put("p99", round(stats.percentile(99)));
    node.put("max", round(stats.max()));
  }

  /** Rebuilds a ledger from its {@code binaryData} entries. */
  public static Ledger decode(Map<String, byte[]> binary) {
    byte[] state = binary.get(STATE_KEY);
    if (state == null) {
      throw new IllegalArgumentException("ledger has no " + STATE_KEY);
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(gunzip(state)))) {
      if (in.readInt() != MAGIC) {
        throw new IllegalArgumentException("ledger " + STATE_KEY + " has an unknown format");
      }
      long total = in.readLong();
      long retried = in.readLong();
      long duplicates = in.readLong();
      long deadLettered = in.readLong();
      long invalid = in.readLong();
      boolean truncated = in.readBoolean();
      BitSet finished = BitSet.valueOf(readBytes(in));
      BitSet failed = BitSet.valueOf(readBytes(in));
      int windowSize = in.readInt();
      Set<Long> window = new LinkedHashSet<>();
      for (int i = 0; i < windowSize; i++) {
        window.add(in.readLong());
      }
      byte[] failedEntry = binary.get(FAILED_KEY);
      List<Ledger.FailedTask> failedTasks = failedEntry == null ? List.of() : parseFailed(gunzip(failedEntry));
      byte[] countsEntry = binary.get(FAILURE_COUNTS_KEY);
      DataInputStream counts = countsEntry == null ? null
          : new DataInputStream(new ByteArrayInputStream(gunzip(countsEntry)));
      int maxAttempts = counts == null ? FailureCount.NO_LIMIT : counts.readInt();
      Ledger ledger = new Ledger(total, maxAttempts, finished, failed, retried, duplicates, deadLettered, invalid, failedTasks,
          truncated, window);
      if (counts != null) {
        readFailureCounts(counts, ledger);
      }
      byte[] missingEntry = binary.get(MISSING_KEY);
      if (missingEntry != null) {
        ledger.restoreMissing(parseMissing(gunzip(missingEntry)));
      }
      byte[] hedgedEntry = binary.get(HEDGED_KEY);
      if (hedgedEntry != null) {
        for (long index : parseHedged(gunzip(hedgedEntry))) {
          ledger.markHedged(index);
        }
      }
      byte[] elapsedEntry = binary.get(ELAPSED_KEY);
      if (elapsedEntry != null) {
        ledger.elapsedTimes().merge(decodeElapsed(elapsedEntry));
      }
      byte[] costEntry = binary.get(TASK_COST_KEY);
      if (costEntry != null) {
        ledger.taskCostMicros().merge(decodeElapsed(costEntry));
      }
      byte[] usageEntry = binary.get(TASK_USAGE_KEY);
      if (usageEntry != null) {
        ledger.usage().restore(Json.MAPPER.readValue(gunzip(usageEntry), TaskUsage.Snapshot.class));
      }
      return ledger;
    } catch (IOException e) {
      throw new IllegalArgumentException("ledger " + STATE_KEY + " is corrupt: " + e.getMessage(), e);
    }
  }

  /** Elapsed-time statistics from a ledger's {@link #ELAPSED_KEY} entry. */
  public static ElapsedTimeStats decodeElapsed(byte[] entry) throws IOException {
    return ElapsedTimeStats.fromSnapshot(Json.MAPPER.readValue(gunzip(entry), ElapsedTimeStats.Snapshot.class));
  }

  private static byte[] elapsedBytes(ElapsedTimeStats stats) {
    return jsonBytes(stats.snapshot());
  }

  private static byte[] jsonBytes(Object value) {
    try {
      return Json.MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Millionths of a USD as USD, three significant digits, as the status shows cost. */
  private static double usd(double micros) {
    return dev.taskjob.operator.decision.CostMeter.forStatus(micros / 1e6);
  }

  private static double round(double seconds) {
    return Math.round(seconds * 1000) / 1000.0;
  }

  private static byte[] stateBytes(Ledger ledger) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeLong(ledger.total());
      out.writeLong(ledger.retried());
      out.writeLong(ledger.duplicates());
      out.writeLong(ledger.deadLettered());
      out.writeLong(ledger.invalidEvents());
      out.writeBoolean(ledger.failedTasksTruncated());
      writeBytes(out, ledger.finishedBits().toByteArray());
      writeBytes(out, ledger.failedBits().toByteArray());
      Set<Long> window = ledger.windowToSave();
      out.writeInt(window.size());
      for (long fingerprint : window) {
        out.writeLong(fingerprint);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static byte[] failureCountBytes(Ledger ledger) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(ledger.maxAttempts());
      int[] indexes = ledger.indexesWithFailures();
      out.writeInt(indexes.length);
      if (indexes.length == 0) {
        return bytes.toByteArray();
      }
      // One bit per unfinished task (the j-th unfinished index), set where it has a count: a final task
      // never has one, so finished tasks take no bit.
      BitSet finished = ledger.finishedBits();
      BitSet withCounts = new BitSet();
      int j = 0;
      int k = 0;
      for (int i = finished.nextClearBit(0); k < indexes.length; i = finished.nextClearBit(i + 1), j++) {
        if (i == indexes[k]) {
          withCounts.set(j);
          k++;
        }
      }
      writeBytes(out, withCounts.toByteArray());
      for (int index : indexes) {
        out.writeShort(ledger.failureCount(index));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void readFailureCounts(DataInputStream in, Ledger ledger) throws IOException {
    int entries = in.readInt();
    if (entries < 0 || entries > ledger.remaining()) {
      throw new IOException("failure count entries " + entries + " out of range");
    }
    if (entries == 0) {
      return;
    }
    BitSet withCounts = BitSet.valueOf(readBytes(in));
    BitSet finished = ledger.finishedBits();
    int j = 0;
    int k = 0;
    for (int i = finished.nextClearBit(0); i < ledger.total() && k < entries; i = finished.nextClearBit(i + 1), j++) {
      if (withCounts.get(j)) {
        int count = in.readShort();
        if (count < 1) {
          throw new IOException("failure count " + count + " for index " + i + " out of range");
        }
        ledger.setFailureCount(i, count);
        k++;
      }
    }
    if (k != entries) {
      throw new IOException("failure counts name " + k + " tasks, expected " + entries);
    }
  }

  private static byte[] failedBytes(Ledger ledger) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (Writer w = new OutputStreamWriter(bytes, StandardCharsets.UTF_8)) {
      for (Ledger.FailedTask t : ledger.failedTasks()) {
        w.write(Long.toString(t.index()));
        w.write('\t');
        w.write(t.id());
        w.write('\t');
        w.write(t.reason());
        w.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static byte[] missingBytes(Ledger ledger) {
    StringBuilder text = new StringBuilder();
    for (Ledger.MissingTask t : ledger.missingTasks()) {
      text.append(t.index()).append('\t').append(t.id()).append('\n');
    }
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static List<Ledger.MissingTask> parseMissing(byte[] text) {
    List<Ledger.MissingTask> out = new ArrayList<>();
    for (String line : new String(text, StandardCharsets.UTF_8).split("\n")) {
      String[] parts = line.split("\t", 2);
      if (parts.length == 2) {
        out.add(new Ledger.MissingTask(Long.parseLong(parts[0]), parts[1]));
      }
    }
    return out;
  }

  private static List<Ledger.FailedTask> parseFailed(byte[] text) throws IOException {
    List<Ledger.FailedTask> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(text),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        String[] parts = line.split("\t", 3);
        if (parts.length == 3) {
          out.add(new Ledger.FailedTask(Long.parseLong(parts[0]), parts[1], parts[2]));
        }
      }
    }
    return out;
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 512 * 1024 * 1024 / 8) {
      throw new IOException("bitmap length " + n + " out of range");
    }
    return in.readNBytes(n);
  }

  static byte[] hedgedBytes(long[] ascending) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(ascending.length * 2);
    long previous = 0;
    for (long index : ascending) {
      long delta = index - previous;
      previous = index;
      while ((delta & ~0x7fL) != 0) {
        out.write((int) ((delta & 0x7f) | 0x80));
        delta >>>= 7;
      }
      out.write((int) delta);
    }
    return out.toByteArray();
  }

  static long[] parseHedged(byte[] varints) throws IOException {
    long[] out = new long[varints.length];
    int n = 0;
    long previous = 0;
    int i = 0;
    while (i < varints.length) {
      long delta = 0;
      int shift = 0;
      int b;
      do {
        if (i == varints.length || shift > 35) {
          throw new IOException(HEDGED_KEY + " ends in the middle of an index");
        }
        b = varints[i++] & 0xff;
        delta |= (long) (b & 0x7f) << shift;
        shift += 7;
      } while ((b & 0x80) != 0);
      previous += delta;
      out[n++] = previous;
    }
    return java.util.Arrays.copyOf(out, n);
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

  static byte[] gunzip(byte[] compressed) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
      return in.readAllBytes();
    }
  }
}
