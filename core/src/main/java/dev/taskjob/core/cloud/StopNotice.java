package dev.taskjob.core.cloud;

/**
 * The stop notice the pool gives a busy VM it chose for removal: an instance metadata attribute (GCE) or an
 * instance tag read through the instance metadata service (EC2), which the worker polls next to the spot notice.
 */
public final class StopNotice {

  /** The metadata attribute / tag key. */
  public static final String KEY = "taskjob-stop";
  /** Its value when the pool scales in. */
  public static final String SCALE_IN = "scale-in";

  private StopNotice() {}
}
