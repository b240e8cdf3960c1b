package dev.taskjob.crds.v1alpha1.taskjob;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.LenientReader;
import dev.taskjob.crds.v1alpha1.shared.UnreadableField;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/**
 * What the operator observed about a TaskJob. Task counts come from the job's ledger, so they are
 * exact; timestamps are RFC 3339 strings.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonDeserialize(using = TaskJobStatus.Reader.class)
public class TaskJobStatus {

  /** Reads stored objects leniently (see {@link LenientReader}); what a newer operator wrote and this one cannot read is left out. */
  public static final class Reader extends LenientReader<TaskJobStatus> {
    public Reader() {
      super(TaskJobStatus.class, "status");
    }

    @Override
    protected void recordUnreadable(TaskJobStatus value, List<UnreadableField> unreadable) {
      // the operator rewrites its status; nothing to report
    }
  }


  /** Most ids kept in {@code failedTaskIds}; the ledger ConfigMap has all of them. */
  public static final int MAX_FAILED_TASK_IDS = 100;

  @JsonPropertyDescription("Pending, Loading, Running, Suspended (spec.suspend), Draining, Succeeded or Failed.")
  private TaskJobPhase phase;

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @Size(max = 32)
  @JsonPropertyDescription("Conditions: Accepted, Loading, Loaded, Ready, Draining, Complete, Failed.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Number of tasks in the job.")
  private Long total;

  @JsonPropertyDescription("Tasks sent to the task queue so far; loading resumes from here after a restart.")
  private Long loaded;

  @JsonPropertyDescription("Tasks running now.")
  private Long running;

  @JsonPropertyDescription("Tasks that finished successfully.")
  private Long succeeded;

  @JsonPropertyDescription("Tasks that failed for good (no attempts left, or not retried).")
  private Long failed;

  @JsonPropertyDescription("Attempts that were retried (a task retried twice counts twice).")
  private Long retried;

  @JsonPropertyDescription("Completions of a task that had already finished (at-least-once delivery); not counted twice.")
  private Long duplicates;

  @JsonPropertyDescription("Tasks moved to the dead-letter queue after too many interruptions; included in failed.")
  private Long deadLettered;

  @JsonPropertyDescription("Selected instance type, e.g. c7g.2xlarge.")
  private String instanceType;

  @JsonPropertyDescription("Whether the instances are spot (preemptible) instances.")
  private Boolean spot;

  @JsonPropertyDescription("Price of one instance of the selected type with its boot disk, in USD per hour.")
  private Double pricePerHour;

  @JsonPropertyDescription("Instances the job wants now.")
  private Integer instancesDesired;

  @JsonPropertyDescription("Instances running now.")
  private Integer instancesRunning;

  @JsonPropertyDescription("Price of the running instances, in USD per hour.")
  private Double costPerHour;

  @JsonPropertyDescription("What the job's VMs have been billed so far, in USD (three significant digits): its"
      + " pool's bill, each VM from launch to end at the price of its type, zone and market plus its boot disk.")
  private Double costSoFar;

  @JsonPropertyDescription("costSoFar divided by the tasks that succeeded, in USD (three significant digits): what"
      + " a completed task cost, its share of boot, idle slots, drain and interrupted work included.")
  private Double costPerCompletedTask;

  @JsonPropertyDescription("Where costSoFar went: the tasks' own share, boot, idle slots, drain and interrupted work.")
  private CostShares costShares;

  @JsonPropertyDescription("Tasks finished per second, averaged over the last minutes.")
  private Double tasksPerSecond;

  @JsonPropertyDescription("Estimated time until every task is finished, e.g. 1h12m, at the current rate.")
  private String eta;

  @JsonPropertyDescription("When the operator started working on the job (RFC 3339).")
  private String startTime;

  @JsonPropertyDescription("When loading tasks into the queue started (RFC 3339).")
  private String loadStartTime;

  @JsonPropertyDescription("When the job finished (RFC 3339).")
  private String completionTime;

  @JsonPropertyDescription("Base name of the job's queues (tasks, events, dead letters).")
  private String queueName;

  @JsonPropertyDescription("ConfigMap holding the ledger of finished tasks, owned by this TaskJob.")
  private String ledgerConfigMap;

  @Size(max = MAX_FAILED_TASK_IDS)
  @JsonPropertyDescription("Ids of failed tasks, at most 100; the ledger ConfigMap lists all of them.")
  private List<@Size(max = 1024) String> failedTaskIds;

  @Size(max = MAX_FAILED_TASK_IDS)
  @JsonPropertyDescription("Ids of the first tasks (by index) the job finished without a result for, named from the"
      + " task source when the job finishes; the ledger ConfigMap lists all of them.")
  private List<@Size(max = 1024) String> missingTaskIds;

  @JsonPropertyDescription("Human-readable summary of the current state.")
  private String message;

  @JsonPropertyDescription(
      "Why the instance type for new instances, in one line: its expected cost per completed task, the task "
          + "duration and interruption rate it assumes, and the runner-up.")
  private String choice;

  @JsonPropertyDescription("The job priced before it runs (spec.dryRun), or its remaining tasks priced after the"
      + " pilot (spec.pilot): the chosen type and count, the expected makespan and cost with a range, the"
      + " alternatives and the assumptions.")
  private PlanStatus plan;

  @JsonPropertyDescription("The pilot run (spec.pilot): its stage, tasks finished of its tasks, and the mean run"
      + " time it measured.")
  private PilotStatus pilot;

  @JsonPropertyDescription(
      "The task size finished tasks' measured peak memory and CPU suggest (spec.worker.cpusPerTask and "
          + "memoryPerTaskGiB, with a safety margin), and what it would save per task, in one line; with "
          + "spec.worker.autoSize it is what new instances are sized for.")
  private String rightSizing;

  public String getRightSizing() {
    return rightSizing;
  }

  public void setRightSizing(String rightSizing) {
    this.rightSizing = rightSizing;
  }

  public TaskJobPhase getPhase() {
    return phase;
  }

  public void setPhase(TaskJobPhase phase) {
    this.phase = phase;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public Long getTotal() {
    return total;
  }

  public void setTotal(Long total) {
    this.total = total;
  }

  public Long getLoaded() {
    return loaded;
  }

  public void setLoaded(Long loaded) {
    this.loaded = loaded;
  }

  public Long getRunning() {
    return running;
  }

  public void setRunning(Long running) {
    this.running = running;
  }

  public Long getSucceeded() {
    return succeeded;
  }

  public void setSucceeded(Long succeeded) {
    this.succeeded = succeeded;
  }

  public Long getFailed() {
    return failed;
  }

  public void setFailed(Long failed) {
    this.failed = failed;
  }

  public Long getRetried() {
    return retried;
  }

  public void setRetried(Long retried) {
    this.retried = retried;
  }

  public Long getDuplicates() {
    return duplicates;
  }

  public void setDuplicates(Long duplicates) {
    this.duplicates = duplicates;
  }

  public Long getDeadLettered() {
    return deadLettered;
  }

  public void setDeadLettered(Long deadLettered) {
    this.deadLettered = deadLettered;
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

  public Double getPricePerHour() {
    return pricePerHour;
  }

  public void setPricePerHour(Double pricePerHour) {
    this.pricePerHour = pricePerHour;
  }

  public Integer getInstancesDesired() {
    return instancesDesired;
  }

  public void setInstancesDesired(Integer instancesDesired) {
    this.instancesDesired = instancesDesired;
  }

  public Integer getInstancesRunning() {
    return instancesRunning;
  }

  public void setInstancesRunning(Integer instancesRunning) {
    this.instancesRunning = instancesRunning;
  }

  public Double getCostPerHour() {
    return costPerHour;
  }

  public void setCostPerHour(Double costPerHour) {
    this.costPerHour = costPerHour;
  }

  public Double getCostPerCompletedTask() {
    return costPerCompletedTask;
  }

  public void setCostPerCompletedTask(Double costPerCompletedTask) {
    this.costPerCompletedTask = costPerCompletedTask;
  }

  public CostShares getCostShares() {
    return costShares;
  }

  public void setCostShares(CostShares costShares) {
    this.costShares = costShares;
  }

  public Double getCostSoFar() {
    return costSoFar;
  }

  public void setCostSoFar(Double costSoFar) {
    this.costSoFar = costSoFar;
  }

  public Double getTasksPerSecond() {
    return tasksPerSecond;
  }

  public void setTasksPerSecond(Double tasksPerSecond) {
    this.tasksPerSecond = tasksPerSecond;
  }

  public String getEta() {
    return eta;
  }

  public void setEta(String eta) {
    this.eta = eta;
  }

  public String getStartTime() {
    return startTime;
  }

  public void setStartTime(String startTime) {
    this.startTime = startTime;
  }

  public String getLoadStartTime() {
    return loadStartTime;
  }

  public void setLoadStartTime(String loadStartTime) {
    this.loadStartTime = loadStartTime;
  }

  public String getCompletionTime() {
    return completionTime;
  }

  public void setCompletionTime(String completionTime) {
    this.completionTime = completionTime;
  }

  public String getQueueName() {
    return queueName;
  }

  public void setQueueName(String queueName) {
    this.queueName = queueName;
  }

  public String getLedgerConfigMap() {
    return ledgerConfigMap;
  }

  public void setLedgerConfigMap(String ledgerConfigMap) {
    this.ledgerConfigMap = ledgerConfigMap;
  }

  public List<String> getFailedTaskIds() {
    return failedTaskIds;
  }

  public void setFailedTaskIds(List<String> failedTaskIds) {
    this.failedTaskIds = failedTaskIds;
  }

  public List<String> getMissingTaskIds() {
    return missingTaskIds;
  }

  public void setMissingTaskIds(List<String> missingTaskIds) {
    this.missingTaskIds = missingTaskIds;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getChoice() {
    return choice;
  }

  public void setChoice(String choice) {
    this.choice = choice;
  }

  public PlanStatus getPlan() {
    return plan;
  }

  public void setPlan(PlanStatus plan) {
    this.plan = plan;
  }

  public PilotStatus getPilot() {
    return pilot;
  }

  public void setPilot(PilotStatus pilot) {
    this.pilot = pilot;
  }
}
