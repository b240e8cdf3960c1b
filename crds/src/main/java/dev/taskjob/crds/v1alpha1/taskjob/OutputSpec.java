package dev.taskjob.crds.v1alpha1.taskjob;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Where the operator archives a job's events and task results (docs/results.md). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OutputSpec {

  /** s3://bucket[/prefix], gs://bucket[/prefix], or an absolute directory (file:///dir or /dir). */
  public static final String URI_PATTERN = "^(s3://|gs://|file:///|/).+$";

  @Required
  @Size(max = 1024)
  @Pattern(URI_PATTERN)
  @JsonPropertyDescription(
      "Where the job's events and task results are archived: s3://bucket/prefix (provider aws), "
          + "gs://bucket/prefix (provider gcp) or an absolute directory (provider local). The archive sits under <uri>/<namespace>/<name>/<uid>/. Immutable.")
  private String uri;

  public String getUri() {
    return uri;
  }

  public void setUri(String uri) {
    this.uri = uri;
  }
}
