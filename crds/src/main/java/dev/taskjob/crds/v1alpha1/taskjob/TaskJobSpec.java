package dev.taskjob.crds.v1alpha1.taskjob;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.taskjob.crds.v1alpha1.shared.CredentialsRef;
import dev.taskjob.crds.v1alpha1.shared.InstanceRequirements;
import dev.taskjob.crds.v1alpha1.shared.LenientReader;
import dev.taskjob.crds.v1alpha1.shared.Limits;
import dev.taskjob.crds.v1alpha1.shared.Patterns;
import dev.taskjob.crds.v1alpha1.shared.Provider;
import dev.taskjob.crds.v1alpha1.shared.UnreadableField;
import dev.taskjob.crds.v1alpha1.shared.WorkerSpec;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * What a TaskJob runs and under which limits. The fields that define the work ({@code tasks},
 * {@code worker}, {@code provider}, {@code region}, {@code project}) cannot change once set; the
 * budget in {@code instances} can.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.provider == 'local' || has(self.region)", message = "region is required for aws and gcp")
@ValidationRule(value = "self.provider != 'gcp' || has(self.project)", message = "project is required for gcp")
@ValidationRule(
    value = "self.provider == 'local' || has(self.worker.image)",
    message = "worker.image is required for aws and gcp")
@ValidationRule(
    value = "!has(oldSelf.region) || (has(self.region) && self.region == oldSelf.region)",
    message = "spec.region is immutable; create a new TaskJob")
@ValidationRule(
    value = "!has(oldSelf.project) || (has(self.project) && self.project == oldSelf.project)",
    message = "spec.project is immutable; create a new TaskJob")
@JsonDeserialize(using = TaskJobSpec.Reader.class)
public class TaskJobSpec {

  /** Reads stored objects leniently: see {@link LenientReader}. */
  public static final class Reader extends LenientReader<TaskJobSpec> {
    public Reader() {
      super(TaskJobSpec.class, "spec");
    }

    @Override
    protected void recordUnreadable(TaskJobSpec value, List<UnreadableField> unreadable) {
      value.unreadableFields = List.copyOf(unreadable);
    }
  }

  @JsonIgnore
  private List<UnreadableField> unreadableFields = List.of();

  /** Fields of the stored object that could not be read and were left out; empty for a readable object. */
  public List<UnreadableField> unreadableFields() {
    return unreadableFields;
  }


  /** Used when {@code terminationDelay} is not given. */
  public static final String DEFAULT_TERMINATION_DELAY = "1m";

  @Required
  @ValidationRule(value = "self == oldSelf", message = "spec.provider is immutable; create a new TaskJob")
  @JsonPropertyDescription("Where instances and queues live: local, aws or gcp. Immutable.")
  private Provider provider;

  @Size(max = 64)
  @JsonPropertyDescription("Cloud region, e.g. us-east-1 or us-central1. Required for aws and gcp. Immutable once set.")
  private String region;

  @Size(max = 16)
  @JsonPropertyDescription("Zones within the region instances may use. Empty: any zone of the region.")
  private List<@Size(max = 64) String> zones;

  @Size(max = 64)
  @JsonPropertyDescription("Google Cloud project id. Required for gcp. Immutable once set.")
  private String project;

  @JsonPropertyDescription(
      "Secret with cloud credentials. Unset: the operator's ambient identity (workload identity, instance role).")
  private CredentialsRef credentials;

  @Required
  @ValidationRule(value = "self == oldSelf", message = "spec.tasks is immutable; create a new TaskJob")
  @JsonPropertyDescription("Where the tasks come from: configMapRefs or generate. Immutable.")
  private TaskSource tasks;

  @Required
  @ValidationRule(value = "self == oldSelf", message = "spec.worker is immutable; create a new TaskJob")
  @JsonPropertyDescription("The program that processes one task, its resources, time limit and retry policy. Immutable.")
  private WorkerSpec worker;

  @JsonPropertyDescription(
      "Which instance types may be used, and the budget (minInstances, maxInstances, maxTotalCpus, maxPricePerHour).")
  private InstanceRequirements instances;

  @Pattern(Patterns.DURATION)
  @Default(DEFAULT_TERMINATION_DELAY)
  @JsonPropertyDescription(
      "How long the task queue must stay empty with no task running before the job drains anyway, when task "
          + "events were lost. Default: 1m.")
  private String terminationDelay = DEFAULT_TERMINATION_DELAY;

  @Default("delete")
  @JsonPropertyDescription(
      "What happens to the job's queues when it finishes: delete, or keep (until the TaskJob is deleted). Deleting "
          + "the TaskJob leaves a copy of its ledger (ConfigMap <name>-ledger-<uid prefix>) and its archive, unless "
          + "deleteAll: then the queues go when it finishes and the ledger and archive with the TaskJob. Default: delete.")
  private CleanupPolicy cleanup = CleanupPolicy.DELETE;

  @Max(Limits.MAX_TTL_SECONDS)
  @Min(0)
  @JsonPropertyDescription(
      "Delete the TaskJob this many seconds after it finishes. Unset: keep it until deleted. Not for use with "
          + "Argo CD or Flux, which would recreate it.")
  private Integer ttlSecondsAfterFinished;

  @JsonPropertyDescription("Where the job's events and task results are archived (docs/results.md). Unset: not archived.")
  private OutputSpec output;

  @JsonPropertyDescription(
      "True stops the job's instances gracefully (tasks running are put back) and keeps its queue and ledger; "
          + "false resumes it. As for Kubernetes Jobs. Default: false.")
  private Boolean suspend;

  @JsonPropertyDescription("A dollar limit on the whole job. May be changed while the job runs.")
  private BudgetSpec budget;

  @JsonPropertyDescription(
      "True prices the job and does nothing else: the operator checks it, counts its tasks, writes the plan"
          + " (instance type and count, expected makespan and cost with a range, alternatives, assumptions) to"
          + " status.plan, and creates no queue, pool or instance. Setting it to false starts the job. Ignored once"
          + " the job has started. Default: false.")
  private Boolean dryRun;

  @JsonPropertyDescription(
      "Run this many tasks on one instance first, measure them, then price the rest from what was measured"
          + " (status.plan) and let the pool grow. Cannot change once the job has started. Unset: no pilot.")
  private PilotSpec pilot;

  public Provider getProvider() {
    return provider;
  }

  public void setProvider(Provider provider) {
    this.provider = provider;
  }

  public String getRegion() {
    return region;
  }

  public void setRegion(String region) {
    this.region = region;
  }

  public List<String> getZones() {
    return zones;
  }

  public void setZones(List<String> zones) {
    this.zones = zones;
  }

  public String getProject() {
    return project;
  }

  public void setProject(String project) {
    this.project = project;
  }

  public CredentialsRef getCredentials() {
    return credentials;
  }

  public void setCredentials(CredentialsRef credentials) {
    this.credentials = credentials;
  }

  public TaskSource getTasks() {
    return tasks;
  }

  public void setTasks(TaskSource tasks) {
    this.tasks = tasks;
  }

  public WorkerSpec getWorker() {
    return worker;
  }

  public void setWorker(WorkerSpec worker) {
    this.worker = worker;
  }

  public InstanceRequirements getInstances() {
    return instances;
  }

  public void setInstances(InstanceRequirements instances) {
    this.instances = instances;
  }

  public String getTerminationDelay() {
    return terminationDelay;
  }

  public void setTerminationDelay(String terminationDelay) {
    this.terminationDelay = terminationDelay;
  }

  public CleanupPolicy getCleanup() {
    return cleanup;
  }

  public void setCleanup(CleanupPolicy cleanup) {
    this.cleanup = cleanup;
  }

  public Integer getTtlSecondsAfterFinished() {
    return ttlSecondsAfterFinished;
  }

  public void setTtlSecondsAfterFinished(Integer ttlSecondsAfterFinished) {
    this.ttlSecondsAfterFinished = ttlSecondsAfterFinished;
  }

  public OutputSpec getOutput() {
    return output;
  }

  public void setOutput(OutputSpec output) {
    this.output = output;
  }

  public Boolean getSuspend() {
    return suspend;
  }

  public void setSuspend(Boolean suspend) {
    this.suspend = suspend;
  }

  /** Whether the job is asked to stop for now ({@code suspend: true}). */
  public boolean suspended() {
    return Boolean.TRUE.equals(suspend);
  }

  public BudgetSpec getBudget() {
    return budget;
  }

  public void setBudget(BudgetSpec budget) {
    this.budget = budget;
  }

  public Boolean getDryRun() {
    return dryRun;
  }

  public void setDryRun(Boolean dryRun) {
    this.dryRun = dryRun;
  }

  /** Whether the job is only to be priced ({@code dryRun: true}). */
  public boolean dryRunOnly() {
    return Boolean.TRUE.equals(dryRun);
  }

  public PilotSpec getPilot() {
    return pilot;
  }

  public void setPilot(PilotSpec pilot) {
    this.pilot = pilot;
  }
}
