package dev.taskjob.operator.decision;

import dev.taskjob.core.cloud.InstanceState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a pool does next, from what the cloud reports and what the workers last said: which VMs to
 * terminate (extras, never started, gone silent) and how many to create. A pure function: the
 * reconciler observes, calls {@link #plan}, then acts.
 */
public final class PoolPlan {

  /** Why a VM is terminated. */
  public enum Reason {
    /** More VMs than wanted. */
    EXTRA,
    /** No worker report within the startup timeout. */
    NEVER_STARTED,
    /** Reported once, then nothing for the heartbeat timeout. */
    SILENT,
    /**
     * Stopped or preempted but not deleted: it still bills for its disks (a GCE spot VM stops when
     * preempted), and does no work.
     */
    NOT_RUNNING
  }

  /**
   * One VM as observed.
   *
   * @param id cloud id
   * @param state cloud state
   * @param launchTime when the cloud launched it (null: unknown, treated as now)
   * @param firstReport the first worker report, or null if none known
   * @param lastReport the latest worker report, or null
   * @param runningTasks tasks its worker last said it runs
   * @param terminationRequested the pool already asked the cloud to terminate it
   */
  public record Vm(String id, InstanceState state, Instant launchTime, Instant firstReport, Instant lastReport,
      int runningTasks, boolean terminationRequested) {}

  /**
   * @param desired VMs wanted
   * @param vms the pool's VMs in the cloud, in any state
   * @param previouslyAlive ids the pool last saw alive (from its status), to tell VMs lost since
   * @param startupTimeout time a new VM has to report, or null for no limit
   * @param heartbeatTimeout time a reporting VM may stay silent, or null for no limit
   * @param trackingSince reports are known only from this time on (operator start): timeouts count from no earlier
   * @param now current time
   */
  public record Inputs(int desired, List<Vm> vms, Set<String> previouslyAlive, Duration startupTimeout,
      Duration heartbeatTimeout, Instant trackingSince, Instant now) {}

  /** A VM to terminate and why. */
  public record Removal(String id, Reason reason) {}

  /**
   * The plan.
   *
   * @param terminate VMs to terminate now
   * @param create VMs to create
   * @param healthy VMs kept
   * @param lost VMs that died, were preempted or stopped since last seen alive, without the pool asking
   * @param stillTerminating VMs the pool asked to terminate that the cloud still reports alive (asked again)
   */
  public record Result(List<Removal> terminate, int create, List<String> healthy, List<String> lost,
      List<String> stillTerminating) {

    /** VMs terminated for a startup or heartbeat timeout, plus lost ones: each needs a replacement. */
    public int failures() {
      return lost.size() + (int) terminate.stream()
          .filter(r -> r.reason() == Reason.NEVER_STARTED || r.reason() == Reason.SILENT).count();
    }

    public long neverStarted() {
      return terminate.stream().filter(r -> r.reason() == Reason.NEVER_STARTED).count();
    }
  }

  private PoolPlan() {}

  public static Result plan(Inputs in) {
    List<Removal> terminate = new ArrayList<>();
    List<Vm> healthy = new ArrayList<>();
    List<String> lost = new ArrayList<>();
    List<String> stillTerminating = new ArrayList<>();
    for (Vm vm : in.vms()) {
      if (!vm.state().isAlive()) {
        if (in.previouslyAlive().contains(vm.id()) && !vm.terminationRequested()) {
          lost.add(vm.id());
        }
        if (stillExists(vm)) {
          terminate.add(new Removal(vm.id(), Reason.NOT_RUNNING));
        }
        continue;
      }
      if (vm.terminationRequested()) {
        stillTerminating.add(vm.id());
        continue;
      }
      Reason timeout = timedOut(vm, in);
      if (timeout != null) {
        terminate.add(new Removal(vm.id(), timeout));
      } else {
        healthy.add(vm);
      }
    }
    int extra = healthy.size() - Math.max(0, in.desired());
    if (extra > 0) {
      List<Vm> byRemovalPreference = new ArrayList<>(healthy);
      byRemovalPreference.sort(removalOrder());
      for (Vm vm : byRemovalPreference.subList(0, extra)) {
        terminate.add(new Removal(vm.id(), Reason.EXTRA));
        healthy.remove(vm);
      }
    }
    int create = Math.max(0, in.desired() - healthy.size());
    return new Result(List.copyOf(terminate), create, healthy.stream().map(Vm::id).toList(), List.copyOf(lost),
        List.copyOf(stillTerminating));
  }

  /**
   * A VM that runs nothing but is not deleted: deleted as soon as seen. A stopped one is asked again at
   * every look until the cloud reports it gone; a preempted one once, since a reclaimed EC2 spot VM
   * stays listed as preempted after it is already terminated.
   */
  private static boolean stillExists(Vm vm) {
    return switch (vm.state()) {
      case STOPPED, STOPPING -> true;
      case PREEMPTED -> !vm.terminationRequested();
      default -> false;
    };
  }

  private static Reason timedOut(Vm vm, Inputs in) {
    if (vm.firstReport() == null) {
      if (in.startupTimeout() == null) {
        return null;
      }
      Instant from = latest(vm.launchTime() == null ? in.now() : vm.launchTime(), in.trackingSince());
      return in.now().isBefore(from.plus(in.startupTimeout())) ? null : Reason.NEVER_STARTED;
    }
    if (in.heartbeatTimeout() == null) {
      return null;
    }
    Instant from = latest(vm.lastReport(), in.trackingSince());
    return in.now().isBefore(from.plus(in.heartbeatTimeout())) ? null : Reason.SILENT;
  }

  /**
   * When the next VM alive would time out (never started, or silent) if its worker stays quiet: the pool
   * looks again then. Empty when no timeout applies.
   */
  public static Optional<Instant> nextTimeout(Inputs in) {
    Instant next = null;
    for (Vm vm : in.vms()) {
      if (!vm.state().isAlive() || vm.terminationRequested()) {
        continue;
      }
      Instant at = null;
      if (vm.firstReport() == null && in.startupTimeout() != null) {
        at = latest(vm.launchTime() == null ? in.now() : vm.launchTime(), in.trackingSince())
            .plus(in.startupTimeout());
      } else if (vm.firstReport() != null && in.heartbeatTimeout() != null) {
        at = latest(vm.lastReport(), in.trackingSince()).plus(in.heartbeatTimeout());
      }
      if (at != null && (next == null || at.isBefore(next))) {
        next = at;
      }
    }
    return Optional.ofNullable(next);
  }

  /** Remove first what costs least work: VMs still booting, then those without a worker, then idle ones, newest first. */
  private static Comparator<Vm> removalOrder() {
    return Comparator.<Vm, Boolean>comparing(vm -> vm.state() != InstanceState.PENDING)
        .thenComparing(vm -> vm.firstReport() != null)
        .thenComparingInt(Vm::runningTasks)
        .thenComparing(vm -> vm.launchTime() == null ? Instant.MAX : vm.launchTime(), Comparator.reverseOrder())
        .thenComparing(Vm::id);
  }

  private static Instant latest(Instant a, Instant b) {
    if (b == null) {
      return a;
    }
    return a.isAfter(b) ? a : b;
  }

  /**
   * True when the pool should give up: VMs were replaced {@code limit} times for never starting a
   * worker and no worker of this pool has ever reported. Fails fast on a bad image or startup script
   * instead of paying for VMs that never work.
   */
  public static boolean workersNeverStarted(int neverStartedReplacements, boolean anyWorkerEverReported, int limit) {
    return !anyWorkerEverReported && neverStartedReplacements >= limit;
  }
}
