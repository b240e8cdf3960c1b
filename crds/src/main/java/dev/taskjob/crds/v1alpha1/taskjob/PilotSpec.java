package dev.taskjob.crds.v1alpha1.taskjob;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** A pilot run: the first tasks on one instance, measured, before the pool may grow. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PilotSpec {

  @Required
  @Min(1)
  @Max(100_000)
  @JsonPropertyDescription("Tasks to finish on one instance before the pool may grow; their measured run time then"
      + " prices the rest (status.plan) and ranks the instance types.")
  private Integer tasks;

  public Integer getTasks() {
    return tasks;
  }

  public void setTasks(Integer tasks) {
    this.tasks = tasks;
  }
}
