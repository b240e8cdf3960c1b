package dev.taskjob.operator.decision;

import dev.taskjob.core.cloud.InstanceState;
import java.time.Duration;
import java.time.Instant;

/**
 * How far a pool scaled to zero (or failed) is from "nothing of it left in the cloud", in the order that keeps
 * it safe: every VM gone first (a VM's boot disk goes with it, and the cloud refuses to delete a disk in use),
 * then the disks no VM uses any more deleted, and only then empty, which lets the job delete its queues.
 *
 * <p>A VM the cloud reclaimed still bills while it stops: GCE lists a preempted VM as preempted for the ~30 s it
 * takes to stop, with no end time until it has stopped. The pool counts it as terminating
 * ({@link #reclaimedStillStopping}) so the job is not finished, and its bill not closed, before the cloud reports
 * the end.
 */
public final class PoolEmptying {

  /** The next step. */
  public enum Step {
    /** The pool is asked for VMs: nothing to empty. */
    NOT_EMPTYING,
    /** VMs of the pool are not gone yet (alive, stopping, stopped or reclaimed but kept). */
    WAIT_FOR_VMS,
    /** Every VM is gone; the disks left are deleted. */
    DELETE_DISKS,
    /** No VM and no disk of the pool left. */
    EMPTY
  }

  /**
   * How long a reclaimed VM is waited for while the cloud reports no end for it: GCE stops a preempted VM
   * within its 30 s notice and EC2 shuts a reclaimed one down within about two minutes, so a cloud that never
   * reports the end does not hold the job for longer than this.
   */
  public static final Duration RECLAIMED_STOP_WAIT = Duration.ofMinutes(5);

  private PoolEmptying() {}

  /**
   * Whether a VM listed as reclaimed may still be stopping, and billed: the cloud reports no end time for it
   * yet, and it has not been listed reclaimed for {@link #RECLAIMED_STOP_WAIT}.
   *
   * @param state the state the cloud lists
   * @param endTime when the cloud says the VM stopped billing, or null
   * @param reclaimedSince the first look that listed it reclaimed (this look if none before)
   */
  public static boolean reclaimedStillStopping(InstanceState state, Instant endTime, Instant reclaimedSince,
      Instant now) {
    return state == InstanceState.PREEMPTED && endTime == null
        && now.isBefore(reclaimedSince.plus(RECLAIMED_STOP_WAIT));
  }

  /**
   * @param targetCount the instances the pool is asked for
   * @param failed the pool gave up (it empties as a pool scaled to zero does)
   * @param vmsLeft the pool's VMs in any state but terminated
   * @param disksLeft the pool's disks in any state but deleted
   */
  public static Step decide(int targetCount, boolean failed, int vmsLeft, int disksLeft) {
    if (targetCount > 0 && !failed) {
      return Step.NOT_EMPTYING;
    }
    if (vmsLeft > 0) {
      return Step.WAIT_FOR_VMS;
    }
    return disksLeft > 0 ? Step.DELETE_DISKS : Step.EMPTY;
  }
}
