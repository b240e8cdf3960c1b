package dev.taskjob.core.worker;

import java.util.Arrays;
import java.util.List;

/**
 * The {@code TASKJOB_*} variables the operator and the VMs it launches give a worker, in one place:
 * the operator writes them through these names, and a test checks that the worker reads each one and
 * that the operator writes nothing else. The worker's own options (worker-image/README.md) are the
 * same names; those only a person sets by hand are not listed here.
 */
public enum WorkerSetting {
  PROVIDER("TASKJOB_PROVIDER", Writer.OPERATOR, "aws|gcp|local", "the cloud whose queue holds the tasks"),
  REGION("TASKJOB_REGION", Writer.OPERATOR, "text", "the queue's region (when the job has one)"),
  PROJECT("TASKJOB_PROJECT", Writer.OPERATOR, "text", "the queue's GCP project (when the job has one)"),
  JOB("TASKJOB_JOB", Writer.OPERATOR, "namespace/name", "the TaskJob, named in every event"),
  QUEUE_NAME("TASKJOB_QUEUE_NAME", Writer.OPERATOR, "text", "the job's task queue"),
  LEASE_SECONDS("TASKJOB_LEASE_SECONDS", Writer.OPERATOR, "seconds", "how long a received task is leased"),
  MAX_ATTEMPTS("TASKJOB_MAX_ATTEMPTS", Writer.OPERATOR, "integer", "attempts per task (failures and timeouts)"),
  MAX_INTERRUPTIONS("TASKJOB_MAX_INTERRUPTIONS", Writer.OPERATOR, "integer",
      "interruptions per attempt before the queue dead-letters the task"),
  COMMAND("TASKJOB_COMMAND", Writer.OPERATOR, "JSON list", "the task program and its arguments"),
  CPUS_PER_TASK("TASKJOB_CPUS_PER_TASK", Writer.OPERATOR, "number", "vCPUs each task needs"),
  NUM_SIMULTANEOUS_TASKS("TASKJOB_NUM_SIMULTANEOUS_TASKS", Writer.OPERATOR, "integer",
      "tasks run at once (the job's simultaneousTasks; else the pool's slots per VM, set at launch)"),
  MAX_RUNTIME("TASKJOB_MAX_RUNTIME", Writer.OPERATOR, "seconds", "a task's time limit; 0 for none"),
  RETRY_ON_FAILURE("TASKJOB_RETRY_ON_FAILURE", Writer.OPERATOR, "boolean", "retry a task that exits non-zero"),
  RETRY_ON_TIMEOUT("TASKJOB_RETRY_ON_TIMEOUT", Writer.OPERATOR, "boolean", "retry a task killed at its time limit"),
  RETRY_EXIT_CODES("TASKJOB_RETRY_EXIT_CODES", Writer.OPERATOR, "comma-separated integers",
      "exit codes always retried (when the job lists any)"),
  SHUTDOWN_GRACE_PERIOD("TASKJOB_SHUTDOWN_GRACE_PERIOD", Writer.OPERATOR, "seconds",
      "how long running tasks may finish once the worker is told to stop"),
  HEARTBEAT_INTERVAL("TASKJOB_HEARTBEAT_INTERVAL", Writer.OPERATOR, "seconds", "time between heartbeat events"),
  TASK_IMAGE("TASKJOB_TASK_IMAGE", Writer.OPERATOR, "image", "the job's image, which the tasks run in with the"
      + " worker injected (read by the VM's startup script, not the worker; when the job names one)"),
  MAX_MEMORY_PER_TASK("TASKJOB_MAX_MEMORY_PER_TASK", Writer.OPERATOR, "quantity",
      "a task's memory limit (when the job sets one)"),
  SECRET_SCOPE("TASKJOB_SECRET_SCOPE", Writer.OPERATOR, "text",
      "where the worker reads the job's secret values (when the job references a Secret)"),
  INSTANCE_ID("TASKJOB_INSTANCE_ID", Writer.LAUNCH, "text", "the VM's name, put in every event"),
  INSTANCE_TYPE("TASKJOB_INSTANCE_TYPE", Writer.MACHINE, "text", "the VM's type, passed on to tasks"),
  VCPUS("TASKJOB_VCPUS", Writer.MACHINE, "integer", "the VM's vCPUs, passed on to tasks"),
  MEMORY_GIB("TASKJOB_MEMORY_GIB", Writer.MACHINE, "number", "the VM's memory, passed on to tasks"),
  SPOT("TASKJOB_SPOT", Writer.MACHINE, "boolean", "whether the VM is spot, passed on to tasks"),
  PRICE_PER_HOUR("TASKJOB_PRICE_PER_HOUR", Writer.MACHINE, "USD",
      "the VM's price with its boot disk, passed on to tasks"),
  ZONE("TASKJOB_ZONE", Writer.MACHINE, "text", "the VM's zone, from the metadata endpoint, passed on to tasks"),
  SCRATCH_DIR("TASKJOB_SCRATCH_DIR", Writer.MACHINE, "path", "the VM's local SSDs (when it has them); each task"
      + " gets its own directory under it, with its share of the space in TASKJOB_SCRATCH_BYTES");

  /** Who sets a variable. */
  public enum Writer {
    /** The job's worker environment, from the TaskJob ({@code InstancePool.spec.workerEnvironment}). */
    OPERATOR,
    /** The pool, per VM, when it creates it. */
    LAUNCH,
    /** The VM's startup script, from the type and the metadata endpoint; the worker passes them to tasks. */
    MACHINE
  }

  private final String variable;
  private final Writer writer;
  private final String type;
  private final String description;

  WorkerSetting(String variable, Writer writer, String type, String description) {
    this.variable = variable;
    this.writer = writer;
    this.type = type;
    this.description = description;
  }

  /** The environment variable's name. */
  public String variable() {
    return variable;
  }

  public Writer writer() {
    return writer;
  }

  public String type() {
    return type;
  }

  public String description() {
    return description;
  }

  /** True for a variable the worker reads; false for one only the VM's startup script reads. */
  public boolean readByWorker() {
    return this != TASK_IMAGE;
  }

  /** The variables one writer sets, in catalogue order. */
  public static List<String> writtenBy(Writer writer) {
    return Arrays.stream(values()).filter(s -> s.writer == writer).map(WorkerSetting::variable).toList();
  }
}
