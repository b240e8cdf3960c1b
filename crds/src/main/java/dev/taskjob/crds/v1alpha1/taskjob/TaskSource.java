package dev.taskjob.crds.v1alpha1.taskjob;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.taskjob.crds.v1alpha1.shared.ConfigMapTaskRef;
import dev.taskjob.crds.v1alpha1.shared.GenerateSpec;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** Where a job's tasks come from: exactly one of {@code configMapRefs} and {@code generate}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.configMapRefs) != has(self.generate)",
    message = "spec.tasks needs exactly one of configMapRefs or generate")
public class TaskSource {

  @Size(min = 1, max = 100)
  @JsonPropertyDescription(
      "Task lists in ConfigMaps, read in order; task ids must be unique across all of them.")
  private List<ConfigMapTaskRef> configMapRefs;

  @JsonPropertyDescription("Tasks computed from their index (a parameter sweep), for large jobs without ConfigMaps.")
  private GenerateSpec generate;

  public List<ConfigMapTaskRef> getConfigMapRefs() {
    return configMapRefs;
  }

  public void setConfigMapRefs(List<ConfigMapTaskRef> configMapRefs) {
    this.configMapRefs = configMapRefs;
  }

  public GenerateSpec getGenerate() {
    return generate;
  }

  public void setGenerate(GenerateSpec generate) {
    this.generate = generate;
  }
}
