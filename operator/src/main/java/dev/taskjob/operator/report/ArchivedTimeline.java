package dev.taskjob.operator.report;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster job's history for the report's charts, rebuilt from its archived events ({@code spec.output.uri}),
 * since a cluster keeps no history of a status. Events are taken in any order (the archive holds them in the
 * order the operator consumed them, and a redelivered one may appear twice), and memory stays bounded by the
 * number of buckets, VMs and tasks (one bit each), not by the number of events:
 * <ul>
 *   <li>tasks running: each attempt that ended ({@code task_completed}, {@code task_failed},
 *       {@code task_timed_out}) runs from its end minus its elapsed time to its end; an attempt cut off by a lost
 *       VM has no end event and is not drawn;</li>
 *   <li>tasks succeeded and failed: each task counted once, at its first final result;</li>
 *   <li>instances running: each VM from its worker's first event to its last;</li>
 *   <li>cost: the job's bill spread over those VM intervals (every VM of a pool has the same price per hour), so
 *       the last sample shows the bill; the shape between is an estimate, the end is not.</li>
 * </ul>
 * Samples are taken at {@code buckets + 1} evenly spaced times from the job's start to its end.
 */
public final class ArchivedTimeline {

  /** Buckets when the caller has no reason to choose: smooth charts, a small page. */
  public static final int DEFAULT_BUCKETS = 400;

  private final Instant start;
  private final Instant end;
  private final int buckets;
  /** By the first sample index that shows the change. */
  private final long[] runningDelta;
  private final long[] succeededAt;
  private final long[] failedAt;
  private final BitSet succeeded = new BitSet();
  private final BitSet failed = new BitSet();
  private final Map<String, Instant[]> vmSpans = new HashMap<>();
  /** Attempts already drawn, by attempt number (a hedged copy's under its negative): a redelivered event counts once. */
  private final Map<Integer, BitSet> drawnAttempts = new HashMap<>();
  private long events;

  /**
   * @param start the job's start
   * @param end its completion, or now for a job still running
   * @param buckets how many intervals the span is cut into
   */
  public ArchivedTimeline(Instant start, Instant end, int buckets) {
    if (!start.isBefore(end) || buckets < 1) {
      throw new IllegalArgumentException("need start before end and at least one bucket: " + start + ", " + end
          + ", " + buckets);
    }
    this.start = start;
    this.end = end;
    this.buckets = buckets;
    this.runningDelta = new long[buckets + 2];
    this.succeededAt = new long[buckets + 2];
    this.failedAt = new long[buckets + 2];
  }

  /** Takes one archived event. */
  public void add(TaskEvent e) {
    if (e.timestamp() == null || e.eventType() == null) {
      return;
    }
    events++;
    if (e.instanceId() != null) {
      vmSpans.merge(e.instanceId(), new Instant[] {e.timestamp(), e.timestamp()}, (a, b) -> new Instant[] {
          a[0].isBefore(b[0]) ? a[0] : b[0], a[1].isAfter(b[1]) ? a[1] : b[1]});
    }
    EventType type = e.eventType();
    boolean ended = type == EventType.TASK_COMPLETED || type == EventType.TASK_FAILED
        || type == EventType.TASK_TIMED_OUT;
    if (!ended) {
      return;
    }
    Integer index = e.taskIndex() == null || e.taskIndex() < 0 || e.taskIndex() > Integer.MAX_VALUE ? null
        : (int) (long) e.taskIndex();
    if (index != null && e.attempt() != null) {
      BitSet drawn = drawnAttempts.computeIfAbsent(Boolean.TRUE.equals(e.hedge()) ? -e.attempt() : e.attempt(),
          k -> new BitSet());
      if (drawn.get(index)) {
        return; // the same attempt's end, archived twice
      }
      drawn.set(index);
    }
    if (e.elapsedTime() != null && e.elapsedTime() >= 0) {
      Instant began = e.timestamp().minusMillis(Math.round(e.elapsedTime() * 1000));
      runningDelta[firstSampleAtOrAfter(began)]++;
      runningDelta[firstSampleAtOrAfter(e.timestamp())]--;
    }
    if (index == null) {
      return;
    }
    if (type == EventType.TASK_COMPLETED) {
      if (!succeeded.get(index)) {
        succeeded.set(index);
        succeededAt[firstSampleAtOrAfter(e.timestamp())]++;
      }
    } else if (Boolean.TRUE.equals(e.finalAttempt()) && !Boolean.TRUE.equals(e.hedge()) && !failed.get(index)) {
      // a hedged copy's failure is no task's failure: the original's attempts decide
      failed.set(index);
      failedAt[firstSampleAtOrAfter(e.timestamp())]++;
    }
  }

  /** How many events were taken. */
  public long events() {
    return events;
  }

  /**
   * The samples, from the start to the end.
   *
   * @param bill the job's cost at the end (its status), spread over the VMs' running time
   */
  public List<TimelineSample> samples(double bill) {
    long[] vmDelta = new long[buckets + 2];
    double[] vmSeconds = new double[buckets];
    double totalVmSeconds = 0;
    for (Instant[] span : vmSpans.values()) {
      vmDelta[firstSampleAtOrAfter(span[0])]++;
      vmDelta[firstSampleAtOrAfter(span[1])]--;
      totalVmSeconds += addSeconds(vmSeconds, span[0], span[1]);
    }
    List<TimelineSample> samples = new ArrayList<>(buckets + 1);
    long running = 0;
    long ok = 0;
    long bad = 0;
    long vms = 0;
    double seconds = 0;
    for (int b = 0; b < buckets; b++) {
      running += runningDelta[b];
      ok += succeededAt[b];
      bad += failedAt[b];
      vms += vmDelta[b];
      samples.add(new TimelineSample(timeOf(b), Math.max(0, running), ok, bad, 0, (int) Math.max(0, vms), 0,
          totalVmSeconds == 0 ? 0 : bill * seconds / totalVmSeconds));
      seconds += vmSeconds[b];
    }
    // the job's end: every task counted, the whole bill
    samples.add(new TimelineSample(end, 0, succeeded.cardinality(), failed.cardinality(), 0, 0, 0, bill));
    return samples;
  }

  /**
   * The first sample whose time is at or after {@code t}: what starts at {@code t} is shown from that sample on,
   * what ends at {@code t} no longer is (intervals include their start, not their end). Clamped to the span, with
   * {@code buckets + 1} for a time after its end.
   */
  private int firstSampleAtOrAfter(Instant t) {
    if (!t.isAfter(start)) {
      return 0;
    }
    if (t.isAfter(end)) {
      return buckets + 1;
    }
    long span = Duration.between(start, end).toNanos();
    long into = Duration.between(start, t).toNanos();
    return (int) Math.min(buckets, (long) Math.ceil((double) into / span * buckets));
  }

  /** The bucket (the interval between samples {@code b} and {@code b + 1}) holding {@code t}. */
  private int bucketOf(Instant t) {
    long span = Duration.between(start, end).toNanos();
    long into = Duration.between(start, t).toNanos();
    return (int) Math.max(0, Math.min(buckets - 1, (long) ((double) into / span * buckets)));
  }

  private Instant timeOf(int bucket) {
    long span = Duration.between(start, end).toNanos();
    return start.plusNanos((long) ((double) span * bucket / buckets));
  }

  /** Adds the VM's running seconds to the buckets it spans; returns them. */
  private double addSeconds(double[] perBucket, Instant from, Instant to) {
    Instant a = from.isBefore(start) ? start : from;
    Instant z = to.isAfter(end) ? end : to;
    if (!a.isBefore(z)) {
      return 0;
    }
    double total = 0;
    for (int b = bucketOf(a); b < buckets; b++) {
      Instant bucketStart = timeOf(b);
      Instant bucketEnd = timeOf(b + 1);
      Instant s = a.isAfter(bucketStart) ? a : bucketStart;
      Instant e = z.isBefore(bucketEnd) ? z : bucketEnd;
      if (s.isBefore(e)) {
        double sec = Duration.between(s, e).toNanos() / 1e9;
        perBucket[b] += sec;
        total += sec;
      }
      if (!bucketEnd.isBefore(z)) {
        break;
      }
    }
    return total;
  }
}
