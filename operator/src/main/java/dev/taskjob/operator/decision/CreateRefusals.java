package dev.taskjob.operator.decision;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * When a pool stops asking the cloud for VMs it keeps refusing. A create round in which every error
 * needs the user or is permanent ({@link ErrorClassifier}: invalid request, refused image, quota,
 * permission) counts as a refusal; the next round waits twice as long as the one before; after
 * {@link #LIMIT} refusals in a row the pool gives up, naming the cause. A round that creates a VM, or
 * fails only for capacity or transient reasons, starts the count again.
 */
public final class CreateRefusals {

  /** Refused create rounds in a row after which the pool fails. */
  public static final int LIMIT = 3;
  /** The wait after the first refusal; it doubles with each further one. */
  public static final Duration FIRST_WAIT = Duration.ofSeconds(5);

  /**
   * @param refusals refused rounds in a row
   * @param lastRefusal when the last one was, or null
   * @param cause the cloud's message for it, or null
   */
  public record State(int refusals, Instant lastRefusal, String cause) {
    public static final State NONE = new State(0, null, null);

    /** True when the pool should give up. */
    public boolean givesUp() {
      return refusals >= LIMIT;
    }

    /** The earliest time the next create may be tried. */
    public Instant nextCreateAt() {
      return refusals == 0 ? Instant.MIN : lastRefusal.plus(FIRST_WAIT.multipliedBy(1L << (refusals - 1)));
    }
  }

  private CreateRefusals() {}

  /** The state after a create round that made {@code created} VMs and met {@code errors}. */
  public static State after(State before, int created, List<? extends Throwable> errors, Instant now) {
    if (created > 0 || errors.isEmpty()) {
      return State.NONE;
    }
    boolean refused = errors.stream().map(ErrorClassifier::classify)
        .allMatch(c -> c.kind() == ErrorClassifier.Kind.NEEDS_USER || c.kind() == ErrorClassifier.Kind.PERMANENT);
    if (!refused) {
      return State.NONE;
    }
    Throwable first = errors.get(0);
    return new State(before.refusals() + 1, now, first.getMessage() == null ? first.toString() : first.getMessage());
  }
}
