package dev.taskjob.worker.spot;

import java.time.Instant;

/**
 * The cloud announced that this VM will be stopped.
 *
 * @param terminationTime when the cloud will stop the VM (null for a scale-in notice: the pool waits for the worker)
 * @param detail what the metadata service said (e.g. {@code {"action":"terminate","time":...}})
 * @param scaleIn the pool's stop notice ({@code taskjob-stop}) rather than the cloud's interruption notice
 */
public record PreemptionNotice(Instant terminationTime, String detail, boolean scaleIn) {

  /** A spot/preemption notice. */
  public PreemptionNotice(Instant terminationTime, String detail) {
    this(terminationTime, detail, false);
  }

  /** The pool chose this VM for removal: no new task; running ones get the worker's shutdown grace period. */
  public static PreemptionNotice scaleIn(String detail) {
    return new PreemptionNotice(null, detail, true);
  }
}
