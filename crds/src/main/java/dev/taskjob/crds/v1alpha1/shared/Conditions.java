package dev.taskjob.crds.v1alpha1.shared;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/** Reads and updates a status's condition list the way Kubernetes conventions ask. */
public final class Conditions {

  private Conditions() {}

  /** The condition of the given type, if present. */
  public static Optional<Condition> find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** Whether the condition of the given type is present with status True. */
  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(Condition::isTrue).orElse(false);
  }

  /**
   * Sets a condition in {@code conditions} (a mutable list), replacing one of the same type.
   * {@code lastTransitionTime} is {@code now} when the status changed or the condition is new, and
   * kept otherwise.
   *
   * @return whether anything in the list changed (so callers can skip a status patch)
   */
  public static boolean set(
      List<Condition> conditions, String type, String status, String reason, String message,
      Long observedGeneration, Instant now) {
    Optional<Condition> existing = find(conditions, type);
    Condition next = new Condition(type, status, reason, message);
    next.setObservedGeneration(observedGeneration);
    next.setLastTransitionTime(
        existing.filter(c -> status.equals(c.getStatus()) && c.getLastTransitionTime() != null)
            .map(Condition::getLastTransitionTime)
            .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString()));
    if (existing.isPresent()) {
      if (existing.get().equals(next)) {
        return false;
      }
      conditions.set(conditions.indexOf(existing.get()), next);
    } else {
      conditions.add(next);
    }
    return true;
  }
}
