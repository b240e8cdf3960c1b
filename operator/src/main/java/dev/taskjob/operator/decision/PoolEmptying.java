package dev.taskjob.operator.decision;

/**
 * How far a pool scaled to zero (or failed) is from "nothing of it left in the cloud", in the order that keeps
 * it safe: every VM gone first (a VM's boot disk goes with it, and the cloud refuses to delete a disk in use),
 * then the disks no VM uses any more deleted, and only then empty, which lets the job delete its queues.
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

  private PoolEmptying() {}

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
