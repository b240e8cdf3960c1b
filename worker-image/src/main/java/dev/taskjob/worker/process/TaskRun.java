package dev.taskjob.worker.process;

import dev.taskjob.worker.source.SourcedTask;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;

/** One running attempt of a task: its process, slot, files and what ended it. */
public final class TaskRun {

  /** Why the worker killed the process, if it did. */
  public enum Kill { NONE, TIMEOUT, INTERRUPTED, MEMORY_LIMIT }

  private final SourcedTask task;
  private final int slot;
  private final Process process;
  private final String tag;
  private final Path directory;
  private final Path stdout;
  private final Path stderr;
  private final long startNanos;
  private final Instant startTime;
  private volatile Kill kill = Kill.NONE;
  private volatile long residentBytesAtKill;
  private volatile long peakResidentBytes;
  private volatile double cpuSeconds = -1;
  private volatile long leaseExtendedNanos;
  private ScheduledFuture<?> timeout;

  TaskRun(SourcedTask task, int slot, Process process, String tag, Path directory, Path stdout, Path stderr,
      long startNanos) {
    this.task = task;
    this.slot = slot;
    this.process = process;
    this.tag = tag;
    this.directory = directory;
    this.stdout = stdout;
    this.stderr = stderr;
    this.startNanos = startNanos;
    this.startTime = Instant.now();
    this.leaseExtendedNanos = startNanos;
  }

  public SourcedTask task() {
    return task;
  }

  public String id() {
    return task.task().id();
  }

  public int attempt() {
    return task.attempt();
  }

  public int slot() {
    return slot;
  }

  public Process process() {
    return process;
  }

  public long pid() {
    return process.pid();
  }

  public Path directory() {
    return directory;
  }

  public Path stdout() {
    return stdout;
  }

  public Path stderr() {
    return stderr;
  }

  public long startNanos() {
    return startNanos;
  }

  public Instant startTime() {
    return startTime;
  }

  public Kill killReason() {
    return kill;
  }

  public long leaseExtendedNanos() {
    return leaseExtendedNanos;
  }

  public void leaseExtendedAt(long nanos) {
    leaseExtendedNanos = nanos;
  }

  public void timeout(ScheduledFuture<?> future) {
    this.timeout = future;
  }

  /** Stops the pending timeout, if any. */
  public void cancelTimeout() {
    if (timeout != null) {
      timeout.cancel(false);
    }
  }

  /**
   * Sends SIGTERM to the task's process tree, remembering why; {@link #kill} should follow after a grace
   * period. A process that already exited is left alone, so a task finishing just as its time runs out
   * keeps its own result.
   *
   * @return true when this call started the kill
   */
  public synchronized boolean terminate(Kill reason) {
    if (!process.isAlive() || kill != Kill.NONE) {
      return false;
    }
    kill = reason;
    ProcessTree.terminate(process.toHandle(), tag);
    return true;
  }

  /**
   * Sends SIGKILL to the task's process tree. The first reason given (here or to {@link #terminate})
   * is the one kept.
   *
   * @return true when the task was still running
   */
  public synchronized boolean kill(Kill reason) {
    if (!process.isAlive()) {
      return false;
    }
    if (kill == Kill.NONE) {
      kill = reason;
    }
    ProcessTree.kill(process.toHandle(), tag);
    return true;
  }

  /** Kills the task at once because its processes use {@code residentBytes}, more than its limit. */
  public synchronized boolean killForMemory(long residentBytes) {
    if (!process.isAlive() || kill == Kill.MEMORY_LIMIT) {
      return false;
    }
    residentBytesAtKill = residentBytes;
    kill = Kill.MEMORY_LIMIT; // over the limit overrides a timeout or stop in progress: it is the real cause
    ProcessTree.kill(process.toHandle(), tag);
    return true;
  }

  /** The resident memory that got the task killed for its memory limit. */
  public long residentBytesAtKill() {
    return residentBytesAtKill;
  }

  /** The tag every process of this attempt carries ({@link ProcessTree}), or null without tree tracking. */
  public String tag() {
    return tag;
  }

  /**
   * Records one sample of what the task's processes use: the peak keeps the largest resident memory, the CPU
   * time the largest total (it drops when a process ends before its parent reaps it).
   */
  public void sampled(ProcessTree.Usage usage) {
    peakResidentBytes = Math.max(peakResidentBytes, usage.residentBytes());
    cpuSeconds = Math.max(cpuSeconds, usage.cpuSeconds());
  }

  /** True once at least one sample of the task's processes was taken. */
  public boolean wasSampled() {
    return cpuSeconds >= 0;
  }

  /** The most resident memory the task's processes held at one sample. */
  public long peakResidentBytes() {
    return peakResidentBytes;
  }

  /** CPU seconds of the task's processes at the last sample (-1 before the first). */
  public double cpuSeconds() {
    return cpuSeconds;
  }

  /** Returns once a kill in progress on another thread has finished. */
  public synchronized void awaitKill() {
    // kill() and terminate() hold this monitor until their work is done
  }

  /** The last non-empty line of stdout (at most {@code maxBytes}), or null: rms-cloud-tasks' "result". */
  public String lastStdoutLine(int maxBytes) {
    String tail = tail(stdout, maxBytes);
    if (tail == null) {
      return null;
    }
    String trimmed = tail.stripTrailing();
    int nl = trimmed.lastIndexOf('\n');
    String line = nl < 0 ? trimmed : trimmed.substring(nl + 1);
    return line.isEmpty() ? null : line;
  }

  /** The last {@code maxBytes} of stderr, or null when it is empty. */
  public String stderrTail(int maxBytes) {
    String tail = tail(stderr, maxBytes);
    return tail == null || tail.isBlank() ? null : tail.stripTrailing();
  }

  private static String tail(Path file, int maxBytes) {
    if (file == null || file.toFile().length() == 0) {
      return null; // one stat instead of open, stat, close for the many tasks that print nothing
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long length = f.length();
      if (length == 0) {
        return null;
      }
      int n = (int) Math.min(length, maxBytes);
      byte[] bytes = new byte[n];
      f.seek(length - n);
      f.readFully(bytes);
      String s = new String(bytes, StandardCharsets.UTF_8);
      // a cut through a multi-byte character shows as U+FFFD at the start; drop it
      return n < length && !s.isEmpty() && s.charAt(0) == '\uFFFD' ? s.substring(1) : s;
    } catch (IOException e) {
      return null;
    }
  }
}
