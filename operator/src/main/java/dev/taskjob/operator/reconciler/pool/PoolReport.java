package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolPhase;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.crds.v1alpha1.instancepool.PoolInstance;
import dev.taskjob.crds.v1alpha1.instancepool.PoolInstanceState;
import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.operator.decision.PoolEmptying;
import dev.taskjob.operator.decision.PoolPlan;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's status: counts by state, a bounded instance list (alive first), cost per hour, the bill so
 * far ({@link PoolCost}), phase and Ready; the Events and metrics for VMs lost or replaced; the Failed phase when the pool gives up.
 */
final class PoolReport {

  private static final Logger LOG = LoggerFactory.getLogger(PoolReport.class);

  private final PoolServices services;
  private final PoolObserver observer;
  private final PoolSelections selections;

  PoolReport(PoolServices services, PoolObserver observer, PoolSelections selections) {
    this.services = services;
    this.observer = observer;
    this.selections = selections;
  }

  void report(InstancePool pool, InstancePoolStatus status, ProviderConfig config, List<Instance> vms, Instant now) {
    Set<String> requested = services.requested(pool);
    Map<String, PoolInstance> previous = new HashMap<>();
    if (status.getInstances() != null) {
      status.getInstances().forEach(i -> previous.put(i.getId(), i));
    }
    int pending = 0;
    int running = 0;
    int terminating = 0;
    double costPerHour = 0;
    List<PoolInstance> listed = new ArrayList<>();
    List<Instance> unique = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    // reclaimed VMs still stopping: listed with the live ones, so the first time they were seen so is kept
    Set<String> stopping = new HashSet<>();
    for (Instance vm : vms) {
      if (!seen.add(vm.id())) {
        continue;
      }
      unique.add(vm);
      PoolInstanceState state = PoolInstanceState.valueOf(vm.state().name());
      if (vm.state().isAlive() && requested.contains(vm.id())) {
        state = PoolInstanceState.TERMINATING;
      }
      PoolInstance before = previous.get(vm.id());
      String since = before != null && before.getState() == state && before.getSince() != null ? before.getSince()
          : (state == PoolInstanceState.PENDING && vm.launchTime() != null ? vm.launchTime() : now).toString();
      switch (state) {
        case PENDING -> pending++;
        case RUNNING -> running++;
        // a stopped VM still bills for its disks: the pool is not empty until the cloud deleted it
        case TERMINATING, STOPPING, STOPPED -> terminating++;
        // a reclaimed VM still bills until it has stopped: the job waits for the cloud's end of it
        case PREEMPTED -> {
          if (PoolEmptying.reclaimedStillStopping(vm.state(), vm.endTime(), Instant.parse(since), now)) {
            terminating++;
            stopping.add(vm.id());
          }
        }
        default -> { }
      }
      if (vm.state().isAlive()) {
        costPerHour += selections.priceOf(vm, config)
            .orElse(status.getPricePerHour() == null ? 0 : status.getPricePerHour());
      }
      Instant last = observer.lastReport(vm, status);
      listed.add(new PoolInstance(vm.id(), vm.zone(), state, since, last == null ? null : last.toString()));
    }
    listed.sort(Comparator.comparing((PoolInstance i) -> !isLive(i.getState()) && !stopping.contains(i.getId()))
        .thenComparing(PoolInstance::getSince, Comparator.reverseOrder()));
    status.setInstances(listed.isEmpty() ? null
        : new ArrayList<>(listed.subList(0, Math.min(InstancePoolStatus.MAX_LISTED_INSTANCES, listed.size()))));
    status.setPending(pending);
    status.setRunning(running);
    status.setTerminating(terminating);
    status.setCostPerHour(Math.round(costPerHour * 10000.0) / 10000.0);
    PoolCost.record(pool, status, unique, vm -> selections.priceOf(vm, config)
        .orElse(status.getPricePerHour() == null ? 0 : status.getPricePerHour()), now);
    if (status.getReplacements() == null) {
      status.setReplacements(0L);
    }
    int desired = pool.getSpec().getCount() == null ? 0 : pool.getSpec().getCount();
    services.metrics().pool(pool.getMetadata().getNamespace(), pool.getMetadata().getName(), pending, running,
        terminating);
    if (status.getPhase() == InstancePoolPhase.FAILED) {
      return;
    }
    boolean ready = running == desired && pending == 0 && terminating == 0;
    status.setPhase(ready ? InstancePoolPhase.READY : InstancePoolPhase.SCALING);
    Conditions.set(status.getConditions(), ConditionTypes.READY, ready ? Condition.TRUE : Condition.FALSE,
        ready ? "AllInstancesRunning" : "Scaling", running + " of " + desired + " instances running"
            + (pending > 0 ? ", " + pending + " starting" : "") + (terminating > 0 ? ", " + terminating + " terminating" : ""),
        PoolServices.generation(pool), now);
    status.setMessage(running + " of " + desired + " instances running");
  }

  /** Why new VMs get the type they get, in status; an Event when the choice changes. */
  void choice(InstancePool pool, InstancePoolStatus status, PoolSelections.Choice choice) {
    String before = status.getChoice();
    status.setChoice(choice.why());
    if (before == null || !before.startsWith(choice.offering() + ":")) {
      services.events().normal(pool, "InstanceTypeChosen", "New instances: " + choice.why());
      LOG.info("pool {}: new instances: {}", PoolServices.name(pool), choice.why());
    }
  }

  /** Counts replacements and tells the user which VMs were lost, never started or went silent. */
  void recordFailures(InstancePool pool, InstancePoolStatus status, PoolPlan.Result plan, String provider) {
    int failures = plan.failures();
    if (failures == 0) {
      return;
    }
    status.setReplacements((status.getReplacements() == null ? 0 : status.getReplacements()) + failures);
    for (String id : plan.lost()) {
      services.metrics().instanceFailure(provider, "lost");
      services.events().warning(pool, "InstanceLost", "Instance " + id + " was preempted or stopped; replacing it");
      LOG.info("pool {}: instance {} lost (preempted or stopped), replacing", PoolServices.name(pool), id);
    }
    for (PoolPlan.Removal r : plan.terminate()) {
      if (r.reason() == PoolPlan.Reason.NEVER_STARTED) {
        services.metrics().instanceFailure(provider, "never_started");
        services.events().warning(pool, "InstanceNeverStarted", "Instance " + r.id() + ": no worker report within "
            + pool.getSpec().getStartupTimeout() + "; replacing it");
      } else if (r.reason() == PoolPlan.Reason.SILENT) {
        services.metrics().instanceFailure(provider, "silent");
        services.events().warning(pool, "InstanceSilent", "Instance " + r.id() + ": worker silent for "
            + pool.getSpec().getHeartbeatTimeout() + "; replacing it");
      }
    }
  }

  /**
   * Sets {@code WorkersStarted} once a worker reported, and fails a job's pool whose workers cannot run its
   * tasks: a VM's worker could not start (its image, the job's startup script), so every replacement would
   * boot the same way and bill for it, or no worker ever reported after the limit of replacements.
   *
   * @return whether the pool failed
   */
  boolean workersFailed(InstancePool pool, InstancePoolStatus status, List<Instance> vms, Instant now) {
    boolean workersStarted = Conditions.isTrue(status.getConditions(), InstancePoolReconciler.WORKERS_STARTED)
        || vms.stream().anyMatch(vm -> observer.lastReport(vm, status) != null);
    if (workersStarted) {
      Conditions.set(status.getConditions(), InstancePoolReconciler.WORKERS_STARTED, Condition.TRUE,
          "WorkerReported", "a worker of this pool has reported", PoolServices.generation(pool), now);
    }
    for (Instance vm : vms) {
      String startupFailure = observer.startupFailure(vm);
      if (startupFailure != null && PoolObserver.jobOwned(pool)) {
        fail(pool, status, "WorkerStartupFailed", "the worker on " + vm.id() + " could not start: "
            + startupFailure, now);
        return true;
      }
    }
    long replacements = status.getReplacements() == null ? 0 : status.getReplacements();
    if (PoolObserver.jobOwned(pool) && PoolPlan.workersNeverStarted((int) replacements, workersStarted,
        services.settings().neverStartedLimit())) {
      fail(pool, status, "WorkersNeverStarted", "workers never started: no worker reported after "
          + replacements + " replacements; check the image/startup script", now);
      return true;
    }
    return false;
  }

  /** The pool gives up: Failed with the reason, Ready=False, an Event. Its VMs are then terminated. */
  void fail(InstancePool pool, InstancePoolStatus status, String reason, String message, Instant now) {
    status.setPhase(InstancePoolPhase.FAILED);
    status.setMessage(message);
    Conditions.set(status.getConditions(), ConditionTypes.FAILED, Condition.TRUE, reason, message,
        PoolServices.generation(pool), now);
    Conditions.set(status.getConditions(), ConditionTypes.READY, Condition.FALSE, reason, message,
        PoolServices.generation(pool), now);
    services.events().warning(pool, reason, message);
    LOG.warn("pool {}: failed, {}", PoolServices.name(pool), message);
  }

  private static boolean isLive(PoolInstanceState s) {
    return s == PoolInstanceState.PENDING || s == PoolInstanceState.RUNNING || s == PoolInstanceState.TERMINATING;
  }
}
