package dev.taskjob.operator.selection;

import java.util.List;

/**
 * The result of {@link InstanceSelector#select}: candidates best first (the first is used, the rest are
 * fallbacks after capacity errors) and the excluded types with reasons.
 *
 * @param ranked candidates, cheapest per task slot first; never empty
 * @param excluded types that did not meet the constraints, in catalog order
 */
public record Selection(List<Candidate> ranked, List<Exclusion> excluded) {

  public Selection {
    ranked = List.copyOf(ranked);
    excluded = List.copyOf(excluded);
  }

  /** The selected candidate. */
  public Candidate best() {
    return ranked.get(0);
  }
}
