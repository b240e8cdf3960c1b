package dev.taskjob.operator.selection;

import dev.taskjob.core.cloud.VmPrice;
import dev.taskjob.core.cloud.PlacementScores;
import dev.taskjob.crds.v1alpha1.shared.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Ranks offerings (type, zone, market) by expected cost per completed task, a pure function of the
 * {@link Selection}, the task duration and the interruption rates.
 *
 * <p>Expected slot-hours per completed task = {@code T × (1 + λ × (T/2 + R))}: a task of {@code T} hours on
 * a VM interrupted {@code λ} times per hour meets {@code λT} interruptions on average, and each throws away
 * half a task on average plus {@code R}, the time to boot a replacement and for the lost task's lease to lapse.
 * Cost per completed task = that × the offering's price per slot-hour. On-demand offerings ({@code λ = 0})
 * compete in the same ranking when the job allows on-demand capacity. Ties fall back to
 * {@link InstanceSelector#RANKING}, then the zone, so equal inputs give the same order.
 */
public final class CostRanking {

  /** Assumed when neither finished tasks nor {@code spec.worker.expectedTaskDuration} tell: SkyPilot's one hour. */
  public static final Duration DEFAULT_TASK_DURATION = Duration.ofHours(1);
  /** Boot of a replacement VM plus the lost task's lease lapsing, when the caller knows no better. */
  public static final Duration DEFAULT_RELAUNCH = Duration.ofMinutes(5);

  private CostRanking() {}

  /** How long one task runs, and what says so. */
  public record TaskDuration(Duration duration, Source source, long finishedTasks) {

    public enum Source { LEDGER, SPEC, DEFAULT }

    /** The ledger's mean once a task finished, else the user's estimate, else {@link #DEFAULT_TASK_DURATION}. */
    public static TaskDuration of(Duration measuredMean, long finishedTasks, Duration expected) {
      if (measuredMean != null && finishedTasks > 0 && !measuredMean.isZero() && !measuredMean.isNegative()) {
        return new TaskDuration(measuredMean, Source.LEDGER, finishedTasks);
      }
      if (expected != null && !expected.isZero() && !expected.isNegative()) {
        return new TaskDuration(expected, Source.SPEC, 0);
      }
      return new TaskDuration(DEFAULT_TASK_DURATION, Source.DEFAULT, 0);
    }

    /**
     * Whether a pool's recorded task duration should give way to the ledger's mean: on the first finished
     * task, then when the mean moved by more than a fifth (each change re-ranks the pool; small drifts do not).
     */
    public static boolean worthRecording(Duration recorded, long recordedSamples, Duration measured,
        long measuredSamples) {
      if (measured == null || measuredSamples <= 0 || measured.isZero() || measured.isNegative()) {
        return false;
      }
      if (recorded == null || recordedSamples <= 0 || recorded.isZero()) {
        return true;
      }
      double change = Math.abs(measured.toMillis() - recorded.toMillis()) / (double) recorded.toMillis();
      return change > 0.2;
    }

    public String describe() {
      String d = Durations.format(duration);
      return switch (source) {
        case LEDGER -> d + " tasks (mean of " + finishedTasks + " finished)";
        case SPEC -> d + " tasks (spec.worker.expectedTaskDuration)";
        case DEFAULT -> d + " tasks (assumed; set spec.worker.expectedTaskDuration)";
      };
    }
  }

  /**
   * What the ranking weighs besides the catalog.
   *
   * @param task how long a task runs
   * @param relaunch boot of a replacement plus the lease lapse of a lost task
   * @param history this cluster's observed interruptions
   * @param userRatePerHour the job's interruption-rate hint, or null
   * @param now the clock reading the history is decayed to
   * @param placementScores the cloud's spot placement scores by zone ({@link PlacementScores#NONE} if none)
   */
  public record Inputs(TaskDuration task, Duration relaunch, InterruptionHistory history, Double userRatePerHour,
      Instant now, PlacementScores placementScores) {

    public Inputs(TaskDuration task, Duration relaunch, InterruptionHistory history, Double userRatePerHour,
        Instant now) {
      this(task, relaunch, history, userRatePerHour, now, PlacementScores.NONE);
    }
  }

  /** One offering with its expected cost. */
  public record Ranked(Candidate candidate, InterruptionRate rate, double hoursPerCompletedTask,
      double costPerCompletedTask) {

    public String offering() {
      return candidate.typeName() + (candidate.spot() ? " spot" : " on-demand")
          + (candidate.zone() == null ? "" : " in " + candidate.zone());
    }
  }

  /** Offerings best first, never empty. */
  public record Ranking(List<Ranked> ranked, TaskDuration task, Duration relaunch) {

    public Ranking {
      ranked = List.copyOf(ranked);
    }

    public Ranked best() {
      return ranked.get(0);
    }

    /** Why the best offering, in one line: its expected cost, the inputs, and the runner-up. */
    public String why() {
      Ranked b = best();
      StringBuilder line = new StringBuilder(b.offering()).append(": ").append(usd(b.costPerCompletedTask()))
          .append(" per completed task (").append(usd(b.candidate().pricePerSlot())).append("/slot-hour x ")
          .append(String.format(Locale.ROOT, "%.2f", b.hoursPerCompletedTask())).append(" h; ")
          .append(task.describe()).append("; ").append(b.rate().describe()).append(")");
      ranked.stream().filter(r -> !r.candidate().typeName().equals(b.candidate().typeName())
          || r.candidate().spot() != b.candidate().spot()).findFirst()
          .ifPresent(r -> line.append("; next ").append(r.offering()).append(" ")
              .append(usd(r.costPerCompletedTask())).append(" (").append(r.rate().describe()).append(")"));
      return line.toString();
    }
  }

  /** Expected slot-hours to complete one task of {@code taskHours}. */
  public static double hoursPerCompletedTask(double taskHours, double interruptionsPerHour, double relaunchHours) {
    return taskHours * (1 + interruptionsPerHour * (taskHours / 2 + relaunchHours));
  }

  /**
   * Every offering of the selection, each spot type in each of its zones the constraints allow (at that zone's
   * price plus the boot disk, never above the type's on-demand price or the pool's hourly cap), ranked by expected
   * cost per completed task.
   */
  public static Ranking rank(Selection selection, InstanceConstraints constraints, Inputs in) {
    double taskHours = hours(in.task().duration());
    double relaunchHours = hours(in.relaunch());
    List<Ranked> ranked = new ArrayList<>();
    for (Candidate c : selection.ranked()) {
      for (Candidate offering : zonesOf(c, constraints)) {
        InterruptionRate rate = offering.spot()
            ? InterruptionRate.estimate(in.history(), offering.typeName(), offering.zone(),
                in.placementScores().score(offering.typeName(), offering.zone()), in.userRatePerHour(), in.now())
            : InterruptionRate.onDemand();
        double hours = hoursPerCompletedTask(taskHours, rate.perHour(), relaunchHours);
        ranked.add(new Ranked(offering, rate, hours, offering.pricePerSlot() * hours));
      }
    }
    ranked.sort(ORDER);
    return new Ranking(ranked, in.task(), in.relaunch());
  }

  private static final Comparator<Ranked> ORDER = Comparator
      .comparingLong((Ranked r) -> Math.round(r.costPerCompletedTask() * 1e12))
      .thenComparing(Ranked::candidate, InstanceSelector.RANKING)
      .thenComparing(r -> r.candidate().zone() == null ? "" : r.candidate().zone());

  /** A spot candidate priced in each allowed zone; an on-demand one as it is. */
  private static List<Candidate> zonesOf(Candidate c, InstanceConstraints constraints) {
    if (!c.spot()) {
      return List.of(c);
    }
    List<Candidate> out = new ArrayList<>();
    for (Map.Entry<String, Double> e : c.type().spotPrices().entrySet()) {
      VmPrice price = c.price().withInstancePrice(e.getValue());
      boolean allowed = constraints.zones().isEmpty() || constraints.zones().contains(e.getKey());
      boolean belowOnDemand = c.type().onDemandPrice() == null || e.getValue() <= c.type().onDemandPrice();
      boolean withinCap = constraints.maxPricePerHour() == null
          || price.perHour() <= constraints.maxPricePerHour() + 1e-9;
      if (allowed && belowOnDemand && withinCap) {
        out.add(new Candidate(c.type(), true, price, e.getKey(), c.slots(), price.perHour() / c.slots(),
            c.wastedCpus(), c.wastedMemoryGiB(), c.bootDiskGiB(), c.priceSource()));
      }
    }
    return out.isEmpty() ? List.of(c) : out;
  }

  private static double hours(Duration d) {
    return d.toMillis() / 3_600_000.0;
  }

  private static String usd(double v) {
    return String.format(Locale.ROOT, "$%.4f", v);
  }
}
