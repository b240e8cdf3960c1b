package dev.taskjob.crds.v1alpha1.shared;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tasks computed from their index instead of stored: a parameter sweep (the cartesian product of
 * the ranges, last parameter varying fastest) or, without parameters, {@code count} tasks with data
 * {@code {"n": index}}. Maps onto {@code dev.taskjob.core.task.TaskGenerator}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.count) || (has(self.parameters) && size(self.parameters) > 0)",
    message = "generate needs count, parameters, or both")
public class GenerateSpec {

  /** Id prefix when {@code idPrefix} is not given. */
  public static final String DEFAULT_ID_PREFIX = "task-";

  @Min(1)
  @Max(100_000_000)
  @JsonPropertyDescription(
      "Number of tasks. With parameters: a cap on the number of combinations (unset: all of them).")
  private Long count;

  @Size(max = 63)
  @Pattern("^[A-Za-z0-9._-]*$")
  @Default(DEFAULT_ID_PREFIX)
  @JsonPropertyDescription(
      "Prefix of every task id; ids are the prefix and the 1-based index, zero-padded (task-000001). Default: task-.")
  private String idPrefix = DEFAULT_ID_PREFIX;

  @Size(max = 16)
  @JsonPropertyDescription(
      "Named ranges; each task's data holds one value of each, e.g. {\"x\": {\"from\": 1, \"to\": 100}}. Names "
          + "should be letters, digits and underscores (they become TASK_ARG_<NAME> variables). "
          + "Combinations are enumerated in name order, the alphabetically last name varying fastest.")
  private Map<String, ParameterRange> parameters;

  public Long getCount() {
    return count;
  }

  public void setCount(Long count) {
    this.count = count;
  }

  public String getIdPrefix() {
    return idPrefix;
  }

  public void setIdPrefix(String idPrefix) {
    this.idPrefix = idPrefix;
  }

  public Map<String, ParameterRange> getParameters() {
    return parameters;
  }

  public void setParameters(Map<String, ParameterRange> parameters) {
    // Kubernetes stores objects with sorted keys, so enumerate in name order whatever the source.
    this.parameters = parameters == null ? null : new TreeMap<>(parameters);
  }
}
