package dev.taskjob.operator.progress;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Tasks finished per second over a sliding window, from counts kept in fixed time buckets, and the
 * estimated time to finish the rest at that rate. Not thread-safe.
 */
public final class Throughput {

  private record Bucket(long start, long count) {}

  private final long bucketMillis;
  private final long windowMillis;
  private final Deque<Bucket> buckets = new ArrayDeque<>();
  private Instant firstFinish;

  /** A window of five minutes in ten-second buckets. */
  public Throughput() {
    this(Duration.ofSeconds(10), Duration.ofMinutes(5));
  }

  public Throughput(Duration bucket, Duration window) {
    this.bucketMillis = bucket.toMillis();
    this.windowMillis = window.toMillis();
  }

  /** Records {@code n} tasks finished at {@code now}. */
  public void add(Instant now, long n) {
    if (n <= 0) {
      return;
    }
    if (firstFinish == null) {
      firstFinish = now;
    }
    long start = now.toEpochMilli() / bucketMillis * bucketMillis;
    Bucket last = buckets.peekLast();
    if (last != null && last.start() == start) {
      buckets.pollLast();
      buckets.addLast(new Bucket(start, last.count() + n));
    } else {
      buckets.addLast(new Bucket(start, n));
    }
    expire(now);
  }

  /** Finished tasks per second over the window (or since the first finish, when that is shorter); 0 before any. */
  public double perSecond(Instant now) {
    expire(now);
    if (firstFinish == null) {
      return 0;
    }
    long count = buckets.stream().mapToLong(Bucket::count).sum();
    long spanMillis = Math.min(windowMillis, Math.max(bucketMillis, now.toEpochMilli() - firstFinish.toEpochMilli()));
    return count * 1000.0 / spanMillis;
  }

  /** Time to finish {@code remaining} tasks at the current rate, or null when there is no rate yet. */
  public Duration eta(Instant now, long remaining) {
    if (remaining <= 0) {
      return Duration.ZERO;
    }
    double rate = perSecond(now);
    if (rate <= 0) {
      return null;
    }
    return Duration.ofSeconds((long) Math.ceil(remaining / rate));
  }

  private void expire(Instant now) {
    long oldest = now.toEpochMilli() - windowMillis;
    while (!buckets.isEmpty() && buckets.peekFirst().start() + bucketMillis <= oldest) {
      buckets.pollFirst();
    }
  }
}
