package dev.taskjob.operator.decision;

/**
 * Where a job's pilot run ({@code spec.pilot}) is: none asked for, running on one instance, or finished
 * (the pool may grow). A pure function: once finished it stays finished, so a ledger read back after a
 * restart or a pilot size raised later never shrinks a grown pool back to one instance.
 */
public final class PilotDecision {

  /** The pilot's stage. */
  public enum Stage { NONE, RUNNING, FINISHED }

  /** Instances a running pilot may use. */
  public static final int PILOT_INSTANCES = 1;

  /**
   * @param pilotTasks {@code spec.pilot.tasks}, or null for no pilot
   * @param totalTasks tasks in the job
   * @param finishedTasks tasks with a final result (succeeded or failed) in the ledger
   * @param finishedBefore whether the status already records the pilot as finished
   */
  public record Inputs(Integer pilotTasks, long totalTasks, long finishedTasks, boolean finishedBefore) {}

  /**
   * @param stage where the pilot is
   * @param pilotTasks tasks the pilot runs: the asked number, at most the job's tasks (0 without a pilot)
   * @param instanceCap the most instances the pool may have now, or null for no pilot cap
   * @param justFinished the pilot ended at this look: plan the rest and say so once
   */
  public record Decision(Stage stage, long pilotTasks, Integer instanceCap, boolean justFinished) {}

  private PilotDecision() {}

  public static Decision decide(Inputs in) {
    if (in.pilotTasks() == null || in.pilotTasks() <= 0) {
      return new Decision(Stage.NONE, 0, null, false);
    }
    long target = Math.min(in.pilotTasks(), in.totalTasks());
    if (in.finishedBefore()) {
      return new Decision(Stage.FINISHED, target, null, false);
    }
    if (in.finishedTasks() >= target) {
      return new Decision(Stage.FINISHED, target, null, true);
    }
    return new Decision(Stage.RUNNING, target, PILOT_INSTANCES, false);
  }
}
