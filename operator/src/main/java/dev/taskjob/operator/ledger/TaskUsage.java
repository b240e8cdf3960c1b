package dev.taskjob.operator.ledger;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.stats.ElapsedTimeStats;

/**
 * What finished tasks used, as workers measured it: each task's peak resident memory (MiB), its CPU seconds
 * and its average cores (CPU seconds over elapsed seconds), kept as bounded histograms like elapsed times so
 * percentiles survive a million tasks and a restart. Right-sizing reads them.
 */
public final class TaskUsage {

  private static final double BYTES_PER_MIB = 1024.0 * 1024.0;

  private final ElapsedTimeStats peakMemoryMiB = new ElapsedTimeStats();
  private final ElapsedTimeStats cpuSeconds = new ElapsedTimeStats();
  private final ElapsedTimeStats cpuCores = new ElapsedTimeStats();

  /** Records what the task of a final result event used, if the worker measured it. */
  void record(TaskEvent event) {
    if (event.peakMemoryBytes() == null || event.cpuSeconds() == null) {
      return;
    }
    peakMemoryMiB.record(event.peakMemoryBytes() / BYTES_PER_MIB);
    cpuSeconds.record(event.cpuSeconds());
    Double elapsed = event.elapsedTime();
    if (elapsed != null && elapsed > 0) {
      cpuCores.record(event.cpuSeconds() / elapsed);
    }
  }

  /** How many finished tasks reported what they used. */
  public long measured() {
    return peakMemoryMiB.count();
  }

  /** Peak resident memory per task, in MiB. */
  public ElapsedTimeStats peakMemoryMiB() {
    return peakMemoryMiB;
  }

  /** CPU seconds per task. */
  public ElapsedTimeStats cpuSeconds() {
    return cpuSeconds;
  }

  /** Average cores a task kept busy over its run. */
  public ElapsedTimeStats cpuCores() {
    return cpuCores;
  }

  /** The saved form (one ConfigMap entry). */
  public Snapshot snapshot() {
    return new Snapshot(peakMemoryMiB.snapshot(), cpuSeconds.snapshot(), cpuCores.snapshot());
  }

  /** Adds what a saved ledger had recorded. */
  void restore(Snapshot saved) {
    peakMemoryMiB.merge(ElapsedTimeStats.fromSnapshot(saved.peakMemoryMiB()));
    cpuSeconds.merge(ElapsedTimeStats.fromSnapshot(saved.cpuSeconds()));
    cpuCores.merge(ElapsedTimeStats.fromSnapshot(saved.cpuCores()));
  }

  /** Serialisable state. */
  public record Snapshot(
      @JsonProperty("peakMemoryMiB") ElapsedTimeStats.Snapshot peakMemoryMiB,
      @JsonProperty("cpuSeconds") ElapsedTimeStats.Snapshot cpuSeconds,
      @JsonProperty("cpuCores") ElapsedTimeStats.Snapshot cpuCores) {}
}
