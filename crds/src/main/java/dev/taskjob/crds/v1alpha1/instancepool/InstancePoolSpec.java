package dev.taskjob.crds.v1alpha1.instancepool;

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
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/**
 * A set of identical instances: where, which types may be used, how many, and what each runs
 * (given entirely through {@code workerEnvironment}). {@code count} may change at any time;
 * provider, region and project may not.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.provider == 'local' || has(self.region)", message = "region is required for aws and gcp")
@ValidationRule(value = "self.provider != 'gcp' || has(self.project)", message = "project is required for gcp")
@ValidationRule(
    value = "!has(oldSelf.region) || (has(self.region) && self.region == oldSelf.region)",
    message = "spec.region is immutable; create a new InstancePool")
@ValidationRule(
    value = "!has(oldSelf.project) || (has(self.project) && self.project == oldSelf.project)",
    message = "spec.project is immutable; create a new InstancePool")
@JsonDeserialize(using = InstancePoolSpec.Reader.class)
public class InstancePoolSpec {

  /** Reads stored objects leniently: see {@link LenientReader}. */
  public static final class Reader extends LenientReader<InstancePoolSpec> {
    public Reader() {
      super(InstancePoolSpec.class, "spec");
    }

    @Override
    protected void recordUnreadable(InstancePoolSpec value, List<UnreadableField> unreadable) {
      value.unreadableFields = List.copyOf(unreadable);
    }
  }

  @JsonIgnore
  private List<UnreadableField> unreadableFields = List.of();

  /** Fields of the stored object that could not be read and were left out; empty for a readable object. */
  public List<UnreadableField> unreadableFields() {
    return unreadableFields;
  }


  /** Used when {@code startupTimeout} is not given. */
  public static final String DEFAULT_STARTUP_TIMEOUT = "10m";
  /** Used when {@code heartbeatTimeout} is not given. */
  public static final String DEFAULT_HEARTBEAT_TIMEOUT = "5m";

  @Required
  @ValidationRule(value = "self == oldSelf", message = "spec.provider is immutable; create a new InstancePool")
  @JsonPropertyDescription("Where the instances run: local, aws or gcp. Immutable.")
  private Provider provider;

  @Size(max = 64)
  @JsonPropertyDescription("Cloud region, e.g. us-east-1 or us-central1. Required for aws and gcp. Immutable once set.")
  private String region;

  @Size(max = 16)
  @JsonPropertyDescription("Zones within the region instances may use. Empty: any zone of the region.")
  private java.util.List<@Size(max = 64) String> zones;

  @Size(max = 64)
  @JsonPropertyDescription("Google Cloud project id. Required for gcp. Immutable once set.")
  private String project;

  @JsonPropertyDescription(
      "Secret with cloud credentials. Unset: the operator's ambient identity (workload identity, instance role).")
  private CredentialsRef credentials;

  @JsonPropertyDescription("Which instance types may be used (the budget fields are ignored here; count decides).")
  private InstanceRequirements instances;

  @Required
  @Min(0)
  @Max(10000)
  @JsonPropertyDescription("Instances wanted. May change at any time; 0 removes every instance.")
  private Integer count;

  @Min(value = 0, inclusive = false)
  @Max(1024)
  @Default("1")
  @JsonPropertyDescription("vCPUs one task needs, used to rank instance types by price per task slot. Default: 1.")
  private Double cpusPerTask = 1.0;

  @Max(Limits.MAX_MEMORY_GIB)
  @Min(0)
  @JsonPropertyDescription("Memory one task needs, in GiB, used to rank instance types by price per task slot.")
  private Double memoryPerTaskGiB;

  @JsonPropertyDescription("Use spot (preemptible) instances. Unset: instances.spot.")
  private Boolean spot;

  @Min(1)
  @Max(4096)
  @JsonPropertyDescription("Tasks each instance runs at once; instance types are ranked by price per task with it. "
      + "Unset: as many as the type's vCPUs and memory allow.")
  private Integer tasksPerInstance;

  @Size(max = 128)
  @JsonPropertyDescription(
      "Environment of the worker on every instance (TASKJOB_* variables; see the worker's README).")
  private Map<String, @Size(max = 32768) String> workerEnvironment;

  @Pattern(Patterns.DURATION)
  @Default(DEFAULT_STARTUP_TIMEOUT)
  @JsonPropertyDescription(
      "An instance whose worker has not reported within this time after creation is replaced. Default: 10m.")
  private String startupTimeout = DEFAULT_STARTUP_TIMEOUT;

  @Pattern(Patterns.DURATION)
  @Default(DEFAULT_HEARTBEAT_TIMEOUT)
  @JsonPropertyDescription(
      "A running instance whose worker has not reported within this time is replaced. Default: 5m.")
  private String heartbeatTimeout = DEFAULT_HEARTBEAT_TIMEOUT;

  @Pattern(Patterns.DURATION)
  @JsonPropertyDescription(
      "How long one task runs, for ranking instance types by expected cost per completed task. A TaskJob sets "
          + "it from its finished tasks' mean, else from spec.worker.expectedTaskDuration. Unset: 1h.")
  private String taskDuration;

  @Min(0)
  @Max(Integer.MAX_VALUE) // a job holds at most that many tasks (the ledger's bound)
  @JsonPropertyDescription("How many finished tasks taskDuration is the mean of; unset or 0: it is an estimate.")
  private Long taskDurationSamples;

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

  public java.util.List<String> getZones() {
    return zones;
  }

  public void setZones(java.util.List<String> zones) {
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

  public InstanceRequirements getInstances() {
    return instances;
  }

  public void setInstances(InstanceRequirements instances) {
    this.instances = instances;
  }

  public Integer getCount() {
    return count;
  }

  public void setCount(Integer count) {
    this.count = count;
  }

  public Double getCpusPerTask() {
    return cpusPerTask;
  }

  public void setCpusPerTask(Double cpusPerTask) {
    this.cpusPerTask = cpusPerTask;
  }

  public Double getMemoryPerTaskGiB() {
    return memoryPerTaskGiB;
  }

  public void setMemoryPerTaskGiB(Double memoryPerTaskGiB) {
    this.memoryPerTaskGiB = memoryPerTaskGiB;
  }

  public Integer getTasksPerInstance() {
    return tasksPerInstance;
  }

  public void setTasksPerInstance(Integer tasksPerInstance) {
    this.tasksPerInstance = tasksPerInstance;
  }

  public Boolean getSpot() {
    return spot;
  }

  public void setSpot(Boolean spot) {
    this.spot = spot;
  }

  public Map<String, String> getWorkerEnvironment() {
    return workerEnvironment;
  }

  public void setWorkerEnvironment(Map<String, String> workerEnvironment) {
    this.workerEnvironment = workerEnvironment;
  }

  public String getStartupTimeout() {
    return startupTimeout;
  }

  public void setStartupTimeout(String startupTimeout) {
    this.startupTimeout = startupTimeout;
  }

  public String getHeartbeatTimeout() {
    return heartbeatTimeout;
  }

  public void setHeartbeatTimeout(String heartbeatTimeout) {
    this.heartbeatTimeout = heartbeatTimeout;
  }

  public String getTaskDuration() {
    return taskDuration;
  }

  public void setTaskDuration(String taskDuration) {
    this.taskDuration = taskDuration;
  }

  public Long getTaskDurationSamples() {
    return taskDurationSamples;
  }

  public void setTaskDurationSamples(Long taskDurationSamples) {
    this.taskDurationSamples = taskDurationSamples;
  }
}
