package dev.taskjob.crds.v1alpha1.shared;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * When a task that did not succeed runs again. A task is attempted at most {@code maxAttempts}
 * times in all; only its own failure or timeout uses an attempt. Tasks that lose their instance
 * (spot notice, scale-in, worker stop, lost VM) run again without using one, up to an allowance of
 * interruptions per attempt (10); past it the task goes to the dead-letter queue and counts as failed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RetrySpec {

  /** Attempts per task when {@code maxAttempts} is not given. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  @Default("false")
  @JsonPropertyDescription("Retry a task whose process exits with a non-zero code. Default: false.")
  private Boolean onFailure = false;

  @Default("false")
  @JsonPropertyDescription("Retry a task that was killed for exceeding maxRuntime. Default: false.")
  private Boolean onTimeout = false;

  @Min(1)
  @Max(1000)
  @Default("3")
  @JsonPropertyDescription("Most attempts per task, the first one included (1: never retried). Default: 3.")
  private Integer maxAttempts = DEFAULT_MAX_ATTEMPTS;

  @Size(max = 255)
  @JsonPropertyDescription(
      "Exit codes that are retried even when onFailure is false, e.g. [75] for a temporary failure.")
  private List<Integer> retryExitCodes;

  public Boolean getOnFailure() {
    return onFailure;
  }

  public void setOnFailure(Boolean onFailure) {
    this.onFailure = onFailure;
  }

  public Boolean getOnTimeout() {
    return onTimeout;
  }

  public void setOnTimeout(Boolean onTimeout) {
    this.onTimeout = onTimeout;
  }

  public Integer getMaxAttempts() {
    return maxAttempts;
  }

  public void setMaxAttempts(Integer maxAttempts) {
    this.maxAttempts = maxAttempts;
  }

  public List<Integer> getRetryExitCodes() {
    return retryExitCodes;
  }

  public void setRetryExitCodes(List<Integer> retryExitCodes) {
    this.retryExitCodes = retryExitCodes;
  }
}
