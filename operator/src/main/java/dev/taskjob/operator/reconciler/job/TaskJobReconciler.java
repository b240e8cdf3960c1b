package dev.taskjob.operator.reconciler.job;

import dev.taskjob.core.Json;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.cloud.ProviderAccess;
import dev.taskjob.operator.decision.ErrorClassifier;
import dev.taskjob.operator.decision.JobTransitions;
import dev.taskjob.operator.metrics.OperatorMetrics;
import dev.taskjob.operator.progress.Heartbeats;
import dev.taskjob.operator.progress.JobProgress;
import dev.taskjob.operator.decision.KstatusConditions;
import dev.taskjob.operator.reconciler.ErrorReports;
import dev.taskjob.operator.reconciler.KubeEvents;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a TaskJob from apply to a finished, torn-down job. Each reconcile observes (the job, its pool
 * from the informer, its runtime's progress), decides and acts by phase (start, load, size the pool,
 * drain, finish), and reports (status patched only when it changed). Task events are read by a
 * per-job {@link EventConsumer} thread, never inside a reconcile. See docs/architecture.md.
 */
@ControllerConfiguration(name = TaskJobReconciler.NAME)
public class TaskJobReconciler implements Reconciler<TaskJob>, Cleaner<TaskJob> {

  public static final String NAME = "taskjob";
  /** Condition type set while changes to fields that cannot change are being ignored. */
  public static final String SPEC_CHANGE_REFUSED = JobRuntimes.SPEC_CHANGE_REFUSED;

  private static final Logger LOG = LoggerFactory.getLogger(TaskJobReconciler.class);

  private final JobServices services;
  private final JobRuntimes runtimes;
  private final JobStart start;
  private final JobLoading loading;
  private final JobPools pools;
  private final JobPilot pilot;
  private final JobRightSizing rightSizing;
  private final JobHedging hedging;
  private final JobReport report;
  private final JobDrain drain;
  private final JobCleanup cleanup;

  public TaskJobReconciler(KubernetesClient client, ProviderAccess providers, KubeEvents events, Heartbeats heartbeats,
      OperatorSettings settings, OperatorMetrics metrics, Clock clock) {
    this.services = new JobServices(client, providers, new LedgerStore(client), events, heartbeats, settings, metrics,
        clock, new SimpleInboundEventSource<>("job-progress"));
    this.runtimes = new JobRuntimes(services);
    this.start = new JobStart(services, runtimes);
    this.loading = new JobLoading(services, runtimes);
    this.pools = new JobPools(services);
    this.pilot = new JobPilot(services);
    this.rightSizing = new JobRightSizing(services);
    this.hedging = new JobHedging(services, runtimes);
    this.report = new JobReport(metrics);
    this.drain = new JobDrain(services, runtimes, pools, report);
    this.cleanup = new JobCleanup(services, runtimes, pools);
  }

  @Override
  public List<EventSource<?, TaskJob>> prepareEventSources(EventSourceContext<TaskJob> context) {
    InformerEventSource<InstancePool, TaskJob> poolInformer = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(InstancePool.class, TaskJob.class)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(TaskJob.class))
            .build(),
        context);
    return List.of(poolInformer, services.progressEvents());
  }

  @Override
  public UpdateControl<TaskJob> reconcile(TaskJob job, Context<TaskJob> context) {
    Instant now = services.clock().instant();
    String before = statusJson(job);
    TaskJobStatus status = job.getStatus() == null ? new TaskJobStatus() : job.getStatus();
    job.setStatus(status);
    if (status.getPhase() == null) {
      status.setPhase(TaskJobPhase.PENDING);
    }
    Duration next;
    TaskJobStatus finishedStatus = runtimes.finishedHere(job);
    if (finishedStatus != null && !status.getPhase().isFinished()) {
      // Writing the finished status again is harmless when the cache merely lags, and the only way to
      // recover a lost write (a conflict, an API outage): the runtime that finished the job is gone.
      status = Json.MAPPER.convertValue(finishedStatus, TaskJobStatus.class);
      job.setStatus(status);
      next = Duration.ofSeconds(1);
    } else {
      next = step(job, context, status, now);
    }
    status.setObservedGeneration(job.getMetadata().getGeneration());
    ErrorReports.healthy(job, status.getConditions(), now);
    // a priced dry run rests until its spec changes, as a suspended job does
    boolean inProgress = status.getPhase().inProgress() && !JobDryRun.planned(job, status);
    KstatusConditions.set(status.getConditions(), status.getPhase().displayName(), inProgress,
        status.getPhase() == TaskJobPhase.FAILED, job.getMetadata().getGeneration(), now);
    UpdateControl<TaskJob> control = statusJson(job).equals(before) ? UpdateControl.noUpdate()
        : UpdateControl.patchStatus(job);
    return next == null ? control : control.rescheduleAfter(next);
  }

  /** One step of the job's life, by phase: observe, decide and act, report. @return when to look next */
  private Duration step(TaskJob job, Context<TaskJob> context, TaskJobStatus status, Instant now) {
    if (status.getQueueName() == null) {
      return start.start(job, status, now);
    }
    if (status.getPhase().isFinished()) {
      return drain.finished(job, status, now);
    }
    // observe
    JobRuntime runtime = runtimes.get(job, status, now, () -> pools.gone(job));
    TaskJobSpec spec = runtimes.effectiveSpec(job, status, runtime, now);
    InstancePool pool = context.getSecondaryResource(InstancePool.class).orElse(null);
    // decide and act
    switch (JobTransitions.suspension(status.getPhase(), spec.suspended())) {
      case SUSPEND -> services.record(job, JobTransitions.suspend(status, job.getMetadata().getGeneration(), now));
      case RESUME -> services.record(job, JobTransitions.resume(status, job.getMetadata().getGeneration(), now));
      case NONE -> { }
    }
    if (status.getPhase() == TaskJobPhase.SUSPENDED) {
      loading.pause(job, status, runtime, now);
      report.report(job, status, runtime, runtime.progress.snapshot(now), pool, now);
      pools.suspend(job, pool);
      return services.settings().resyncInterval();
    }
    if (status.getPhase() == TaskJobPhase.LOADING) {
      loading.load(job, status, runtime, now);
    }
    JobProgress.Snapshot progress = runtime.progress.snapshot(now);
    report.report(job, status, runtime, progress, pool, now);
    if (status.getPhase() == TaskJobPhase.LOADING || status.getPhase() == TaskJobPhase.RUNNING) {
      Integer pilotCap = pilot.observe(job, spec, status, runtime, progress, now);
      pool = rightSizing.apply(job, spec, status, runtime, pool);
      pool = pools.ensure(job, spec, status, runtime, progress, pool, pilotCap, now);
      pools.checkFailure(job, status, pool, now);
    }
    if (status.getPhase() == TaskJobPhase.RUNNING) {
      hedging.hedge(job, spec, status, runtime, pool, now);
      drain.decide(job, spec, status, runtime, progress, now);
    }
    if (status.getPhase() == TaskJobPhase.DRAINING) {
      return drain.drain(job, spec, status, runtime, pool, now);
    }
    return services.settings().resyncInterval();
  }

  @Override
  public DeleteControl cleanup(TaskJob job, Context<TaskJob> context) {
    return cleanup.cleanup(job);
  }

  /**
   * A failed reconcile, judged once by {@link ErrorClassifier}: Degraded and an Event for every error;
   * an error that can never pass fails the job, which then drains so nothing is left behind.
   */
  @Override
  public ErrorStatusUpdateControl<TaskJob> updateErrorStatus(TaskJob job, Context<TaskJob> context, Exception e) {
    TaskJobStatus status = job.getStatus() == null ? new TaskJobStatus() : job.getStatus();
    job.setStatus(status);
    Instant now = services.clock().instant();
    ErrorClassifier.Classified error = ErrorClassifier.classify(e);
    if (error.kind() == ErrorClassifier.Kind.PERMANENT && status.getQueueName() != null
        && !status.getPhase().isFinished()) {
      for (JobTransitions.Notice n : JobTransitions.failAndDrain(status, error.reason(), error.message(),
          job.getMetadata().getGeneration(), now)) {
        services.record(job, n);
      }
      return ErrorStatusUpdateControl.patchStatus(job).withNoRetry()
          .rescheduleAfter(services.settings().resyncInterval());
    }
    ErrorReports.degraded(job, status.getConditions(), error, services.events(), now);
    LOG.warn("job {}: reconcile failed ({}), {}: {}", JobServices.name(job), error.kind(),
        error.kind().retried() ? "will retry" : "not retried until looked at again", e.toString());
    return ErrorReports.control(job, error);
  }

  /** Stops every job's consumer and saves its ledger (operator shutdown). */
  public void shutdown() {
    runtimes.closeAll();
  }

  private static String statusJson(TaskJob job) {
    return job.getStatus() == null ? "" : Json.MAPPER.valueToTree(job.getStatus()).toString();
  }
}
