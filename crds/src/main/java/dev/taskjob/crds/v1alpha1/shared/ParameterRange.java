package dev.taskjob.crds.v1alpha1.shared;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The values {@code from, from+step, ..., <= to} of one generated parameter. Integers when all
 * three are integers. Maps onto {@code dev.taskjob.core.task.TaskGenerator.Range} (convert with
 * {@code BigDecimal.valueOf(double)}, which keeps decimal steps such as 0.1 exact).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.from <= self.to", message = "from must be less than or equal to to")
public class ParameterRange {

  @Required
  @Min(-Limits.MAX_PARAMETER)
  @Max(Limits.MAX_PARAMETER)
  @JsonPropertyDescription("First value.")
  private Double from;

  @Required
  @Min(-Limits.MAX_PARAMETER)
  @Max(Limits.MAX_PARAMETER)
  @JsonPropertyDescription("Last value, inclusive when reached by whole steps.")
  private Double to;

  @Min(value = 0, inclusive = false)
  @Max(Limits.MAX_PARAMETER)
  @Default("1")
  @JsonPropertyDescription("Distance between values; greater than 0. Default: 1.")
  private Double step = 1.0;

  public ParameterRange() {}

  public ParameterRange(Double from, Double to, Double step) {
    this.from = from;
    this.to = to;
    this.step = step;
  }

  public Double getFrom() {
    return from;
  }

  public void setFrom(Double from) {
    this.from = from;
  }

  public Double getTo() {
    return to;
  }

  public void setTo(Double to) {
    this.to = to;
  }

  public Double getStep() {
    return step;
  }

  public void setStep(Double step) {
    this.step = step;
  }
}
