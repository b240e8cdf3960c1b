package dev.taskjob.operator.selection;

import java.util.List;

/**
 * Why an instance type was not a candidate, for {@code --explain} and for the "nothing matches" error.
 *
 * @param typeName the instance type
 * @param constraints the constraint fields it failed (e.g. {@code maxCpus}, {@code spot}), in check order
 * @param reasons one readable reason per failed constraint ("4 vCPUs > maxCpus 2")
 */
public record Exclusion(String typeName, List<String> constraints, List<String> reasons) {

  public Exclusion {
    constraints = List.copyOf(constraints);
    reasons = List.copyOf(reasons);
  }

  /** All reasons in one line. */
  public String reason() {
    return String.join("; ", reasons);
  }
}
