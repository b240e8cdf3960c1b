package dev.taskjob.operator.decision;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Cost as the cloud bills it: each VM from its launch to its end (or now, while it runs), at the price
 * of its type, zone and market, in the provider's billing increments with its minimum charge. Pure
 * functions of VM lives and prices: {@link #billed} for what VMs cost, {@link #update} for the running
 * account a pool keeps in its status so that VMs keep counting after the cloud stops listing them. The
 * accrual is never rounded; {@link #forStatus} rounds only what is shown.
 */
public final class CostMeter {

  private CostMeter() {}

  /**
   * How a provider bills one VM.
   *
   * @param increment the unit billed (a started unit is billed whole); zero bills continuously
   * @param minimum the least a VM is billed for, however short its life
   */
  public record Billing(Duration increment, Duration minimum) {
    /** EC2 Linux: per second, 60 seconds at least. */
    public static final Billing EC2 = new Billing(Duration.ofSeconds(1), Duration.ofSeconds(60));
    /** Compute Engine: per second, one minute at least. */
    public static final Billing GCE = new Billing(Duration.ofSeconds(1), Duration.ofMinutes(1));
    /** Local instances: nothing rounded, no minimum. */
    public static final Billing CONTINUOUS = new Billing(Duration.ZERO, Duration.ZERO);

    /** The billing of provider {@code aws}, {@code gcp} or {@code local} (or a test's own). */
    public static Billing of(String provider) {
      return switch (provider == null ? "" : provider) {
        case "aws" -> EC2;
        case "gcp" -> GCE;
        default -> CONTINUOUS;
      };
    }
  }

  /**
   * One VM's billed life.
   *
   * @param launched when the cloud launched it
   * @param ended when the cloud stopped billing it, or null while it runs
   * @param pricePerHour USD per hour of its type in its zone and market
   */
  public record VmLife(Instant launched, Instant ended, double pricePerHour) {}

  /** USD billed for one VM until {@code now} (or its end): its billed time at its price, the minimum at least. */
  public static double billed(VmLife vm, Billing billing, Instant now) {
    if (vm.launched() == null || vm.pricePerHour() <= 0) {
      return 0;
    }
    Instant end = vm.ended() == null || vm.ended().isAfter(now) ? now : vm.ended();
    Duration lived = end.isBefore(vm.launched()) ? Duration.ZERO : Duration.between(vm.launched(), end);
    if (!billing.increment().isZero()) {
      long units = lived.toNanos() / billing.increment().toNanos();
      if (lived.toNanos() % billing.increment().toNanos() != 0) {
        units++;
      }
      lived = billing.increment().multipliedBy(units);
    }
    if (lived.compareTo(billing.minimum()) < 0) {
      lived = billing.minimum();
    }
    return vm.pricePerHour() * (lived.toNanos() / 3.6e12);
  }

  /** USD billed for every VM in {@code vms} until {@code now}. */
  public static double billed(Collection<VmLife> vms, Billing billing, Instant now) {
    double usd = 0;
    for (VmLife vm : vms) {
      usd += billed(vm, billing, now);
    }
    return usd;
  }

  /**
   * What a pool has been billed: VMs the cloud no longer lists, folded into {@code closedUsd}, and the
   * VMs it listed at the last look, by id, each billed until its end or now.
   */
  public record Account(double closedUsd, Map<String, VmLife> open) {
    public static final Account EMPTY = new Account(0, Map.of());

    public Account {
      open = Map.copyOf(open);
    }

    /** USD billed until {@code now}. */
    public double total(Billing billing, Instant now) {
      return closedUsd + billed(open.values(), billing, now);
    }
  }

  /**
   * A VM as one look at the cloud sees it.
   *
   * @param id the cloud's id
   * @param launched the cloud's launch time, or null when it does not say (then first seen counts)
   * @param alive pending or running: billed until now
   * @param endTime when the cloud reports it ended, or null (then the first look that sees it ended counts)
   * @param pricePerHour USD per hour of its type in its zone and market
   */
  public record Seen(String id, Instant launched, boolean alive, Instant endTime, double pricePerHour) {}

  /**
   * The account after one look: a newly listed VM opens a bill from its launch at its price; one seen
   * ended gets its end (the cloud's, else this look; a look's end gives way to the cloud's once a later
   * look reports it); one the cloud no longer lists is closed at its end
   * (this look if none was seen) and its bill folded into the closed sum. A VM seen alive again after it
   * ended (a stopped VM started again) closes the old bill and opens a new one from now. Whatever the
   * order of looks, no VM is billed twice and none is dropped.
   */
  public static Account update(Account before, Collection<Seen> listed, Billing billing, Instant now) {
    double closed = before.closedUsd();
    Map<String, VmLife> open = new LinkedHashMap<>();
    for (Seen vm : listed) {
      if (open.containsKey(vm.id())) {
        continue;
      }
      VmLife life = before.open().get(vm.id());
      if (life == null) {
        Instant launched = vm.launched() == null || vm.launched().isAfter(now) ? now : vm.launched();
        life = new VmLife(launched, null, vm.pricePerHour());
      } else if (vm.alive() && life.ended() != null) {
        closed += billed(life, billing, now);
        life = new VmLife(now, null, life.pricePerHour());
      }
      // The cloud's end, once it reports one, replaces an end this account took from a look (a preempted VM
      // listed before its end was known, or while the lists failed).
      if (!vm.alive() && (life.ended() == null || vm.endTime() != null)) {
        Instant end = vm.endTime() == null || vm.endTime().isAfter(now) ? now : vm.endTime();
        life = new VmLife(life.launched(), end.isBefore(life.launched()) ? life.launched() : end,
            life.pricePerHour());
      }
      open.put(vm.id(), life);
    }
    for (Map.Entry<String, VmLife> e : before.open().entrySet()) {
      if (!open.containsKey(e.getKey())) {
        VmLife gone = e.getValue();
        closed += billed(gone.ended() == null ? new VmLife(gone.launched(), now, gone.pricePerHour()) : gone,
            billing, now);
      }
    }
    return new Account(closed, open);
  }

  /**
   * The figure written to a status: three significant digits of the full-precision accrual. Small
   * amounts stay visible (a hundredth of a cent is not rounded to zero), and the figure changes only
   * when the amount has grown by 0.1 to 1% of itself, so a steady job's status is not patched at every
   * look (a $2/hour job looked at every second changes it about a third as often as it is looked at).
   * The accrual itself is never rounded; only what is shown.
   */
  public static double forStatus(double usd) {
    if (usd <= 0 || !Double.isFinite(usd)) {
      return 0.0;
    }
    return new BigDecimal(usd).round(SHOWN).doubleValue();
  }

  /** The cost as a person reads it: three significant digits, at least cents ({@code $0.0000833}, {@code $1.23}, {@code $1230.00}). */
  public static String display(double usd) {
    BigDecimal shown = new BigDecimal(forStatus(usd)).round(SHOWN).stripTrailingZeros();
    if (shown.scale() < 2) {
      shown = shown.setScale(2, RoundingMode.UNNECESSARY);
    }
    return "$" + shown.toPlainString();
  }

  private static final MathContext SHOWN = new MathContext(3, RoundingMode.HALF_EVEN);
}
