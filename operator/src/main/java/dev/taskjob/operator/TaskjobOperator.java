package dev.taskjob.operator;

import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.operator.cloud.ProviderAccess;
import dev.taskjob.operator.metrics.OperatorMetrics;
import dev.taskjob.operator.progress.Heartbeats;
import dev.taskjob.operator.reconciler.InstancePoolReconciler;
import dev.taskjob.operator.reconciler.KubeEvents;
import dev.taskjob.operator.reconciler.OrphanSweeper;
import dev.taskjob.operator.reconciler.TaskJobReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The operator: JOSDK running the TaskJob and InstancePool reconcilers, plus the orphan sweep on a
 * timer. Used by {@code taskjob operator} and by tests, which pass a client for a mock API server.
 */
public final class TaskjobOperator implements AutoCloseable {

  private final Operator operator;
  private final TaskJobReconciler jobs;
  private final InstancePoolReconciler pools;
  private final OrphanSweeper sweeper;
  private final ProviderAccess providers;
  private final OperatorSettings settings;
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
    this.operator = new Operator(o -> {
      o.withKubernetesClient(client).withUseSSAToPatchPrimaryResource(false).withCloseClientOnStop(false);
      josdk.accept(o);
    });
    operator.register(jobs, this::namespaces);
    operator.register(pools, this::namespaces);
  }

  public TaskjobOperator(KubernetesClient client, OperatorSettings settings, OperatorMetrics metrics) {
    this(client, settings, Providers.available(), metrics, o -> { });
  }

  private <R extends io.fabric8.kubernetes.api.model.HasMetadata> void namespaces(
      ControllerConfigurationOverrider<R> o) {
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
    timer.scheduleWithFixedDelay(sweeper, every, every, TimeUnit.MILLISECONDS);
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
