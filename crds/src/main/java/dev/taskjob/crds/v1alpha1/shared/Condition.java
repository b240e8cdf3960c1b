package dev.taskjob.crds.v1alpha1.shared;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/**
 * One aspect of a resource's state, following the Kubernetes API conventions (the shape of
 * {@code metav1.Condition}), so that {@code kubectl wait --for=condition=Complete} works. Types are
 * in {@link ConditionTypes}; {@link Conditions} updates a list while keeping
 * {@code lastTransitionTime} when the status did not change.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Condition {

  /** Condition status values. */
  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  @Required
  @Size(max = 316)
  @JsonPropertyDescription("Type of the condition in CamelCase, e.g. Complete, Failed, Ready.")
  private String type;

  @Required
  @Pattern("^(True|False|Unknown)$")
  @JsonPropertyDescription("Status of the condition: True, False or Unknown.")
  private String status;

  @Size(max = 1024)
  @JsonPropertyDescription("Machine-readable CamelCase reason for the last transition, e.g. TasksLoaded.")
  private String reason;

  @Size(max = 32768)
  @JsonPropertyDescription("Human-readable details about the last transition.")
  private String message;

  @JsonPropertyDescription("When the status last changed (RFC 3339).")
  private String lastTransitionTime;

  @JsonPropertyDescription("The metadata.generation the condition was computed from.")
  private Long observedGeneration;

  public Condition() {}

  public Condition(String type, String status, String reason, String message) {
    this.type = type;
    this.status = status;
    this.reason = reason;
    this.message = message;
  }

  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public String getStatus() {
    return status;
  }

  public void setStatus(String status) {
    this.status = status;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getLastTransitionTime() {
    return lastTransitionTime;
  }

  public void setLastTransitionTime(String lastTransitionTime) {
    this.lastTransitionTime = lastTransitionTime;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  /** Whether the status is {@code True}. */
  @JsonIgnore
  public boolean isTrue() {
    return TRUE.equals(status);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Condition c
        && Objects.equals(type, c.type)
        && Objects.equals(status, c.status)
        && Objects.equals(reason, c.reason)
        && Objects.equals(message, c.message)
        && Objects.equals(lastTransitionTime, c.lastTransitionTime)
        && Objects.equals(observedGeneration, c.observedGeneration);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, status, reason, message, lastTransitionTime, observedGeneration);
  }

  @Override
  public String toString() {
    return "Condition{type=" + type + ", status=" + status + ", reason=" + reason + ", message=" + message
        + ", lastTransitionTime=" + lastTransitionTime + ", observedGeneration=" + observedGeneration + "}";
  }
}
