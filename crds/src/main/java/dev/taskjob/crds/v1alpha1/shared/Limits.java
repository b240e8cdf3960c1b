package dev.taskjob.crds.v1alpha1.shared;

/**
 * The schema's maxima for numeric fields, used in the classes' {@code @Max} annotations so that every
 * value the schema admits fits its Java type (an Integer beyond 2^31-1 would make the object
 * unreadable). The operator enforces the same schema in code (see {@code SchemaValidator}), so the
 * limits hold where no API server checks them.
 */
public final class Limits {

  private Limits() {}

  /** vCPUs of one instance: above the largest offered today. */
  public static final long MAX_CPUS = 4096;
  /** GiB of memory of one instance or one task. */
  public static final long MAX_MEMORY_GIB = 65536;
  /** GiB of memory per vCPU. */
  public static final long MAX_MEMORY_PER_CPU_GIB = 1024;
  /** GiB of local SSD. */
  public static final long MAX_LOCAL_SSD_GIB = 1_000_000;
  /** GPUs of one instance. */
  public static final long MAX_GPUS = 64;
  /** Instances of one job or pool. */
  public static final long MAX_INSTANCES = 10_000;
  /** vCPUs summed over a job's instances. */
  public static final long MAX_TOTAL_CPUS = 1_000_000;
  /** USD per hour of one job. */
  public static final long MAX_PRICE_PER_HOUR = 100_000;
  /** Magnitude of a generated parameter's from, to and step. */
  public static final double MAX_PARAMETER = 1e15;
  /** Seconds a finished job is kept: the largest Integer. */
  public static final long MAX_TTL_SECONDS = Integer.MAX_VALUE;
}
