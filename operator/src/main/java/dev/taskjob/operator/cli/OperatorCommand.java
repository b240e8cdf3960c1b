package dev.taskjob.operator.cli;

import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.crds.v1alpha1.shared.Durations;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.TaskjobOperator;
import dev.taskjob.operator.metrics.InformerCaches;
import dev.taskjob.operator.metrics.OperatorMetrics;
import dev.taskjob.operator.validation.InformerSettings;
import dev.taskjob.operator.validation.TaskJobValidator;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code taskjob operator}: runs the TaskJob and InstancePool controllers against the current
 * kubeconfig or the in-cluster service account, with leader election on a Lease, HTTP health probes
 * and Prometheus metrics. The default command of the operator image.
 */
@Command(
    name = "operator",
    mixinStandardHelpOptions = true,
    description = {
        "Runs the TaskJob and InstancePool controllers against the current kubeconfig or in-cluster config.",
        "Probes: /livez, /readyz, /startupz on --health-port. Metrics: /metrics on --metrics-port (own port and address)."
    })
public final class OperatorCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(OperatorCommand.class);

  @Option(names = {"-n", "--namespace"}, split = ",", paramLabel = "NS",
      defaultValue = "${env:TASKJOB_WATCH_NAMESPACES}",
      description = "Namespaces to watch (repeat or comma-separate). Default: all namespaces. Env: TASKJOB_WATCH_NAMESPACES.")
  List<String> namespaces;

  @Option(names = "--cluster-id", defaultValue = "${env:TASKJOB_CLUSTER_ID}",
      description = "Identifies this installation in VM owner tags (lower case, digits, '-'). Default: the uid of "
          + "the kube-system namespace. Env: TASKJOB_CLUSTER_ID.")
  String clusterId;

  @Option(names = "--kubeconfig", description = "Kubeconfig file. Default: KUBECONFIG, ~/.kube/config, or in-cluster.")
  Path kubeconfig;

  @Option(names = "--leader-election", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Run only while holding the Lease (default: true; use --no-leader-election for one replica in tests).")
  boolean leaderElection;

  @Option(names = "--lease-name", defaultValue = "taskjob-operator", description = "Lease used for leader election.")
  String leaseName;

  @Option(names = "--lease-namespace", defaultValue = "${env:POD_NAMESPACE}",
      description = "Namespace of the Lease. Default: POD_NAMESPACE, else the client's namespace.")
  String leaseNamespace;

  @Option(names = "--health-port", defaultValue = "8081", description = "Port of /livez, /readyz, /startupz (default 8081).")
  int healthPort;

  @Option(names = "--metrics-port", defaultValue = "8080", description = "Port of /metrics (default 8080).")
  int metricsPort;

  @Option(names = "--bind-address", defaultValue = "0.0.0.0", description = "Address the probes listen on.")
  String bindAddress;

  @Option(names = "--metrics-bind-address", defaultValue = "127.0.0.1",
      description = "Address /metrics listens on (default 127.0.0.1: this machine only; the Deployment sets 0.0.0.0 "
          + "and a NetworkPolicy admits only scrapers).")
  String metricsBindAddress;

  @Option(names = "--provider-property", paramLabel = "KEY=VALUE",
      description = "A provider setting for every job, e.g. aws.endpoint=http://... or local.root=/data (repeatable).")
  Map<String, String> providerProperties = new LinkedHashMap<>();

  @Option(names = "--allow-local-provider", defaultValue = "false",
      description = "Development only: also run jobs with provider local, as worker processes inside this operator. "
          + "Off by default: in a cluster those processes would run any command with the operator's identity. "
          + "Only the full CLI jar (taskjob.jar) has the local provider; the operator image refuses this option.")
  boolean allowLocalProvider;

  @Option(names = "--resync-interval", defaultValue = "15s", description = "How often running jobs and pools are looked at.")
  String resyncInterval;

  @Option(names = "--sweep-interval", defaultValue = "5m", description = "How often orphaned VMs are looked for.")
  String sweepInterval;

  @Option(names = "--sweep-grace-period", defaultValue = "10m", description = "VMs younger than this are never swept.")
  String sweepGrace;

  @Option(names = "--sweep-location", paramLabel = "PROVIDER:REGION[:PROJECT]",
      description = "A cloud location to sweep for orphaned VMs even when no pool uses it now (repeatable), "
          + "e.g. aws:us-east-1 or gcp:us-central1:my-project.")
  List<String> sweepLocations = new java.util.ArrayList<>();

  @Option(names = "--log-format", defaultValue = "${env:TASKJOB_LOG_FORMAT:-text}",
      description = "text or json (one JSON object per line). Env: TASKJOB_LOG_FORMAT.")
  Logs.Format logFormat;

  @Option(names = "--log-level", defaultValue = "${env:TASKJOB_LOG_LEVEL:-info}", description = "Root log level.")
  String logLevel;

  /** Why {@code --allow-local-provider} is refused by a build without the local provider (the operator image). */
  static final String LOCAL_PROVIDER_MISSING = "--allow-local-provider: this build has no local provider (the operator "
      + "image and taskjob-operator.jar leave it and local mode out); run a development operator from the full CLI "
      + "jar instead: java -jar operator/target/taskjob.jar operator --allow-local-provider";

  @CommandLine.Mixin
  AdminCapOptions caps = new AdminCapOptions();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean leading = new AtomicBoolean();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final java.util.concurrent.atomic.AtomicReference<Runnable> shutdown =
      new java.util.concurrent.atomic.AtomicReference<>();

  @Override
  public Integer call() throws Exception {
    if (clusterId != null && !clusterId.isBlank() && !clusterId.matches(OperatorSettings.CLUSTER_ID_PATTERN)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--cluster-id '" + clusterId
          + "': use 1-63 lower-case letters, digits, '-' or '_' (it becomes a VM tag and label)");
    }
    if (metricsPort == healthPort) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--metrics-port " + metricsPort
          + ": must differ from --health-port, so that scrapers and probes can be admitted separately");
    }
    Map<String, ProviderModule> available = Providers.available();
    if (allowLocalProvider && !available.containsKey(TaskJobValidator.LOCAL_PROVIDER)) {
      throw new CommandLine.ParameterException(spec.commandLine(), LOCAL_PROVIDER_MISSING);
    }
    Logs.configure(logFormat, logLevel);
    KubernetesClient client = new KubernetesClientBuilder().withConfig(clientConfig()).build();
    String cluster = clusterId != null && !clusterId.isBlank() ? clusterId : clusterIdFromKubeSystem(client);
    Set<String> watched = new LinkedHashSet<>();
    if (namespaces != null) {
      namespaces.stream().map(String::trim).filter(s -> !s.isEmpty()).forEach(watched::add);
    }
    OperatorSettings settings = withIntervals(OperatorSettings.defaults(cluster).withNamespaces(watched)
        .withProviderProperties(providerProperties)).withAdminCaps(caps.caps(spec.commandLine()));

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    String leaseNs = leaseNamespace != null && !leaseNamespace.isBlank() ? leaseNamespace : client.getNamespace();

    OperatorMetrics operatorMetrics = new OperatorMetrics(registry);
    Map<String, ProviderModule> modules = providerModules(available, allowLocalProvider);
    TaskjobOperator operator = new TaskjobOperator(client, settings, modules, operatorMetrics,
        o -> {
          o.withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry));
          InformerSettings.neverExitOnInformerError(o);
          if (leaderElection) {
            o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(leaseName, leaseNs,
                LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE, null,
                new LeaderCallbacks(() -> leading.set(true), this::lostLease,
                    leader -> LOG.info("leader is now {}", leader)), false));
          } else {
            leading.set(true);
          }
        });
    operatorMetrics.fromJobsAtScrape(InformerCaches.taskJobs(operator.josdk()));
    HealthServer probes = HealthServer.probes(bindAddress, healthPort, () -> liveness(operator), this::readiness,
        this::readiness);
    HealthServer metrics = HealthServer.metrics(metricsBindAddress, metricsPort, registry::scrape);
    shutdown.set(() -> {
      LOG.info("stopping: saving job ledgers; VMs and queues keep running until the next leader takes over");
      operator.close();
      probes.close();
      metrics.close();
      stopped.countDown();
    });
    Thread hook = new Thread(this::stop, "shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    LOG.info("starting: cluster id {}, watching {}, providers {}, caps {}, leader election {}", cluster,
        watched.isEmpty() ? "all namespaces" : watched, modules.keySet(), settings.adminCaps().describe(),
        leaderElection ? "on (Lease " + leaseNs + "/" + leaseName + ")" : "off");
    operator.start();
    started.set(true);
    stopped.await();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook is running
    }
    return 0;
  }

  /**
   * The provider modules a cluster operator runs: every one on the class path except local, whose
   * "instances" are processes in the operator's own pod, unless {@code --allow-local-provider} is given.
   */
  public static Map<String, ProviderModule> providerModules(Map<String, ProviderModule> available, boolean allowLocal) {
    Map<String, ProviderModule> modules = new LinkedHashMap<>(available);
    if (!allowLocal) {
      modules.remove(TaskJobValidator.LOCAL_PROVIDER);
    }
    return modules;
  }

  /** Stops the operator (the shutdown hook, or a test running the command in-process); later calls return at once. */
  void stop() {
    stopping.set(true);
    Runnable r = shutdown.getAndSet(null);
    if (r != null) {
      r.run();
    }
  }

  /**
   * Another replica holds the Lease now: this one must stop reconciling at once. The process exits
   * (from a new thread, never from the caller's, which may be a shutdown hook) and the Deployment
   * restarts it as a standby. A deliberate stop also ends leadership; that exits normally.
   */
  private void lostLease() {
    leading.set(false);
    if (!stopping.get()) {
      LOG.error("lost the leader Lease; exiting so that only the new leader reconciles");
      new Thread(() -> System.exit(1), "lost-lease").start();
    }
  }

  boolean isStarted() {
    return started.get();
  }

  private HealthServer.Check liveness(TaskjobOperator operator) {
    if (!started.get() || !leading.get()) {
      return HealthServer.Check.ok(leading.get() ? "starting" : "standby");
    }
    return operator.josdk().getRuntimeInfo().allEventSourcesAreHealthy() ? HealthServer.Check.ok("leading")
        : HealthServer.Check.failing("unhealthy event sources: "
            + operator.josdk().getRuntimeInfo().unhealthyEventSources().keySet());
  }

  private HealthServer.Check readiness() {
    return started.get() ? HealthServer.Check.ok(leading.get() ? "leading" : "standby")
        : HealthServer.Check.failing("starting");
  }

  private OperatorSettings withIntervals(OperatorSettings s) {
    Duration resync = Durations.parse("--resync-interval", resyncInterval);
    Duration sweep = Durations.parse("--sweep-interval", sweepInterval);
    Duration grace = Durations.parse("--sweep-grace-period", sweepGrace);
    return new OperatorSettings(s.clusterId(), s.namespaces(), s.providerProperties(), resync, s.eventWait(),
        s.ledgerSaveInterval(), s.loadSliceTasks(), s.loadSliceTime(), s.heartbeatInterval(), sweep, grace,
        s.neverStartedLimit(), s.createParallelism(), s.capacityBackoff(), s.workerStartupTimeout(),
        s.workerHeartbeatTimeout(), sweepLocations, s.adminCaps());
  }

  private Config clientConfig() throws java.io.IOException {
    if (kubeconfig != null) {
      return Config.fromKubeconfig(Files.readString(kubeconfig));
    }
    return Config.autoConfigure(null);
  }

  /** The uid of kube-system: stable for the life of a cluster and different between clusters. */
  static String clusterIdFromKubeSystem(KubernetesClient client) {
    try {
      Namespace ns = client.namespaces().withName("kube-system").get();
      if (ns != null && ns.getMetadata().getUid() != null) {
        return ns.getMetadata().getUid().toLowerCase(java.util.Locale.ROOT);
      }
    } catch (KubernetesClientException e) {
      throw new CommandLine.ParameterException(new CommandLine(new OperatorCommand()),
          "cannot read namespace kube-system to derive the cluster id (" + e.getMessage()
              + "); pass --cluster-id or set TASKJOB_CLUSTER_ID");
    }
    throw new CommandLine.ParameterException(new CommandLine(new OperatorCommand()),
        "namespace kube-system not found; pass --cluster-id or set TASKJOB_CLUSTER_ID");
  }
}
