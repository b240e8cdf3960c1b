package dev.taskjob.operator.decision;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;

/**
 * Where a bill went: each VM's bill ({@link CostMeter#billed}) split into the tasks' share (their
 * slot-seconds at the VM's price per slot), boot (launch to the first task's start, the whole VM),
 * drain (the last task's end to the VM's end, the whole VM), interrupted work (slot-seconds of attempts
 * that ended by interruption, or were running when the VM went) and idle slots: the rest, which also
 * takes the billing's rounding and minimum. The shares add up to the bill by construction; when
 * reported work exceeds the bill (clocks that disagree), the measured shares are scaled down to fit so
 * none is negative. Pure: a function of what was observed and the clock.
 */
public final class CostBreakdown {

  private CostBreakdown() {}

  /**
   * What was observed on one VM.
   *
   * @param life its billed life and price
   * @param slots task slots it runs (1 or more)
   * @param firstTaskStart when its first task started, or null if none has
   * @param lastTaskEnd when its last attempt ended, or null if none has
   * @param taskSlotSeconds seconds attempts ran on it that were not interrupted (finished, failed, timed
   *     out, or still running), summed over slots
   * @param lostSlotSeconds seconds of attempts that were interrupted or lost with the VM, summed over slots
   */
  public record VmWork(CostMeter.VmLife life, int slots, Instant firstTaskStart, Instant lastTaskEnd,
      double taskSlotSeconds, double lostSlotSeconds) {}

  /** USD of a bill by where it went; {@link #billed} is the sum of the other five. */
  public record Shares(double billed, double tasks, double boot, double idle, double drain, double interrupted) {
    public static final Shares ZERO = new Shares(0, 0, 0, 0, 0, 0);

    public Shares plus(Shares o) {
      return new Shares(billed + o.billed, tasks + o.tasks, boot + o.boot, idle + o.idle, drain + o.drain,
          interrupted + o.interrupted);
    }

    /** What was billed but ran no finished work: boot, idle slots, drain and interrupted work. */
    public double waste() {
      return boot + idle + drain + interrupted;
    }

    /** {@code part} as a fraction of the bill (0 when nothing was billed). */
    public double fraction(double part) {
      return billed <= 0 ? 0 : part / billed;
    }
  }

  /** The split of one VM's bill until {@code now}. */
  public static Shares of(VmWork vm, CostMeter.Billing billing, Instant now) {
    CostMeter.VmLife life = vm.life();
    double billed = CostMeter.billed(life, billing, now);
    if (billed <= 0) {
      return Shares.ZERO;
    }
    Instant end = life.ended() == null || life.ended().isAfter(now) ? now : life.ended();
    double lived = seconds(life.launched(), end);
    double perSecond = life.pricePerHour() / 3600;
    double perSlotSecond = perSecond / Math.max(1, vm.slots());
    double bootSeconds = vm.firstTaskStart() == null ? lived : clamp(seconds(life.launched(), vm.firstTaskStart()), lived);
    boolean ended = life.ended() != null && !life.ended().isAfter(now);
    double drainSeconds = ended && vm.lastTaskEnd() != null
        ? clamp(seconds(vm.lastTaskEnd(), end), lived - bootSeconds) : 0;
    double tasks = Math.max(0, vm.taskSlotSeconds()) * perSlotSecond;
    double interrupted = Math.max(0, vm.lostSlotSeconds()) * perSlotSecond;
    double boot = bootSeconds * perSecond;
    double drain = drainSeconds * perSecond;
    double measured = tasks + interrupted + boot + drain;
    if (measured > billed) {
      double fit = billed / measured;
      tasks *= fit;
      interrupted *= fit;
      boot *= fit;
      drain *= fit;
    }
    double idle = Math.max(0, billed - tasks - interrupted - boot - drain);
    return new Shares(billed, tasks, boot, idle, drain, interrupted);
  }

  /** The split of every VM's bill until {@code now}, summed. */
  public static Shares of(Collection<VmWork> vms, CostMeter.Billing billing, Instant now) {
    Shares sum = Shares.ZERO;
    for (VmWork vm : vms) {
      sum = sum.plus(of(vm, billing, now));
    }
    return sum;
  }

  /**
   * The split made to add up to {@code bill}, the bill as the pool accounts it: USD billed beyond the
   * observed VMs (VMs that came and went unobserved, e.g. while the operator restarted) is idle, since no
   * work was seen on it; a split over the bill is scaled down to it.
   */
  public static Shares fitTo(Shares s, double bill) {
    if (bill <= 0) {
      return Shares.ZERO;
    }
    if (bill >= s.billed()) {
      return new Shares(bill, s.tasks(), s.boot(), s.idle() + (bill - s.billed()), s.drain(), s.interrupted());
    }
    double k = bill / s.billed();
    Shares scaled = new Shares(bill, s.tasks() * k, s.boot() * k, 0, s.drain() * k, s.interrupted() * k);
    return new Shares(bill, scaled.tasks(), scaled.boot(),
        Math.max(0, bill - scaled.tasks() - scaled.boot() - scaled.drain() - scaled.interrupted()), scaled.drain(),
        scaled.interrupted());
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toNanos() / 1e9;
  }

  private static double clamp(double seconds, double max) {
    return Math.max(0, Math.min(seconds, Math.max(0, max)));
  }
}
