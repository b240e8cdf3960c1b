package dev.taskjob.operator.selection;

import java.util.List;

/**
 * No instance type in the catalog meets the constraints. The message names the tightest constraint: the one
 * that, relaxed on its own, would admit the most types (or, when no single constraint would, the one that
 * excludes the most). Bad input, not a transient failure: retrying does not help.
 */
public class NoMatchingInstanceTypeException extends IllegalArgumentException {

  private final String tightestConstraint;
  private final transient List<Exclusion> exclusions;

  public NoMatchingInstanceTypeException(String message, String tightestConstraint, List<Exclusion> exclusions) {
    super(message);
    this.tightestConstraint = tightestConstraint;
    this.exclusions = List.copyOf(exclusions);
  }

  /** The constraint field to relax first (e.g. {@code maxCpus}), or null when the catalog is empty. */
  public String tightestConstraint() {
    return tightestConstraint;
  }

  /** Every type with the reasons it was excluded. */
  public List<Exclusion> exclusions() {
    return exclusions;
  }
}
