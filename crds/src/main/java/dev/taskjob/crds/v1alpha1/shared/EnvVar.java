package dev.taskjob.crds.v1alpha1.shared;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * An environment variable for every task process: a literal value, or a Secret's key by reference
 * ({@code valueFrom.secretKeyRef}), which travels through the cloud's secret store, never in clear.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!(has(self.value) && has(self.valueFrom))", message = "give value or valueFrom, not both")
public class EnvVar {

  @Required
  @Size(min = 1, max = 256)
  @Pattern(Patterns.ENV_NAME)
  @JsonPropertyDescription("Variable name: letters, digits and underscores, not starting with a digit. The operator "
      + "refuses names the worker sets (TASKJOB_*, TASK_ID, TASK_INDEX, TASK_ATTEMPT, TASK_DATA, TASK_DATA_FILE, "
      + "TASK_ARG_*) and names of credentials (*_PASSWORD, *_SECRET, *_TOKEN, *_API_KEY, ...): values travel in "
      + "clear through instance user data and metadata; give those with valueFrom.secretKeyRef.")
  private String name;

  @Size(max = 32768)
  @JsonPropertyDescription("Variable value, copied in clear into instance user data and metadata. Unset (and no "
      + "valueFrom): the empty string.")
  private String value;

  @JsonPropertyDescription("The value from a Secret, delivered without passing through user data, metadata or specs.")
  private EnvVarSource valueFrom;

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

  public EnvVarSource getValueFrom() {
    return valueFrom;
  }

  public void setValueFrom(EnvVarSource valueFrom) {
    this.valueFrom = valueFrom;
  }

  /** The Secret key this variable's value comes from, or null for a literal value. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public SecretKeySelector secretKeyRef() {
    return valueFrom == null ? null : valueFrom.getSecretKeyRef();
  }
}
