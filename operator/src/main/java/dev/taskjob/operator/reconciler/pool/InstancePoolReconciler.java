package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolPhase;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.crds.v1alpha1.shared.Condition;
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
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an InstancePool's VMs at {@code spec.count}. Each reconcile observes (the pool's VMs as {@link VmStates}
 * last listed them by owner tags, the workers' reports), decides (the instance type, {@link PoolPlan}: what to
 * create, replace and remove, whether the pool gives up), acts (terminates, stop notices, disk calls and a
 * create round submitted, not awaited) and reports (finished rounds and refused terminates; status patched
 * only when it changed). No VM, disk or notice call runs on the reconcile thread; the answers wake the pool
 * ({@link CloudCalls}). Deleting the pool terminates every VM first.
 */
@ControllerConfiguration(name = InstancePoolReconciler.NAME)
public class InstancePoolReconciler implements Reconciler<InstancePool>, Cleaner<InstancePool> {

  public static final String NAME = "instancepool";
  /** Annotation holding the last launch sequence number used, so a number is never reused for a new VM. */
  public static final String LAST_LAUNCH_ANNOTATION = VmLauncher.LAST_LAUNCH_ANNOTATION;
  /** Condition type: some VM of this pool has had a worker report. */
  public static final String WORKERS_STARTED = "WorkersStarted";

  /** How soon a pool that is changing (or waits for its first list) looks again when nothing wakes it. */
  private static final Duration BUSY_LOOK = Duration.ofSeconds(2);
  /** The soonest a timeout brings the next look: a deadline a few milliseconds away waits this long. */
  private static final Duration MIN_LOOK = Duration.ofMillis(200);
  private static final Logger LOG = LoggerFactory.getLogger(InstancePoolReconciler.class);

  private final PoolServices services;
  private final PoolSelections selections;
  private final PoolObserver observer;
  private final VmLauncher launcher;
  private final CloudCalls calls;
  private final VmStates vmStates;
  private final SimpleInboundEventSource<InstancePool> wakes = new SimpleInboundEventSource<>("pool-vms");
  private final PoolReport report;
  private final PoolDisks disks;
  private final Terminations terminations;
  private final StopNotices stopNotices;
  private final PoolDeletion deletion;
  private final UnreadablePools unreadable;
  private final WrittenStatuses writtenStatuses = new WrittenStatuses();
  /** Crash tests: runs after VMs were created and before the status is written. */
  private volatile Runnable afterCreateHook = () -> { };

  public InstancePoolReconciler(KubernetesClient client, ProviderAccess providers, KubeEvents events,
      Heartbeats heartbeats, OperatorSettings settings, OperatorMetrics metrics, Clock clock) {
    this(client, providers, events, heartbeats, settings, metrics, clock, CloudCalls.threads(settings));
  }

  /**
   * With the cloud's list and create calls run by {@code cloudCalls} and no timer: a caller that runs them
   * at once sees each reconcile list and create as it goes.
   */
  public InstancePoolReconciler(KubernetesClient client, ProviderAccess providers, KubeEvents events,
      Heartbeats heartbeats, OperatorSettings settings, OperatorMetrics metrics, Clock clock, Executor cloudCalls) {
    this(client, providers, events, heartbeats, settings, metrics, clock, CloudCalls.using(cloudCalls));
  }

  private InstancePoolReconciler(KubernetesClient client, ProviderAccess providers, KubeEvents events,
      Heartbeats heartbeats, OperatorSettings settings, OperatorMetrics metrics, Clock clock, CloudCalls calls) {
    this.services = new PoolServices(client, providers, events, heartbeats, settings, metrics, clock);
    this.selections = new PoolSelections(providers, new UnavailableOfferings(clock, settings.capacityBackoff()),
        new InterruptionRecords(client));
    this.calls = calls;
    // a look finding the listing older than a busy pool's look asks for a new one; the timer lists all pools
    this.vmStates = new VmStates(calls.lists(), clock, min(settings.resyncInterval(), BUSY_LOOK),
        wakes::propagateEvent);
    this.observer = new PoolObserver(services, vmStates);
    this.launcher = new VmLauncher(services, selections, new SpendAcrossPools(settings.adminCaps()), calls.creates(),
        vmStates, wakes::propagateEvent);
    this.report = new PoolReport(services, observer, selections);
    this.disks = new PoolDisks(services, calls.changes(), wakes::propagateEvent);
    this.terminations = new Terminations(services, calls.changes(), vmStates, wakes::propagateEvent);
    this.stopNotices = new StopNotices(services, calls.changes());
    this.deletion = new PoolDeletion(services, observer, selections, launcher, terminations, vmStates, disks);
    this.unreadable = new UnreadablePools(services);
    heartbeats.onNews(vm -> vmStates.poolOf(vm).ifPresent(wakes::propagateEvent));
    calls.every(settings.resyncInterval(), vmStates::refreshAll);
  }

  /** Wakes a pool when its VMs' states change, a create round finishes or a worker has news. */
  @Override
  public List<EventSource<?, InstancePool>> prepareEventSources(EventSourceContext<InstancePool> context) {
    return List.of(wakes);
  }

  /** For crash tests: runs after VMs were created and before the status is written. */
  public void afterCreate(Runnable hook) {
    this.afterCreateHook = hook == null ? () -> { } : hook;
  }

  @Override
  public UpdateControl<InstancePool> reconcile(InstancePool pool, Context<InstancePool> context) {
    Instant now = services.clock().instant();
    String before = statusJson(pool);
    // the informer may not show this process's last status write yet: look with that write
    InstancePoolStatus status = writtenStatuses.current(pool,
        pool.getStatus() == null ? new InstancePoolStatus() : pool.getStatus());
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
    boolean changed = !statusJson(pool).equals(before);
    writtenStatuses.remember(pool, status, changed);
    UpdateControl<InstancePool> control = changed ? UpdateControl.patchStatus(pool) : UpdateControl.noUpdate();
    return control.rescheduleAfter(next);
  }

  /** Observe (VM listing, heartbeats), decide (type, plan), act (terminate, create), report. */
  private Duration step(InstancePool pool, InstancePoolStatus status, Instant now) {
    // observe: a create round's VMs are in the listing once it is no longer in flight, so ask first
    ProviderConfig config = observer.providerConfig(pool);
    CloudProvider cloud = services.providers().cloud(config);
    boolean creating = launcher.creating(pool);
    Optional<VmStates.Listing> listing = observer.listing(pool, cloud);
    if (listing.isEmpty()) {
      return BUSY_LOOK; // the first list wakes the pool when it answers
    }
    List<Instance> vms = listing.get().vms();
    if (!creating) {
      launcher.countForAdminCaps(pool, vms, config); // in flight, the round's reservations count instead
    }
    if (status.getPhase() == InstancePoolPhase.FAILED) {
      return failed(pool, status, config, cloud, vms, now);
    }
    // decide
    Selection selection;
    try {
      selection = selections.selection(pool, config);
    } catch (NoMatchingInstanceTypeException e) {
      report.fail(pool, status, "NoMatchingInstanceType", e.getMessage(), now);
      terminations.terminateAll(pool, cloud, vms, "the pool failed: no instance type matches");
      return services.settings().resyncInterval();
    }
    PoolSelections.Choice choice = selections.choose(pool, config, now);
    selection = choice.selection();
    report.choice(pool, status, choice);
    selections.firstType(status, selection, pool.getSpec().getZones());
    PoolPlan.Inputs inputs = observer.planInputs(pool, status, vms, now);
    PoolPlan.Result plan = PoolPlan.plan(inputs);
    selections.interruptions().observe(pool, vms, plan.lost(), now);
    report.recordFailures(pool, status, plan, config.provider());
    if (report.workersFailed(pool, status, vms, now)) {
      return failed(pool, status, config, cloud, vms, now);
    }
    // act
    ScaleIn.Result scaleIn = launcher.scaleIn(pool, inputs, plan, now);
    List<String> toTerminate = terminations.remove(pool, cloud, plan, scaleIn, stopNotices);
    boolean createHeld = creating || plan.create() > 0 && now.isBefore(launcher.refusals(pool).nextCreateAt());
    if (plan.create() == 0 && !creating) {
      launcher.adminCapCondition(pool, status, null, now);
    } else if (!createHeld) {
      launcher.launch(pool, cloud, selection, vms, selections.spend(vms, selection, config), plan.create());
    }
    // report, with the create rounds finished by now
    boolean created = launcher.collect(pool, status, now);
    List<Instance> observed = vmStates.cached(pool).map(VmStates.Listing::vms).orElse(vms);
    CreateRefusals.State refused = launcher.refusals(pool);
    if (refused.givesUp()) {
      report.fail(pool, status, "CreateRefused", "instances cannot be created: the cloud refused "
          + refused.refusals() + " create rounds in a row: " + refused.cause(), now);
      return failed(pool, status, config, cloud, observed, now);
    }
    if (created) {
      afterCreateHook.run();
    }
    report.report(pool, status, config, observed, now);
    terminations.report(pool, status);
    disks.empty(pool, status, cloud, vms);
    if (plan.create() > 0 && launcher.refusals(pool).refusals() > 0) {
      // refused: look again when the backoff allows the next create, not every 2 s
      Duration wait = Duration.between(now, launcher.refusals(pool).nextCreateAt());
      return min(services.settings().resyncInterval(), wait.isNegative() ? Duration.ZERO : wait);
    }
    boolean changing = plan.create() > 0 || !toTerminate.isEmpty() || orZero(status.getPending()) > 0
        || !scaleIn.held().isEmpty();
    Duration next = changing ? min(services.settings().resyncInterval(), BUSY_LOOK)
        : services.settings().resyncInterval();
    // a VM whose worker goes silent is replaced when its timeout passes, not at the next periodic look
    return PoolPlan.nextTimeout(inputs).map(at -> Duration.between(now, at)).filter(d -> d.compareTo(next) < 0)
        .map(d -> d.compareTo(MIN_LOOK) < 0 ? MIN_LOOK : d).orElse(next);
  }

  /** A pool that gave up keeps terminating what is left and stays Failed. */
  private Duration failed(InstancePool pool, InstancePoolStatus status, ProviderConfig config, CloudProvider cloud,
      List<Instance> vms, Instant now) {
    terminations.terminateAll(pool, cloud, vms, "the pool failed: " + status.getMessage());
    report.report(pool, status, config, vms, now);
    terminations.report(pool, status);
    disks.empty(pool, status, cloud, vms);
    status.setPhase(InstancePoolPhase.FAILED);
    return services.settings().resyncInterval();
  }

  /** Keeps the finalizer until the cloud lists every VM terminated and none of the pool's disks. */
  @Override
  public DeleteControl cleanup(InstancePool pool, Context<InstancePool> context) {
    unreadable.forget(pool);
    writtenStatuses.forget(pool);
    if (pool.getSpec().getProvider() == null) {
      // An unreadable provider was never acted on (provider is immutable): this operator made no VMs for it.
      return DeleteControl.defaultDelete();
    }
    return deletion.cleanup(pool);
  }

  /** A failed reconcile, judged once by {@link ErrorClassifier}: Degraded, an Event, retry or not. */
  @Override
  public ErrorStatusUpdateControl<InstancePool> updateErrorStatus(InstancePool pool, Context<InstancePool> context,
      Exception e) {
    // JOSDK hands this the object the failed look worked on: its status is that look's, written here
    InstancePoolStatus status = pool.getStatus() == null ? new InstancePoolStatus() : pool.getStatus();
    pool.setStatus(status);
    ErrorClassifier.Classified error = ErrorClassifier.classify(e);
    ErrorReports.degraded(pool, status.getConditions(), error, services.events(), services.clock().instant());
    status.setMessage(error.message());
    writtenStatuses.remember(pool, status, true);
    LOG.warn("pool {}: reconcile failed ({}), {}: {}", PoolServices.name(pool), error.kind(),
        error.kind().retried() ? "will retry" : "not retried until looked at again", e.toString());
    return ErrorReports.control(pool, error);
  }

  /** Stops the cloud-call threads (operator shutdown). */
  public void shutdown() {
    calls.shutdown();
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
