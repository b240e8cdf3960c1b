package dev.taskjob.operator.decision;

import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.operator.ledger.TaskUsage;
import dev.taskjob.operator.selection.Candidate;
import dev.taskjob.operator.selection.InstanceConstraints;
import dev.taskjob.operator.selection.InstanceSelector;
import dev.taskjob.operator.selection.NoMatchingInstanceTypeException;
import java.util.Locale;
import java.util.Optional;

/**
 * Sizes a task from what finished tasks used: {@code memoryPerTaskGiB} from the p99 of their peak memory
 * plus a safety margin, {@code cpusPerTask} from the p99 of the cores they kept busy plus the same margin;
 * never below the largest use seen (a task that needed it once may need it again), never above what the job
 * asks for now (right-sizing only gives back), and only once enough tasks reported. The saving is what the
 * instance selection itself makes of the smaller task: a cheaper type or more slots per VM.
 */
public final class RightSizing {

  /** Headroom over the p99: workers sample every 200 ms, so a short spike can be missed. */
  public static final double DEFAULT_MARGIN = 0.25;
  /** Finished tasks that must have reported their use before anything is suggested. */
  public static final int DEFAULT_MIN_MEASURED = 20;
  static final double MEMORY_STEP_GIB = 0.125;
  static final double CPU_STEP = 0.25;
  private static final double MIB_PER_GIB = 1024;
  private static final double EPS = 1e-9;

  private RightSizing() {}

  /** Percentiles of what measured tasks used (memory in MiB, CPU in average cores over a task's run). */
  public record Usage(long measured, double memoryMiBP99, double memoryMiBMax, double coresP99, double coresMax) {

    public static Usage of(TaskUsage usage) {
      return new Usage(usage.measured(), usage.peakMemoryMiB().percentile(99), usage.peakMemoryMiB().max(),
          usage.cpuCores().percentile(99), usage.cpuCores().max());
    }
  }

  /**
   * @param cpusPerTask what the job asks for now
   * @param memoryPerTaskGiB what the job asks for now (null: tasks are not sized by memory)
   * @param minMeasured how many measured tasks are enough (the pilot's size when the job has one)
   */
  public record Inputs(double cpusPerTask, Double memoryPerTaskGiB, Usage usage, long minMeasured, double margin) {}

  /** The task size to ask for. */
  public record Suggestion(double cpusPerTask, double memoryPerTaskGiB) {

    /** True when it asks for less than {@code inputs} do. */
    public boolean smallerThan(Inputs inputs) {
      return cpusPerTask < inputs.cpusPerTask() - EPS
          || (inputs.memoryPerTaskGiB() != null && memoryPerTaskGiB < inputs.memoryPerTaskGiB() - EPS);
    }
  }

  /** The suggestion, or empty while too few tasks reported what they used. */
  public static Optional<Suggestion> suggest(Inputs in) {
    Usage u = in.usage();
    if (u.measured() < Math.max(1, in.minMeasured())) {
      return Optional.empty();
    }
    double memoryGiB = roundUp(Math.max(u.memoryMiBP99() * (1 + in.margin()), u.memoryMiBMax()) / MIB_PER_GIB,
        MEMORY_STEP_GIB);
    if (in.memoryPerTaskGiB() != null) {
      memoryGiB = Math.min(memoryGiB, in.memoryPerTaskGiB());
    }
    double cpus = Math.min(in.cpusPerTask(),
        Math.max(CPU_STEP, roundUp(Math.max(u.coresP99() * (1 + in.margin()), u.coresMax()), CPU_STEP)));
    return Optional.of(new Suggestion(cpus, memoryGiB));
  }

  /** What the suggestion saves per task slot-hour: the best type for each size, as the pool would choose. */
  public record Saving(Candidate current, Candidate suggested, double fraction) {}

  /** The saving, or empty when no type fits either size. */
  public static Optional<Saving> saving(InstanceCatalog catalog, InstanceConstraints current, Suggestion suggestion) {
    try {
      Candidate now = InstanceSelector.select(catalog, current).best();
      Candidate then = InstanceSelector.select(catalog, current.toBuilder().cpusPerTask(suggestion.cpusPerTask())
          .memoryPerTaskGiB(suggestion.memoryPerTaskGiB()).build()).best();
      double fraction = now.pricePerSlot() <= 0 ? 0 : Math.max(0, 1 - then.pricePerSlot() / now.pricePerSlot());
      return Optional.of(new Saving(now, then, fraction));
    } catch (NoMatchingInstanceTypeException e) {
      return Optional.empty();
    }
  }

  /** One line for status and the CLI. */
  public static String describe(Suggestion s, Usage u, Saving saving) {
    String line = String.format(Locale.ROOT,
        "cpusPerTask %s, memoryPerTaskGiB %s (from %d tasks: peak memory p99 %.0f MiB, max %.0f MiB; cores p99 %.2f)",
        number(s.cpusPerTask()), number(s.memoryPerTaskGiB()), u.measured(), u.memoryMiBP99(), u.memoryMiBMax(),
        u.coresP99());
    if (saving == null) {
      return line;
    }
    if (Math.round(saving.fraction() * 100) == 0) {
      // another type at the same price per slot is no advice
      return line + String.format(Locale.ROOT, "; no type is cheaper per task than %s x%d",
          saving.current().typeName(), saving.current().slots());
    }
    return line + String.format(Locale.ROOT, "; %s x%d instead of %s x%d, %.0f%% less per task",
        saving.suggested().typeName(), saving.suggested().slots(), saving.current().typeName(),
        saving.current().slots(), saving.fraction() * 100);
  }

  private static double roundUp(double value, double step) {
    return Math.ceil(value / step - EPS) * step;
  }

  private static String number(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", v);
  }
}
