package dev.taskjob.crds.v1alpha1.shared;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/**
 * Cloud credentials, by reference only. The Secret's keys become {@code credentials.<key>} provider
 * properties (for example {@code aws_access_key_id}, {@code aws_secret_access_key},
 * {@code service_account_json}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CredentialsRef {

  @Required
  @JsonPropertyDescription(
      "Secret holding the cloud credentials: keys aws_access_key_id and aws_secret_access_key (aws), "
          + "or service_account_json (gcp).")
  private SecretReference secretRef;

  public CredentialsRef() {}

  public CredentialsRef(SecretReference secretRef) {
    this.secretRef = secretRef;
  }

  public SecretReference getSecretRef() {
    return secretRef;
  }

  public void setSecretRef(SecretReference secretRef) {
    this.secretRef = secretRef;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CredentialsRef other && Objects.equals(secretRef, other.secretRef);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(secretRef);
  }

  @Override
  public String toString() {
    return "CredentialsRef{secretRef=" + secretRef + "}";
  }
}
