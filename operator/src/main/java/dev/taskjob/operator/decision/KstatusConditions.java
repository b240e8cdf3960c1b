package dev.taskjob.operator.decision;

import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import java.time.Instant;
import java.util.List;

/**
 * The two conditions kstatus (Flux's health checks) reads: {@code Reconciling=True} while the object
 * is still changing, {@code Stalled=True} when it failed and cannot go on without a person. Derived
 * from the phase and the {@code Failed} condition, so they never disagree with them.
 */
public final class KstatusConditions {

  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";

  private KstatusConditions() {}

  /**
   * Sets both conditions.
   *
   * @param phase the object's phase, as shown (e.g. {@code Running}); the Reconciling reason while in progress
   * @param inProgress the phase is not a resting one (a job not finished, a pool not ready)
   * @param failed the phase is Failed; the {@code Failed} condition's reason and message become Stalled's
   * @return whether a condition changed
   */
  public static boolean set(List<Condition> conditions, String phase, boolean inProgress, boolean failed,
      Long generation, Instant now) {
    boolean changed;
    if (failed) {
      Condition cause = Conditions.find(conditions, ConditionTypes.FAILED)
          .filter(c -> Condition.TRUE.equals(c.getStatus()))
          .orElse(new Condition(ConditionTypes.FAILED, Condition.TRUE, "Failed", phase + " is Failed"));
      changed = Conditions.set(conditions, RECONCILING, Condition.FALSE, "Failed", "", generation, now);
      changed |= Conditions.set(conditions, STALLED, Condition.TRUE, cause.getReason(),
          cause.getMessage() == null ? "" : cause.getMessage(), generation, now);
      return changed;
    }
    changed = Conditions.set(conditions, RECONCILING, inProgress ? Condition.TRUE : Condition.FALSE, phase,
        inProgress ? phase : "", generation, now);
    changed |= Conditions.set(conditions, STALLED, Condition.FALSE, phase, "", generation, now);
    return changed;
  }
}
