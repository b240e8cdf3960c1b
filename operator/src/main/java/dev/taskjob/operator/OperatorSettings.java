package dev.taskjob.operator;

import dev.taskjob.operator.decision.AdminCaps;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How the operator runs: identity, what it watches, and its timings. The defaults suit a cluster;
 * tests shorten the intervals.
 *
 * @param clusterId identifies this installation on every VM (owner tag), so the orphan sweep never touches
 *     another cluster's VMs
 * @param namespaces namespaces to watch; empty for all
 * @param providerProperties extra provider properties for every provider config (endpoint overrides such as
 *     {@code aws.endpoint}, {@code local.root}); a job's credentials are added per job
 * @param resyncInterval how often a running job or pool is looked at even without events
 * @param eventWait long-poll wait when reading a job's event queue
 * @param ledgerSaveInterval how often a job's ledger is saved (and its events acknowledged) while events arrive
 * @param loadSliceTasks most tasks sent per reconcile while loading (the checkpoint granularity)
 * @param loadSliceTime most time spent sending per reconcile while loading
 * @param heartbeatInterval how often workers report (passed to them); timeouts are multiples of it
 * @param sweepInterval how often VMs with this cluster's tags and no pool are looked for
 * @param sweepGracePeriod a VM younger than this is never swept (its pool may not be visible yet)
 * @param neverStartedLimit replacements of VMs whose worker never reported before a pool gives up
 * @param createParallelism VM create calls in flight per pool
 * @param capacityBackoff how long a (type, zone, spot) stays skipped after a capacity error
 * @param workerStartupTimeout a job's VMs must report within this time after creation (their pool's startupTimeout)
 * @param workerHeartbeatTimeout a job's VMs may stay silent this long (their pool's heartbeatTimeout)
 * @param sweepLocations cloud locations swept for orphans even when no pool uses them now, as
 *     {@code provider:region} or {@code gcp:region:project} (local is always swept when available)
 * @param adminCaps instances, vCPUs and USD per hour all pools together, and each namespace's pools, may use
 */
public record OperatorSettings(
    String clusterId,
    Set<String> namespaces,
    Map<String, String> providerProperties,
    Duration resyncInterval,
    Duration eventWait,
    Duration ledgerSaveInterval,
    int loadSliceTasks,
    Duration loadSliceTime,
    Duration heartbeatInterval,
    Duration sweepInterval,
    Duration sweepGracePeriod,
    int neverStartedLimit,
    int createParallelism,
    Duration capacityBackoff,
    Duration workerStartupTimeout,
    Duration workerHeartbeatTimeout,
    java.util.List<String> sweepLocations,
    AdminCaps.Caps adminCaps) {

  /** What a cluster id may look like: a valid AWS tag value and GCE label value. */
  public static final String CLUSTER_ID_PATTERN = "[a-z0-9]([-a-z0-9_]{0,61}[a-z0-9])?";

  public OperatorSettings {
    Objects.requireNonNull(clusterId, "clusterId");
    if (!clusterId.matches(CLUSTER_ID_PATTERN)) {
      throw new IllegalArgumentException("cluster id '" + clusterId
          + "' must be 1-63 lower-case letters, digits, '-' or '_' (it becomes a VM tag and label)");
    }
    namespaces = namespaces == null ? Set.of() : Set.copyOf(namespaces);
    providerProperties = providerProperties == null ? Map.of() : Map.copyOf(providerProperties);
    sweepLocations = sweepLocations == null ? java.util.List.of() : java.util.List.copyOf(sweepLocations);
    adminCaps = adminCaps == null ? AdminCaps.Caps.NONE : adminCaps;
  }

  /** Production defaults. */
  public static OperatorSettings defaults(String clusterId) {
    return new OperatorSettings(clusterId, Set.of(), Map.of(), Duration.ofSeconds(15), Duration.ofSeconds(5),
        Duration.ofSeconds(2), 20_000, Duration.ofSeconds(3), Duration.ofSeconds(30), Duration.ofMinutes(5),
        Duration.ofMinutes(10), 3, 8, Duration.ofMinutes(10), Duration.ofMinutes(10), Duration.ofMinutes(5), java.util.List.of(),
        AdminCaps.Caps.NONE);
  }

  public OperatorSettings withNamespaces(Set<String> value) {
    return new OperatorSettings(clusterId, value, providerProperties, resyncInterval, eventWait, ledgerSaveInterval,
        loadSliceTasks, loadSliceTime, heartbeatInterval, sweepInterval, sweepGracePeriod, neverStartedLimit,
        createParallelism, capacityBackoff, workerStartupTimeout, workerHeartbeatTimeout, sweepLocations, adminCaps);
  }

  public OperatorSettings withProviderProperties(Map<String, String> value) {
    return new OperatorSettings(clusterId, namespaces, value, resyncInterval, eventWait, ledgerSaveInterval,
        loadSliceTasks, loadSliceTime, heartbeatInterval, sweepInterval, sweepGracePeriod, neverStartedLimit,
        createParallelism, capacityBackoff, workerStartupTimeout, workerHeartbeatTimeout, sweepLocations, adminCaps);
  }

  /** Short intervals for tests: seconds instead of minutes. */
  public OperatorSettings fast() {
    return new OperatorSettings(clusterId, namespaces, providerProperties, Duration.ofMillis(500),
        Duration.ofMillis(200), Duration.ofMillis(300), loadSliceTasks, loadSliceTime, Duration.ofSeconds(1),
        Duration.ofSeconds(2), Duration.ofSeconds(3), neverStartedLimit, createParallelism, Duration.ofSeconds(30),
        Duration.ofSeconds(60), Duration.ofSeconds(30), sweepLocations, adminCaps);
  }

  public OperatorSettings withLoadSlice(int tasks, Duration time) {
    return new OperatorSettings(clusterId, namespaces, providerProperties, resyncInterval, eventWait,
        ledgerSaveInterval, tasks, time, heartbeatInterval, sweepInterval, sweepGracePeriod, neverStartedLimit,
        createParallelism, capacityBackoff, workerStartupTimeout, workerHeartbeatTimeout, sweepLocations, adminCaps);
  }

  public OperatorSettings withSweep(Duration interval, Duration gracePeriod) {
    return new OperatorSettings(clusterId, namespaces, providerProperties, resyncInterval, eventWait,
        ledgerSaveInterval, loadSliceTasks, loadSliceTime, heartbeatInterval, interval, gracePeriod, neverStartedLimit,
        createParallelism, capacityBackoff, workerStartupTimeout, workerHeartbeatTimeout, sweepLocations, adminCaps);
  }

  public OperatorSettings withWorkerTimeouts(Duration startup, Duration heartbeat) {
    return new OperatorSettings(clusterId, namespaces, providerProperties, resyncInterval, eventWait,
        ledgerSaveInterval, loadSliceTasks, loadSliceTime, heartbeatInterval, sweepInterval, sweepGracePeriod,
        neverStartedLimit, createParallelism, capacityBackoff, startup, heartbeat, sweepLocations, adminCaps);
  }

  public OperatorSettings withSweepLocations(java.util.List<String> locations) {
    return new OperatorSettings(clusterId, namespaces, providerProperties, resyncInterval, eventWait,
        ledgerSaveInterval, loadSliceTasks, loadSliceTime, heartbeatInterval, sweepInterval, sweepGracePeriod,
        neverStartedLimit, createParallelism, capacityBackoff, workerStartupTimeout, workerHeartbeatTimeout, locations,
        adminCaps);
  }

  public OperatorSettings withNeverStartedLimit(int value) {
    return new OperatorSettings(clusterId, namespaces, providerProperties, resyncInterval, eventWait,
        ledgerSaveInterval, loadSliceTasks, loadSliceTime, heartbeatInterval, sweepInterval, sweepGracePeriod, value,
        createParallelism, capacityBackoff, workerStartupTimeout, workerHeartbeatTimeout, sweepLocations, adminCaps);
  }

  public OperatorSettings withAdminCaps(AdminCaps.Caps value) {
    return new OperatorSettings(clusterId, namespaces, providerProperties, resyncInterval, eventWait,
        ledgerSaveInterval, loadSliceTasks, loadSliceTime, heartbeatInterval, sweepInterval, sweepGracePeriod,
        neverStartedLimit, createParallelism, capacityBackoff, workerStartupTimeout, workerHeartbeatTimeout,
        sweepLocations, value);
  }
}
