package dev.taskjob.operator.metrics;

import dev.taskjob.crds.v1alpha1.taskjob.CostShares;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The operator's own metrics (JOSDK's reconcile metrics come from its Micrometer support):
 * tasks per job by outcome, instances per pool by state, instance launches and launch failures per
 * provider, cost per hour per job; on a Prometheus registry also each job's phase and the build. Gauges
 * are dropped when their job or pool goes away.
 *
 * <p>Job series are labelled {@code namespace} and {@code taskjob} (not {@code job}, which Prometheus
 * reserves for the scrape job and would rename to {@code exported_job}). They carry names, counts, rates
 * and costs only: never task ids, task data, env, images or messages, which may hold tenants' data.
 */
public final class OperatorMetrics {

  /** Job counts as last reported. */
  public record JobFigures(long total, long loaded, long succeeded, long failed, long retried, long duplicates,
      long running, double tasksPerSecond, double costPerHour, double costSoFar) {}

  /** The label naming a TaskJob. */
  public static final String TASKJOB = "taskjob";

  /** The reasons {@link #instanceFailure} is given. */
  public static final List<String> FAILURE_REASONS = List.of("capacity", "error", "never_started", "silent", "lost");

  private final MeterRegistry registry;
  private final Map<String, AtomicReference<JobFigures>> jobs = new ConcurrentHashMap<>();
  private final Map<String, AtomicReference<int[]>> pools = new ConcurrentHashMap<>();

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      // Prometheus's own Info type: Micrometer would strip the _info suffix from a gauge's name.
      BuildInfo build = BuildInfo.current();
      Info.builder().name("taskjob_build_info").help("Always 1; the labels name the running build")
          .labelNames("version", "java_version").register(prometheus.getPrometheusRegistry())
          .addLabelValues(build.version(), build.javaVersion());
    }
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
      Tags tags = Tags.of("namespace", namespace, TASKJOB, name);
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

  /**
   * Exposes, from {@code jobs}, the TaskJobs as the operator's informer sees them, read at each scrape:
   * {@code taskjob_job_phase{namespace,taskjob,phase}}, 1 for a job's current phase and 0 for the others,
   * so alerts and dashboards select a phase by label; {@code taskjob_job_budget_usd} (jobs with a dollar
   * budget); and {@code taskjob_job_cost_share_usd{share}} (where the cost went). Read at scrape time, they
   * are never behind the cluster and a deleted job's series go with it. Only a Prometheus registry exports them.
   */
  public void fromJobsAtScrape(Supplier<Stream<TaskJob>> jobs) {
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      prometheus.getPrometheusRegistry().register(() -> phases(jobs.get()));
      prometheus.getPrometheusRegistry().register(() -> budgets(jobs.get()));
      prometheus.getPrometheusRegistry().register(() -> costShares(jobs.get()));
    }
  }

  /**
   * {@code taskjob_job_budget_usd{namespace,taskjob}}: the job's {@code spec.budget.maxCost}, for jobs that set
   * one, so an alert can compare it with {@code taskjob_job_cost_usd}. Read at scrape time, as the phase is.
   */
  static GaugeSnapshot budgets(Stream<TaskJob> jobs) {
    GaugeSnapshot.Builder budgets = GaugeSnapshot.builder().name("taskjob_job_budget_usd")
        .help("The TaskJob's dollar budget (spec.budget.maxCost), for jobs that set one");
    jobs.forEach(job -> {
      Double maxCost = job.getSpec() == null || job.getSpec().getBudget() == null ? null
          : job.getSpec().getBudget().getMaxCost();
      if (maxCost != null) {
        budgets.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
            .labels(Labels.of("namespace", job.getMetadata().getNamespace(), TASKJOB, job.getMetadata().getName()))
            .value(maxCost).build());
      }
    });
    return budgets.build();
  }

  /** The {@code share} label values of {@code taskjob_job_cost_share_usd}, as in {@code status.costShares}. */
  public static final List<String> COST_SHARES = List.of("tasks", "boot", "idle", "drain", "interrupted");

  /**
   * {@code taskjob_job_cost_share_usd{namespace,taskjob,share}}: where the job's cost went
   * ({@code status.costShares}: the tasks' own slot time, boot, idle slots, drain, interrupted work).
   */
  static GaugeSnapshot costShares(Stream<TaskJob> jobs) {
    GaugeSnapshot.Builder shares = GaugeSnapshot.builder().name("taskjob_job_cost_share_usd")
        .help("Where the TaskJob's cost went, in USD: the tasks' own slot time, boot, idle slots, drain and"
            + " interrupted work (status.costShares)");
    jobs.forEach(job -> {
      CostShares split = job.getStatus() == null ? null : job.getStatus().getCostShares();
      if (split == null) {
        return;
      }
      Double[] values = {split.getTasks(), split.getBoot(), split.getIdle(), split.getDrain(), split.getInterrupted()};
      for (int i = 0; i < values.length; i++) {
        shares.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
            .labels(Labels.of("namespace", job.getMetadata().getNamespace(), TASKJOB, job.getMetadata().getName(),
                "share", COST_SHARES.get(i)))
            .value(values[i] == null ? 0 : values[i]).build());
      }
    });
    return shares.build();
  }

  static GaugeSnapshot phases(Stream<TaskJob> jobs) {
    GaugeSnapshot.Builder phases = GaugeSnapshot.builder().name("taskjob_job_phase")
        .help("1 for the TaskJob's current phase, 0 for the others");
    jobs.forEach(job -> {
      // No status yet: accepted, not yet reconciled, which is what Pending means.
      TaskJobPhase current = job.getStatus() == null || job.getStatus().getPhase() == null ? TaskJobPhase.PENDING
          : job.getStatus().getPhase();
      for (TaskJobPhase phase : TaskJobPhase.values()) {
        phases.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
            .labels(Labels.of("namespace", job.getMetadata().getNamespace(), TASKJOB, job.getMetadata().getName(),
                "phase", phase.displayName()))
            .value(phase == current ? 1 : 0).build());
      }
    });
    return phases.build();
  }

  public void jobGone(String namespace, String name) {
    jobs.remove(namespace + "/" + name);
    registry.getMeters().stream()
        .filter(m -> m.getId().getName().startsWith("taskjob_job_") && namespace.equals(m.getId().getTag("namespace"))
            && name.equals(m.getId().getTag(TASKJOB)))
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

  /** @param reason one of {@link #FAILURE_REASONS} */
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
