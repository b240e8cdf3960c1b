package dev.taskjob.crds.v1alpha1.shared;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/** Where a variable's value comes from when it is not written in the TaskJob. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EnvVarSource {

  @Required
  @JsonPropertyDescription("A key of a Secret in the TaskJob's namespace; the Secret must be labelled "
      + "taskjob.dev/task-env=true (whoever may write it consents to tasks reading it). The operator copies the value into the "
      + "cloud's secret store for this job (AWS: SSM Parameter Store SecureString; local: a file only the operator's "
      + "user can read); each instance reads it with its own identity at start and hands it to tasks only. It never "
      + "appears in user data, instance metadata, the InstancePool, status, Events or logs, and is deleted with the "
      + "job. Read once, when the job starts.")
  private SecretKeySelector secretKeyRef;

  public EnvVarSource() {}

  public EnvVarSource(SecretKeySelector secretKeyRef) {
    this.secretKeyRef = secretKeyRef;
  }

  public SecretKeySelector getSecretKeyRef() {
    return secretKeyRef;
  }

  public void setSecretKeyRef(SecretKeySelector secretKeyRef) {
    this.secretKeyRef = secretKeyRef;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EnvVarSource other && Objects.equals(secretKeyRef, other.secretKeyRef);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(secretKeyRef);
  }
}
