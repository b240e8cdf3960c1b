package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolPhase;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolSpec;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.cloud.ProviderAccess;
import dev.taskjob.operator.decision.ErrorClassifier;
import dev.taskjob.operator.decision.CreateRefusals;
import dev.taskjob.operator.decision.KstatusConditions;
import dev.taskjob.operator.decision.PoolPlan;
import dev.taskjob.operator.decision.ScaleIn;
import dev.taskjob.operator.metrics.OperatorMetrics;
import dev.taskjob.operator.progress.Heartbeats;
import dev.taskjob.operator.reconciler.ErrorReports;
import dev.taskjob.operator.reconciler.KubeEvents;
import dev.taskjob.operator.selection.Candidate;
import dev.taskjob.operator.selection.NoMatchingInstanceTypeException;
import dev.taskjob.operator.selection.Selection;
import dev.taskjob.operator.selection.UnavailableOfferings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an InstancePool's VMs at {@code spec.count}. Each reconcile observes (the cloud's list of the
 * pool's VMs by owner tags, the workers' reports), decides (the instance type, {@link PoolPlan}: what to
 * create, replace and remove, whether the pool gives up), acts (terminate, create) and reports (status
 * patched only when it changed). Deleting the pool terminates every VM before the finalizer goes.
 */
@ControllerConfiguration(name = InstancePoolReconciler.NAME)
public class InstancePoolReconciler implements Reconciler<InstancePool>, Cleaner<InstancePool> {

  public static final String NAME = "instancepool";
  /** Annotation holding the last launch sequence number used, so a number is never reused for a new VM. */
  public static final String LAST_LAUNCH_ANNOTATION = VmLauncher.LAST_LAUNCH_ANNOTATION;
  /** Condition type: some VM of this pool has had a worker report. */
  public static final String WORKERS_STARTED = "WorkersStarted";

  private static final Logger LOG = LoggerFactory.getLogger(InstancePoolReconciler.class);

  private final PoolServices services;
  private final PoolSelections selections;
  private final PoolObserver observer;
  private final VmLauncher launcher;
  private final PoolReport report;
  private final UnreadablePools unreadable;
  /** Crash tests: runs after VMs were created and before the status is written. */
  private volatile Runnable afterCreateHook = () -> { };

  public InstancePoolReconciler(KubernetesClient client, ProviderAccess providers, KubeEvents events,
      Heartbeats heartbeats, OperatorSettings settings, OperatorMetrics metrics, Clock clock) {
    this.services = new PoolServices(client, providers, events, heartbeats, settings, metrics, clock);
    this.selections = new PoolSelections(providers, new UnavailableOfferings(clock, settings.capacityBackoff()),
        new InterruptionRecords(client));
    this.observer = new PoolObserver(services);
    this.launcher = new VmLauncher(services, selections, new SpendAcrossPools(settings.adminCaps()));
    this.report = new PoolReport(services, observer, selections);
    this.unreadable = new UnreadablePools(services);
  }

  /** For crash tests: runs after VMs were created and before the status is written. */
  public void afterCreate(Runnable hook) {
    this.afterCreateHook = hook == null ? () -> { } : hook;
  }

  @Override
  public UpdateControl<InstancePool> reconcile(InstancePool pool, Context<InstancePool> context) {
    Instant now = services.clock().instant();
    String before = statusJson(pool);
    InstancePoolStatus status = pool.getStatus() == null ? new InstancePoolStatus() : pool.getStatus();
    pool.setStatus(status);
    if (status.getPhase() == null) {
      status.setPhase(InstancePoolPhase.PENDING);
    }
    if (context != null) {
      launcher.followPools(context.getPrimaryCache().list().toList());
    }
    boolean held = unreadable.held(pool, status, now);
    Duration next = held ? services.settings().resyncInterval() : step(pool, status, now);
    status.setObservedGeneration(pool.getMetadata().getGeneration());
    ErrorReports.healthy(pool, status.getConditions(), now);
    String phase = status.getPhase().name().charAt(0) + status.getPhase().name().substring(1).toLowerCase(Locale.ROOT);
    KstatusConditions.set(status.getConditions(), phase, status.getPhase() != InstancePoolPhase.READY,
        status.getPhase() == InstancePoolPhase.FAILED, pool.getMetadata().getGeneration(), now);
    if (held) {
      unreadable.stalled(pool, status, now);
    }
    UpdateControl<InstancePool> control = statusJson(pool).equals(before) ? UpdateControl.noUpdate()
        : UpdateControl.patchStatus(pool);
    return control.rescheduleAfter(next);
  }

  /** Observe (cloud, heartbeats), decide (type, plan), act (terminate, create), report. */
  private Duration step(InstancePool pool, InstancePoolStatus status, Instant now) {
    // observe
    ProviderConfig config = observer.providerConfig(pool);
    CloudProvider cloud = services.providers().cloud(config);
    List<Instance> vms = cloud.list(VmNaming.poolSelector(pool, services.settings().clusterId()));
    launcher.countForAdminCaps(pool, vms, config);
    if (status.getPhase() == InstancePoolPhase.FAILED) {
      return failed(pool, status, config, cloud, vms, now);
    }
    // decide
    Selection selection;
    try {
      selection = selections.selection(pool, config);
    } catch (NoMatchingInstanceTypeException e) {
      report.fail(pool, status, "NoMatchingInstanceType", e.getMessage(), now);
      launcher.terminateAll(pool, cloud, vms);
      return services.settings().resyncInterval();
    }
    PoolSelections.Choice choice = selections.choose(pool, config, now);
    selection = choice.selection();
    report.choice(pool, status, choice);
    if (status.getInstanceType() == null) {
      Candidate current = selections.usable(selection, pool.getSpec().getZones()).stream().findFirst()
          .orElse(selection.best());
      status.setInstanceType(current.typeName());
      status.setSpot(current.spot());
      status.setPricePerHour(current.pricePerHour());
      status.setFallbackTypes(selection.ranked().stream().skip(1).limit(20).map(Candidate::typeName).distinct()
          .toList());
    }
    PoolPlan.Inputs inputs = observer.planInputs(pool, status, vms, now);
    PoolPlan.Result plan = PoolPlan.plan(inputs);
    selections.interruptions().observe(pool, vms, plan.lost(), now);
    boolean workersStarted = Conditions.isTrue(status.getConditions(), WORKERS_STARTED)
        || vms.stream().anyMatch(vm -> observer.lastReport(vm, status) != null);
    if (workersStarted) {
      Conditions.set(status.getConditions(), WORKERS_STARTED, Condition.TRUE, "WorkerReported",
          "a worker of this pool has reported", PoolServices.generation(pool), now);
    }
    report.recordFailures(pool, status, plan, config.provider());
    // A VM that cannot run the job's tasks (its image, the job's startup script) fails the pool at once: every
    // replacement would boot the same way and bill for it.
    for (Instance vm : vms) {
      String startupFailure = observer.startupFailure(vm);
      if (startupFailure != null && PoolObserver.jobOwned(pool)) {
        report.fail(pool, status, "WorkerStartupFailed", "the worker on " + vm.id() + " could not start: "
            + startupFailure, now);
        return failed(pool, status, config, cloud, vms, now);
      }
    }
    long replacements = status.getReplacements() == null ? 0 : status.getReplacements();
    if (PoolObserver.jobOwned(pool) && PoolPlan.workersNeverStarted((int) replacements, workersStarted,
        services.settings().neverStartedLimit())) {
      report.fail(pool, status, "WorkersNeverStarted", "workers never started: no worker reported after "
          + replacements + " replacements; check the image/startup script", now);
      return failed(pool, status, config, cloud, vms, now);
    }
    // act
    ScaleIn.Result scaleIn = launcher.scaleIn(pool, inputs, plan, now);
    List<String> toTerminate = new ArrayList<>(plan.stillTerminating());
    plan.terminate().stream().filter(r -> r.reason() != PoolPlan.Reason.EXTRA).forEach(r -> toTerminate.add(r.id()));
    toTerminate.addAll(scaleIn.terminate());
    launcher.terminate(pool, cloud, toTerminate);
    List<String> extras = scaleIn.terminate();
    if (!extras.isEmpty()) {
      services.events().normal(pool, "InstancesRemoved", "Terminating " + extras.size()
          + " instances no longer needed: " + PoolServices.abbreviate(extras));
    }
    List<Instance> observed = new ArrayList<>(vms);
    boolean createHeld = plan.create() > 0 && now.isBefore(launcher.refusals(pool).nextCreateAt());
    if (plan.create() == 0) {
      launcher.adminCapCondition(pool, status, null, now);
    } else if (!createHeld) {
      observed.addAll(launcher.create(pool, status, cloud, selection, vms, selections.spend(vms, selection, config),
          plan.create(), now));
      CreateRefusals.State refused = launcher.refusals(pool);
      if (refused.givesUp()) {
        report.fail(pool, status, "CreateRefused", "instances cannot be created: the cloud refused "
            + refused.refusals() + " create rounds in a row: " + refused.cause(), now);
        return failed(pool, status, config, cloud, observed, now);
      }
    }
    afterCreateHook.run();
    // report
    report.report(pool, status, config, observed, now);
    countDisksWhenDraining(pool, status, cloud);
    if (plan.create() > 0 && launcher.refusals(pool).refusals() > 0) {
      // refused: look again when the backoff allows the next create, not every 2 s
      Duration wait = Duration.between(now, launcher.refusals(pool).nextCreateAt());
      return min(services.settings().resyncInterval(), wait.isNegative() ? Duration.ZERO : wait);
    }
    boolean changing = plan.create() > 0 || !toTerminate.isEmpty() || orZero(status.getPending()) > 0
        || !scaleIn.held().isEmpty();
    return changing ? min(services.settings().resyncInterval(), Duration.ofSeconds(2))
        : services.settings().resyncInterval();
  }

  /** A pool that gave up keeps terminating what is left and stays Failed. */
  private Duration failed(InstancePool pool, InstancePoolStatus status, ProviderConfig config, CloudProvider cloud,
      List<Instance> vms, Instant now) {
    launcher.terminateAll(pool, cloud, vms);
    report.report(pool, status, config, vms, now);
    countDisksWhenDraining(pool, status, cloud);
    status.setPhase(InstancePoolPhase.FAILED);
    return services.settings().resyncInterval();
  }

  /**
   * A pool scaled to zero is empty only when the cloud holds none of its disks either: a VM stopped rather
   * than deleted, or a disk left behind, still bills. Counted only then, to spare the API while it runs.
   */
  private void countDisksWhenDraining(InstancePool pool, InstancePoolStatus status, CloudProvider cloud) {
    boolean draining = pool.getSpec().getCount() == null || pool.getSpec().getCount() == 0
        || status.getPhase() == InstancePoolPhase.FAILED;
    status.setDisksLeft(draining ? cloud.disks(VmNaming.poolSelector(pool, services.settings().clusterId())).size()
        : null);
    if (status.getDisksLeft() != null && status.getDisksLeft() > 0) {
      status.setMessage(status.getMessage() + ", " + status.getDisksLeft() + " disks left");
      if (status.getPhase() == InstancePoolPhase.READY) {
        status.setPhase(InstancePoolPhase.SCALING);
      }
    }
  }

  /** Terminates every VM and keeps the finalizer until the cloud reports each one terminated. */
  @Override
  public DeleteControl cleanup(InstancePool pool, Context<InstancePool> context) {
    unreadable.forget(pool);
    if (pool.getSpec().getProvider() == null) {
      // An unreadable provider was never acted on (provider is immutable): this operator made no VMs for it.
      return DeleteControl.defaultDelete();
    }
    ProviderConfig config;
    try {
      config = observer.providerConfig(pool);
    } catch (ProviderAccess.MissingSecretException e) {
      InstancePoolSpec spec = pool.getSpec();
      config = services.providers().config(pool.getMetadata().getNamespace(), spec.getProvider().id(),
          spec.getRegion(), spec.getZones(), spec.getProject(), null);
    }
    CloudProvider cloud = services.providers().cloud(config);
    List<Instance> vms = cloud.list(VmNaming.poolSelector(pool, services.settings().clusterId()));
    List<Instance> left = vms.stream().filter(vm -> vm.state() != InstanceState.TERMINATED).toList();
    launcher.countForAdminCaps(pool, left, config);
    if (!left.isEmpty()) {
      launcher.terminateAll(pool, cloud, left);
      LOG.info("pool {}: deleting, waiting for {} instances to terminate", PoolServices.name(pool), left.size());
      return DeleteControl.noFinalizerRemoval()
          .rescheduleAfter(min(services.settings().resyncInterval(), Duration.ofSeconds(2)).toMillis());
    }
    services.terminationRequested().remove(pool.getMetadata().getUid());
    launcher.forget(pool);
    selections.forget(pool);
    vms.forEach(vm -> {
      services.heartbeats().forget(vm.id());
      if (vm.name() != null) {
        services.heartbeats().forget(vm.name());
      }
    });
    services.metrics().poolGone(pool.getMetadata().getNamespace(), pool.getMetadata().getName());
    LOG.info("pool {}: deleted, every instance terminated", PoolServices.name(pool));
    return DeleteControl.defaultDelete();
  }

  /** A failed reconcile, judged once by {@link ErrorClassifier}: Degraded, an Event, retry or not. */
  @Override
  public ErrorStatusUpdateControl<InstancePool> updateErrorStatus(InstancePool pool, Context<InstancePool> context,
      Exception e) {
    InstancePoolStatus status = pool.getStatus() == null ? new InstancePoolStatus() : pool.getStatus();
    pool.setStatus(status);
    ErrorClassifier.Classified error = ErrorClassifier.classify(e);
    ErrorReports.degraded(pool, status.getConditions(), error, services.events(), services.clock().instant());
    status.setMessage(error.message());
    LOG.warn("pool {}: reconcile failed ({}), {}: {}", PoolServices.name(pool), error.kind(),
        error.kind().retried() ? "will retry" : "not retried until looked at again", e.toString());
    return ErrorReports.control(pool, error);
  }

  /** Stops the create threads (operator shutdown). */
  public void shutdown() {
    launcher.shutdown();
  }

  private static String statusJson(InstancePool pool) {
    return pool.getStatus() == null ? "" : Json.MAPPER.valueToTree(pool.getStatus()).toString();
  }

  private static int orZero(Integer v) {
    return v == null ? 0 : v;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
