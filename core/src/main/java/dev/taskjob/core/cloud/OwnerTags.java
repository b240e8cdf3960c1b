package dev.taskjob.core.cloud;

/**
 * Tag/label keys the operator puts on every VM. Lower-case with '-' and '_' only, so the same keys are
 * valid as AWS tags and GCE labels.
 */
public final class OwnerTags {
  /** Always "taskjob-operator". */
  public static final String MANAGED_BY = "taskjob-managed-by";
  public static final String MANAGED_BY_VALUE = "taskjob-operator";
  /** Identifies the operator installation (cluster), so a sweep never touches another cluster's VMs. */
  public static final String CLUSTER = "taskjob-cluster";
  /** The owning InstancePool's uid. */
  public static final String POOL_UID = "taskjob-pool-uid";
  /** The owning TaskJob's uid (when the pool belongs to a job). */
  public static final String JOB_UID = "taskjob-job-uid";
  /** The owning TaskJob's name (readable; GCE label values are lower-case and at most 63 chars). */
  public static final String JOB_NAME = "taskjob-job";
  /** The namespace of the owning InstancePool, so a sweep only judges VMs of namespaces its operator watches. */
  public static final String NAMESPACE = "taskjob-namespace";

  private OwnerTags() {}
}
