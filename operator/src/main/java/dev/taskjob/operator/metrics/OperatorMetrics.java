package dev.taskjob.operator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The operator's own metrics (JOSDK's reconcile metrics come from its Micrometer support):
 * tasks per job by outcome, instances per pool by state, instance launches and launch failures per
 * provider, cost per hour per job. Gauges are dropped when their job or pool goes away.
 */
public final class OperatorMetrics {

  /** Job counts as last reported. */
  public record JobFigures(long total, long loaded, long succeeded, long failed, long retried, long duplicates,
      long running, double tasksPerSecond, double costPerHour, double costSoFar) {}

  private final MeterRegistry registry;
  private final Map<String, AtomicReference<JobFigures>> jobs = new ConcurrentHashMap<>();
  private final Map<String, AtomicReference<int[]>> pools = new ConcurrentHashMap<>();

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Metrics kept in memory only (tests, or when nothing scrapes them). */
  public static OperatorMetrics inMemory() {
    return new OperatorMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void job(String namespace, String name, JobFigures figures) {
    String key = namespace + "/" + name;
    jobs.computeIfAbsent(key, k -> {
      AtomicReference<JobFigures> ref = new AtomicReference<>(figures);
      Tags tags = Tags.of("namespace", namespace, "job", name);
      gauge("taskjob_job_tasks", tags.and("state", "total"), ref, f -> f.total());
      gauge("taskjob_job_tasks", tags.and("state", "loaded"), ref, f -> f.loaded());
      gauge("taskjob_job_tasks", tags.and("state", "succeeded"), ref, f -> f.succeeded());
      gauge("taskjob_job_tasks", tags.and("state", "failed"), ref, f -> f.failed());
      gauge("taskjob_job_tasks", tags.and("state", "running"), ref, f -> f.running());
      gauge("taskjob_job_task_retries", tags, ref, f -> f.retried());
      gauge("taskjob_job_task_duplicates", tags, ref, f -> f.duplicates());
      gauge("taskjob_job_tasks_per_second", tags, ref, JobFigures::tasksPerSecond);
      gauge("taskjob_job_cost_per_hour_usd", tags, ref, JobFigures::costPerHour);
      gauge("taskjob_job_cost_usd", tags, ref, JobFigures::costSoFar);
      return ref;
    }).set(figures);
  }

  public void jobGone(String namespace, String name) {
    jobs.remove(namespace + "/" + name);
    registry.getMeters().stream()
        .filter(m -> m.getId().getName().startsWith("taskjob_job_") && namespace.equals(m.getId().getTag("namespace"))
            && name.equals(m.getId().getTag("job")))
        .toList().forEach(registry::remove);
  }

  /** Instances of a pool by state: pending, running, terminating. */
  public void pool(String namespace, String name, int pending, int running, int terminating) {
    String key = namespace + "/" + name;
    pools.computeIfAbsent(key, k -> {
      AtomicReference<int[]> ref = new AtomicReference<>(new int[3]);
      Tags tags = Tags.of("namespace", namespace, "pool", name);
      gauge("taskjob_pool_instances", tags.and("state", "pending"), ref, a -> a[0]);
      gauge("taskjob_pool_instances", tags.and("state", "running"), ref, a -> a[1]);
      gauge("taskjob_pool_instances", tags.and("state", "terminating"), ref, a -> a[2]);
      return ref;
    }).set(new int[] {pending, running, terminating});
  }

  public void poolGone(String namespace, String name) {
    pools.remove(namespace + "/" + name);
    registry.getMeters().stream()
        .filter(m -> m.getId().getName().startsWith("taskjob_pool_") && namespace.equals(m.getId().getTag("namespace"))
            && name.equals(m.getId().getTag("pool")))
        .toList().forEach(registry::remove);
  }

  /** A job's saved load checkpoint: tasks queued so far. */
  public void loadCheckpoint(String namespace, String name, long loaded) {
    AtomicReference<JobFigures> ref = jobs.get(namespace + "/" + name);
    if (ref != null) {
      JobFigures f = ref.get();
      ref.set(new JobFigures(f.total(), loaded, f.succeeded(), f.failed(), f.retried(), f.duplicates(), f.running(),
          f.tasksPerSecond(), f.costPerHour(), f.costSoFar()));
    }
    Counter.builder("taskjob_load_checkpoints_total").register(registry).increment();
  }

  public void instanceLaunched(String provider, String instanceType) {
    Counter.builder("taskjob_instance_launches_total").tag("provider", provider).tag("type", instanceType)
        .register(registry).increment();
  }

  /** @param reason capacity, error, never_started, silent, lost */
  public void instanceFailure(String provider, String reason) {
    Counter.builder("taskjob_instance_failures_total").tag("provider", provider).tag("reason", reason)
        .register(registry).increment();
  }

  public void orphansTerminated(String provider, int count) {
    Counter.builder("taskjob_orphan_instances_terminated_total").tag("provider", provider).register(registry)
        .increment(count);
  }

  private <T> void gauge(String name, Tags tags, AtomicReference<T> ref, java.util.function.ToDoubleFunction<T> f) {
    Gauge.builder(name, ref, r -> f.applyAsDouble(r.get())).tags(tags).register(registry);
  }
}
