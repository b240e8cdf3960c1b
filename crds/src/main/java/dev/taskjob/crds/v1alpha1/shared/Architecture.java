package dev.taskjob.crds.v1alpha1.shared;

import com.fasterxml.jackson.annotation.JsonProperty;

/** CPU architecture an instance type must have. Serialized as the manifest spelling. */
public enum Architecture {
  @JsonProperty("x86_64")
  X86_64,
  @JsonProperty("arm64")
  ARM64
}
