package dev.taskjob.crds.v1alpha1.shared;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * What runs each task and how: the program, its resources, its time limit and retry policy. Every
 * task runs in its own process with {@code TASK_ID}, {@code TASK_DATA}, {@code TASK_DATA_FILE} and
 * {@code TASK_ARG_<NAME>} in its environment.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkerSpec {

  /** Used when {@code shutdownGracePeriod} is not given. */
  public static final String DEFAULT_SHUTDOWN_GRACE_PERIOD = "30s";

  @Size(max = 512)
  @JsonPropertyDescription(
      "Container image the tasks run in, pulled on every instance: any glibc-based image (python:3.12-slim, a "
          + "lab image); the worker is added to it at start. Required for aws and gcp; local runs the command "
          + "directly.")
  private String image;

  @Required
  @Size(min = 1, max = 256)
  @JsonPropertyDescription(
      "The task program and its arguments, run once per task, e.g. [\"python3\", \"add.py\"].")
  private List<@Size(max = 4096) String> command;

  @Size(max = 256)
  @JsonPropertyDescription("Environment variables for every task process.")
  private List<EnvVar> env;

  @Min(value = 0, inclusive = false)
  @Max(1024)
  @Default("1")
  @JsonPropertyDescription("vCPUs one task needs; may be fractional (0.5: two tasks per vCPU). Default: 1.")
  private Double cpusPerTask = 1.0;

  @Max(Limits.MAX_MEMORY_GIB)
  @Min(0)
  @JsonPropertyDescription("Memory one task needs, in GiB. Unset: no memory requirement per task.")
  private Double memoryPerTaskGiB;

  @JsonPropertyDescription(
      "A shell script each instance runs as root before the worker (install a package, mount a bucket), inline "
          + "or from a ConfigMap key. When it fails, the instance runs no task and shuts down; its exit status "
          + "and the end of its output reach the job as the worker's first event. At most 4096 bytes.")
  private StartupScriptSource startupScript;

  @Size(max = 32)
  @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|k|K|M|G|T)$")
  @JsonPropertyDescription(
      "Most resident memory one task's processes may hold together, as a quantity such as 512Mi or 2Gi. A task "
          + "over it is killed and fails with reason 'memory limit', and is not retried; the other tasks on the "
          + "instance go on. At most the memory of one task slot (instance memory / tasks at once). Unset: no limit.")
  private String maxMemoryPerTask;

  @Min(1)
  @Max(4096)
  @JsonPropertyDescription(
      "Tasks run at once on one instance. Unset: derived from the instance type (vCPUs / cpusPerTask, "
          + "limited by memory / memoryPerTaskGiB).")
  private Integer simultaneousTasks;

  @Pattern(Patterns.DURATION)
  @JsonPropertyDescription(
      "Longest a task may run before its process tree is killed, e.g. 30m or 1h30m. Unset: no limit.")
  private String maxRuntime;

  @JsonPropertyDescription("When failed or timed-out tasks run again.")
  private RetrySpec retry;

  @Pattern(Patterns.DURATION)
  @Default(DEFAULT_SHUTDOWN_GRACE_PERIOD)
  @JsonPropertyDescription(
      "On shutdown or spot interruption, how long running tasks may finish before they are killed and "
          + "released to the queue. Default: 30s.")
  private String shutdownGracePeriod = DEFAULT_SHUTDOWN_GRACE_PERIOD;

  @Pattern(Patterns.DURATION)
  @JsonPropertyDescription(
      "How long one task runs, e.g. 30m: the instance type is chosen by expected cost per completed task, "
          + "which weighs spot interruptions against task length. Once tasks finish their mean is used instead. "
          + "Unset: 1h is assumed.")
  private String expectedTaskDuration;

  @JsonPropertyDescription("Hedging the tail: a second copy of a task that runs far longer than the others, on an "
      + "idle slot already paid for. Off unless enabled; only for tasks without side effects.")
  private SpeculativeSpec speculative;

  @JsonPropertyDescription("Right-sizing: once enough tasks finished (20, or the pilot's tasks), instances launched "
      + "from then on are sized for the suggested cpusPerTask and memoryPerTaskGiB (status.rightSizing): never "
      + "more than asked here, never below what any finished task used. Running instances keep their size.")
  private Boolean autoSize;

  public Boolean getAutoSize() {
    return autoSize;
  }

  public void setAutoSize(Boolean autoSize) {
    this.autoSize = autoSize;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public List<String> getCommand() {
    return command;
  }

  public void setCommand(List<String> command) {
    this.command = command;
  }

  public List<EnvVar> getEnv() {
    return env;
  }

  public void setEnv(List<EnvVar> env) {
    this.env = env;
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

  public StartupScriptSource getStartupScript() {
    return startupScript;
  }

  public void setStartupScript(StartupScriptSource startupScript) {
    this.startupScript = startupScript;
  }

  public String getMaxMemoryPerTask() {
    return maxMemoryPerTask;
  }

  public void setMaxMemoryPerTask(String maxMemoryPerTask) {
    this.maxMemoryPerTask = maxMemoryPerTask;
  }

  public Integer getSimultaneousTasks() {
    return simultaneousTasks;
  }

  public void setSimultaneousTasks(Integer simultaneousTasks) {
    this.simultaneousTasks = simultaneousTasks;
  }

  public String getMaxRuntime() {
    return maxRuntime;
  }

  public void setMaxRuntime(String maxRuntime) {
    this.maxRuntime = maxRuntime;
  }

  public RetrySpec getRetry() {
    return retry;
  }

  public void setRetry(RetrySpec retry) {
    this.retry = retry;
  }

  public String getShutdownGracePeriod() {
    return shutdownGracePeriod;
  }

  public void setShutdownGracePeriod(String shutdownGracePeriod) {
    this.shutdownGracePeriod = shutdownGracePeriod;
  }

  public String getExpectedTaskDuration() {
    return expectedTaskDuration;
  }

  public void setExpectedTaskDuration(String expectedTaskDuration) {
    this.expectedTaskDuration = expectedTaskDuration;
  }

  public SpeculativeSpec getSpeculative() {
    return speculative;
  }

  public void setSpeculative(SpeculativeSpec speculative) {
    this.speculative = speculative;
  }
}
