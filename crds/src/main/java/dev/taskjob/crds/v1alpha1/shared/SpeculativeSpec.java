package dev.taskjob.crds.v1alpha1.shared;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * Hedging the tail: a second copy of a task that runs far longer than the job's others, on a slot that is
 * already paid for and idle. Only for tasks without side effects, since both copies may run to their end.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SpeculativeSpec {

  /** Used when {@code afterP90Multiple} is not given. */
  public static final double DEFAULT_P90_MULTIPLE = 3.0;
  /** Used when {@code minFinishedTasks} is not given. */
  public static final int DEFAULT_MIN_FINISHED_TASKS = 20;

  @Default("false")
  @JsonPropertyDescription("Send a second copy of a straggler once the remaining tasks fit in the running VMs' "
      + "slots; the first result wins, the other counts as a duplicate, neither uses up an attempt. Only for tasks "
      + "without side effects: the losing copy is not stopped and may run to its end. Default: false.")
  private Boolean enabled = false;

  @Min(1)
  @Max(1000)
  @Default("3")
  @JsonPropertyDescription("A task is a straggler once it has run longer than this many times the 90th percentile "
      + "of the job's finished tasks' elapsed times. Default: 3.")
  private Double afterP90Multiple = DEFAULT_P90_MULTIPLE;

  @Min(1)
  @Max(1000000)
  @Default("20")
  @JsonPropertyDescription("Finished tasks needed before the 90th percentile is trusted and any task is hedged. "
      + "Default: 20.")
  private Integer minFinishedTasks = DEFAULT_MIN_FINISHED_TASKS;

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public Double getAfterP90Multiple() {
    return afterP90Multiple;
  }

  public void setAfterP90Multiple(Double afterP90Multiple) {
    this.afterP90Multiple = afterP90Multiple;
  }

  public Integer getMinFinishedTasks() {
    return minFinishedTasks;
  }

  public void setMinFinishedTasks(Integer minFinishedTasks) {
    this.minFinishedTasks = minFinishedTasks;
  }
}
