package dev.taskjob.crds.v1alpha1.taskjob;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** A limit on what the whole job may spend. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BudgetSpec {

  @Min(0)
  @Max(1_000_000_000)
  @JsonPropertyDescription(
      "Most USD the whole job may spend (its instances, billed per second). The pool never keeps or launches "
          + "more instances than what is left pays for until the next look plus the grace period; when not even one "
          + "fits, tasks stop, the pool scales to 0 and the job shows BudgetExhausted with queue and ledger kept. "
          + "Raising it resumes the job. Unset: no limit.")
  private Double maxCost;

  public Double getMaxCost() {
    return maxCost;
  }

  public void setMaxCost(Double maxCost) {
    this.maxCost = maxCost;
  }
}
