package dev.taskjob.crds.v1alpha1.taskjob;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * What a job is expected to take, as {@code taskjob plan} prints it: priced before it runs ({@code spec.dryRun}), or
 * its remaining tasks priced from the pilot's measured run times ({@code spec.pilot}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PlanStatus {

  /** Most alternatives kept. */
  public static final int MAX_ALTERNATIVES = 5;

  @JsonPropertyDescription("Tasks planned for.")
  private Long tasks;

  @JsonPropertyDescription("The instance type chosen, e.g. c7g.2xlarge.")
  private String instanceType;

  @JsonPropertyDescription("Whether the chosen instances are spot (preemptible).")
  private Boolean spot;

  @JsonPropertyDescription("Instances the pool would run.")
  private Integer instances;

  @JsonPropertyDescription("Task slots per instance.")
  private Integer slotsPerInstance;

  @JsonPropertyDescription("Price of one instance with its boot disk, in USD per hour.")
  private Double pricePerHour;

  @JsonPropertyDescription("Expected time from start to the last task's end, e.g. 1h12m.")
  private String makespan;

  @JsonPropertyDescription("The makespan's range: no interruption at all to three times the assumed rate, e.g. 1h5m"
      + " to 1h30m.")
  private String makespanRange;

  @JsonPropertyDescription("Expected total cost, in USD.")
  private Double cost;

  @JsonPropertyDescription("The cost's low end (no interruption), in USD.")
  private Double costLow;

  @JsonPropertyDescription("The cost's high end (three times the assumed interruption rate), in USD.")
  private Double costHigh;

  @JsonPropertyDescription("Expected cost per completed task, in USD.")
  private Double costPerCompletedTask;

  @Size(max = MAX_ALTERNATIVES)
  @JsonPropertyDescription("The next best types or markets, best first: type, instances, makespan and cost.")
  private List<@Size(max = 256) String> alternatives;

  @JsonPropertyDescription("What the plan assumes, in one line: task duration, interruption rate, boot time.")
  private String assumptions;

  public Long getTasks() {
    return tasks;
  }

  public void setTasks(Long tasks) {
    this.tasks = tasks;
  }

  public String getInstanceType() {
    return instanceType;
  }

  public void setInstanceType(String instanceType) {
    this.instanceType = instanceType;
  }

  public Boolean getSpot() {
    return spot;
  }

  public void setSpot(Boolean spot) {
    this.spot = spot;
  }

  public Integer getInstances() {
    return instances;
  }

  public void setInstances(Integer instances) {
    this.instances = instances;
  }

  public Integer getSlotsPerInstance() {
    return slotsPerInstance;
  }

  public void setSlotsPerInstance(Integer slotsPerInstance) {
    this.slotsPerInstance = slotsPerInstance;
  }

  public Double getPricePerHour() {
    return pricePerHour;
  }

  public void setPricePerHour(Double pricePerHour) {
    this.pricePerHour = pricePerHour;
  }

  public String getMakespan() {
    return makespan;
  }

  public void setMakespan(String makespan) {
    this.makespan = makespan;
  }

  public String getMakespanRange() {
    return makespanRange;
  }

  public void setMakespanRange(String makespanRange) {
    this.makespanRange = makespanRange;
  }

  public Double getCost() {
    return cost;
  }

  public void setCost(Double cost) {
    this.cost = cost;
  }

  public Double getCostLow() {
    return costLow;
  }

  public void setCostLow(Double costLow) {
    this.costLow = costLow;
  }

  public Double getCostHigh() {
    return costHigh;
  }

  public void setCostHigh(Double costHigh) {
    this.costHigh = costHigh;
  }

  public Double getCostPerCompletedTask() {
    return costPerCompletedTask;
  }

  public void setCostPerCompletedTask(Double costPerCompletedTask) {
    this.costPerCompletedTask = costPerCompletedTask;
  }

  public List<String> getAlternatives() {
    return alternatives;
  }

  public void setAlternatives(List<String> alternatives) {
    this.alternatives = alternatives;
  }

  public String getAssumptions() {
    return assumptions;
  }

  public void setAssumptions(String assumptions) {
    this.assumptions = assumptions;
  }
}
