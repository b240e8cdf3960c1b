package dev.taskjob.operator;

import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.operator.cloud.ProviderAccess;
import dev.taskjob.operator.metrics.OperatorMetrics;
import dev.taskjob.operator.progress.Heartbeats;
import dev.taskjob.operator.reconciler.ControllerPolicy;
import dev.taskjob.operator.reconciler.KubeEvents;
import dev.taskjob.operator.reconciler.OrphanSweeper;
import dev.taskjob.operator.reconciler.job.TaskJobReconciler;
import dev.taskjob.operator.reconciler.pool.InstancePoolReconciler;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationService;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The operator: JOSDK running the TaskJob and InstancePool reconcilers (both with the retry and
 * maximum reconciliation interval of {@link ControllerPolicy}), plus the orphan sweep on a timer, which
 * runs only while this process leads (with leader election off, the single process always leads).
 * Used by {@code taskjob operator} and by tests, which pass a client for a mock API server.
 */
public final class TaskjobOperator implements AutoCloseable {

  private final Operator operator;
  private final TaskJobReconciler jobs;
  private final InstancePoolReconciler pools;
  private final OrphanSweeper sweeper;
  private final ProviderAccess providers;
  private final OperatorSettings settings;
  private final AtomicBoolean leading;
  private ScheduledExecutorService timer;

  /**
   * @param modules provider modules by name (normally every module on the class path)
   * @param josdk further JOSDK settings (leader election, metrics); applied after the client
   */
  public TaskjobOperator(KubernetesClient client, OperatorSettings settings, Map<String, ProviderModule> modules,
      OperatorMetrics metrics, Consumer<ConfigurationServiceOverrider> josdk) {
    Clock clock = Clock.systemUTC();
    this.settings = settings;
    this.providers = new ProviderAccess(modules, settings.providerProperties(), client, clock);
    KubeEvents events = new KubeEvents(client, clock);
    Heartbeats heartbeats = new Heartbeats();
    this.jobs = new TaskJobReconciler(client, providers, events, heartbeats, settings, metrics, clock);
    this.pools = new InstancePoolReconciler(client, providers, events, heartbeats, settings, metrics, clock);
    this.sweeper = new OrphanSweeper(client, providers, settings, metrics, clock);
    // Read the leader election the caller configures, to run the sweep only while this process leads.
    Optional<LeaderElectionConfiguration> election = ConfigurationService.newOverriddenConfigurationService(josdk)
        .getLeaderElectionConfiguration();
    this.leading = new AtomicBoolean(election.isEmpty());
    this.operator = new Operator(o -> {
      o.withKubernetesClient(client).withUseSSAToPatchPrimaryResource(false).withCloseClientOnStop(false);
      josdk.accept(o);
      election.ifPresent(e -> o.withLeaderElectionConfiguration(trackingLeadership(e, leading)));
    });
    operator.register(jobs, this::configure);
    operator.register(pools, this::configure);
  }

  public TaskjobOperator(KubernetesClient client, OperatorSettings settings, OperatorMetrics metrics) {
    this(client, settings, Providers.available(), metrics, o -> { });
  }

  /** The same election, with callbacks that also record whether this process leads. */
  private static LeaderElectionConfiguration trackingLeadership(LeaderElectionConfiguration e, AtomicBoolean leading) {
    Optional<LeaderCallbacks> theirs = e.getLeaderCallbacks();
    LeaderCallbacks callbacks = new LeaderCallbacks(() -> {
      leading.set(true);
      theirs.ifPresent(LeaderCallbacks::onStartLeading);
    }, () -> {
      leading.set(false);
      theirs.ifPresent(LeaderCallbacks::onStopLeading);
    }, leader -> theirs.ifPresent(c -> c.onNewLeader(leader)));
    return new LeaderElectionConfiguration(e.getLeaseName(), e.getLeaseNamespace().orElse(null), e.getLeaseDuration(),
        e.getRenewDeadline(), e.getRetryPeriod(), e.getIdentity().orElse(null), callbacks, e.isExitOnStopLeading());
  }

  /** Whether this process leads, so runs the orphan sweep. */
  public boolean leading() {
    return leading.get();
  }

  private <R extends io.fabric8.kubernetes.api.model.HasMetadata> void configure(
      ControllerConfigurationOverrider<R> o) {
    o.withRetry(ControllerPolicy.retry());
    o.withReconciliationMaxInterval(ControllerPolicy.MAX_RECONCILIATION_INTERVAL);
    if (settings.namespaces().isEmpty()) {
      o.watchingAllNamespaces();
    } else {
      o.settingNamespaces(settings.namespaces());
    }
  }

  public void start() {
    operator.start();
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "orphan-sweep");
      t.setDaemon(true);
      return t;
    });
    long every = settings.sweepInterval().toMillis();
    timer.scheduleWithFixedDelay(() -> {
      if (leading.get()) {
        sweeper.run();
      }
    }, every, every, TimeUnit.MILLISECONDS);
  }

  public Operator josdk() {
    return operator;
  }

  public InstancePoolReconciler pools() {
    return pools;
  }

  public OrphanSweeper sweeper() {
    return sweeper;
  }

  public ProviderAccess providers() {
    return providers;
  }

  /** Stops reconciling; job event consumers save their ledgers. VMs and queues are left as they are. */
  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
    operator.stop();
    jobs.shutdown();
    pools.shutdown();
    providers.close();
  }
}
