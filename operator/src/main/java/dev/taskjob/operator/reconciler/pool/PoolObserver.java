package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolSpec;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.crds.v1alpha1.instancepool.PoolInstance;
import dev.taskjob.crds.v1alpha1.instancepool.PoolInstanceState;
import dev.taskjob.crds.v1alpha1.shared.Durations;
import dev.taskjob.operator.decision.PoolPlan;
import dev.taskjob.operator.progress.Heartbeats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a pool's reconcile knows about its VMs: the cloud's list (the source of truth, kept by
 * {@link VmStates}), what their
 * workers reported, what the status saved and which VMs this process asked to terminate, turned into
 * the inputs of {@link PoolPlan}.
 */
final class PoolObserver {

  private static final Logger LOG = LoggerFactory.getLogger(PoolObserver.class);

  private final PoolServices services;
  private final VmStates vmStates;
  private final Instant trackingSince;

  PoolObserver(PoolServices services, VmStates vmStates) {
    this.services = services;
    this.vmStates = vmStates;
    this.trackingSince = services.clock().instant();
  }

  /**
   * The pool's VMs as {@link VmStates} last listed them (never a call to the cloud on this thread). A failed
   * last list is thrown, to be reported as the reconcile's error; its last good answer is kept for when the
   * cloud answers again.
   *
   * @return the listing, or empty while the pool's first list has not answered
   */
  Optional<VmStates.Listing> listing(InstancePool pool, CloudProvider cloud) {
    Optional<VmStates.Listing> listing = vmStates.observe(pool, cloud,
        VmNaming.poolSelector(pool, services.settings().clusterId()));
    if (listing.isPresent() && listing.get().failure() != null) {
      Duration age = listing.get().age(services.clock().instant());
      LOG.info("pool {}: the cloud's list failed; last good list {}", PoolServices.name(pool),
          age == null ? "never" : Durations.format(age) + " ago");
      throw listing.get().failure();
    }
    return listing;
  }

  ProviderConfig providerConfig(InstancePool pool) {
    InstancePoolSpec spec = pool.getSpec();
    String secret = spec.getCredentials() == null || spec.getCredentials().getSecretRef() == null ? null
        : spec.getCredentials().getSecretRef().getName();
    return services.providers().config(pool.getMetadata().getNamespace(), spec.getProvider().id(), spec.getRegion(),
        spec.getZones(), spec.getProject(), secret);
  }

  PoolPlan.Inputs planInputs(InstancePool pool, InstancePoolStatus status, List<Instance> vms, Instant now) {
    Map<String, PoolInstance> known = new HashMap<>();
    if (status.getInstances() != null) {
      status.getInstances().forEach(i -> known.put(i.getId(), i));
    }
    Set<String> requested = services.requested(pool);
    List<PoolPlan.Vm> planVms = new ArrayList<>();
    for (Instance vm : vms) {
      Heartbeats.Seen seen = seen(vm);
      Instant last = lastReport(vm, status);
      PoolInstance before = known.get(vm.id());
      boolean askedBefore = before != null && before.getState() == PoolInstanceState.TERMINATING;
      planVms.add(new PoolPlan.Vm(vm.id(), vm.state(), vm.launchTime(), last == null ? null
          : (seen != null ? seen.first() : last), last, seen == null ? 0 : seen.runningTasks(),
          requested.contains(vm.id()) || askedBefore));
    }
    Set<String> previouslyAlive = known.values().stream()
        .filter(i -> i.getState() == PoolInstanceState.PENDING || i.getState() == PoolInstanceState.RUNNING)
        .map(PoolInstance::getId).collect(Collectors.toSet());
    boolean timeouts = jobOwned(pool);
    InstancePoolSpec spec = pool.getSpec();
    Duration startup = timeouts ? Durations.parseOrDefault("spec.startupTimeout", spec.getStartupTimeout(),
        Durations.parse(InstancePoolSpec.DEFAULT_STARTUP_TIMEOUT)) : null;
    Duration heartbeat = timeouts ? Durations.parseOrDefault("spec.heartbeatTimeout", spec.getHeartbeatTimeout(),
        Durations.parse(InstancePoolSpec.DEFAULT_HEARTBEAT_TIMEOUT)) : null;
    return new PoolPlan.Inputs(spec.getCount() == null ? 0 : spec.getCount(), planVms, previouslyAlive, startup,
        heartbeat, trackingSince, now);
  }

  /**
   * Heartbeat timeouts need a job's event consumer to hear the workers; a standalone pool has none,
   * so its VMs are judged by the cloud's state only.
   */
  static boolean jobOwned(InstancePool pool) {
    return VmNaming.jobOwner(pool) != null;
  }

  /**
   * What the job heard from a VM's worker. Workers report under the VM name they were given
   * ({@code TASKJOB_INSTANCE_ID}, see {@link VmLauncher}); that is the cloud's id where the name is the id
   * (GCE, local), and a tag beside the id on EC2.
   */
  Heartbeats.Seen seen(Instance vm) {
    Heartbeats.Seen seen = services.heartbeats().get(vm.id());
    return seen != null || vm.name() == null ? seen : services.heartbeats().get(vm.name());
  }

  /** Why the VM's worker could not start (reported as its only event), or null. */
  String startupFailure(Instance vm) {
    String reason = services.heartbeats().startupFailure(vm.id());
    return reason != null || vm.name() == null ? reason : services.heartbeats().startupFailure(vm.name());
  }

  /** The latest report of a VM's worker: this process's record, else what the status saved. */
  Instant lastReport(Instance vm, InstancePoolStatus status) {
    Heartbeats.Seen seen = seen(vm);
    if (seen != null) {
      return seen.last();
    }
    if (status.getInstances() != null) {
      for (PoolInstance i : status.getInstances()) {
        if (i.getId().equals(vm.id()) && i.getLastHeartbeat() != null) {
          return Instant.parse(i.getLastHeartbeat());
        }
      }
    }
    return null;
  }
}
