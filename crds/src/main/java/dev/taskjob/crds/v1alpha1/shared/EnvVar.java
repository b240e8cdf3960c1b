package dev.taskjob.crds.v1alpha1.shared;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * An environment variable for every task process. Literal values only: instances run outside the
 * cluster, so Kubernetes {@code valueFrom} sources cannot be resolved there.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EnvVar {

  @Required
  @Size(min = 1, max = 256)
  @Pattern(Patterns.ENV_NAME)
  @JsonPropertyDescription("Variable name: letters, digits and underscores, not starting with a digit. The operator "
      + "refuses names the worker sets (TASKJOB_*, TASK_ID, TASK_INDEX, TASK_ATTEMPT, TASK_DATA, TASK_DATA_FILE, "
      + "TASK_ARG_*) and names of credentials (*_PASSWORD, *_SECRET, *_TOKEN, *_API_KEY, ...): values travel in "
      + "clear through instance user data and metadata.")
  private String name;

  @Size(max = 32768)
  @JsonPropertyDescription("Variable value. Unset: the empty string.")
  private String value;

  public EnvVar() {}

  public EnvVar(String name, String value) {
    this.name = name;
    this.value = value;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getValue() {
    return value;
  }

  public void setValue(String value) {
    this.value = value;
  }
}
