package dev.taskjob.core.cloud;

import java.nio.file.Path;

/**
 * The stop notice the pool gives a busy VM it chose for removal: an instance metadata attribute (GCE) or an
 * instance tag read through the instance metadata service (EC2), which the worker polls next to the spot notice;
 * on the local provider, a file in the instance's directory ({@link #localFile}).
 */
public final class StopNotice {

  /** The metadata attribute / tag key. */
  public static final String KEY = "taskjob-stop";
  /** Its value when the pool scales in. */
  public static final String SCALE_IN = "scale-in";

  private StopNotice() {}

  /** The local provider's notice: {@code <root>/instances/<instance>/taskjob-stop}, holding {@link #SCALE_IN}. */
  public static Path localFile(Path localRoot, String instanceId) {
    return localRoot.resolve("instances").resolve(instanceId).resolve(KEY);
  }
}
