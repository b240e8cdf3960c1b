package dev.taskjob.crds.v1alpha1.taskjob;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** How far the pilot run ({@code spec.pilot}) is, and what it measured. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PilotStatus {

  /** {@link #getStage()} while the pilot runs on one instance. */
  public static final String RUNNING = "Running";
  /** {@link #getStage()} once the pilot's tasks have finished and the rest was planned. */
  public static final String FINISHED = "Finished";

  @JsonPropertyDescription("Running (one instance) or Finished (the pool may grow).")
  private String stage;

  @JsonPropertyDescription("Tasks the pilot runs: spec.pilot.tasks, or all of them in a smaller job.")
  private Long tasks;

  @JsonPropertyDescription("Tasks finished so far during the pilot.")
  private Long finished;

  @JsonPropertyDescription("Mean run time of the finished tasks when the pilot ended, e.g. 9m30s.")
  private String meanTaskDuration;

  public String getStage() {
    return stage;
  }

  public void setStage(String stage) {
    this.stage = stage;
  }

  public Long getTasks() {
    return tasks;
  }

  public void setTasks(Long tasks) {
    this.tasks = tasks;
  }

  public Long getFinished() {
    return finished;
  }

  public void setFinished(Long finished) {
    this.finished = finished;
  }

  public String getMeanTaskDuration() {
    return meanTaskDuration;
  }

  public void setMeanTaskDuration(String meanTaskDuration) {
    this.meanTaskDuration = meanTaskDuration;
  }
}
