package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.operator.decision.ErrorClassifier;
import dev.taskjob.operator.decision.PoolPlan;
import dev.taskjob.operator.decision.ScaleIn;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's terminate calls, run off the reconcile thread: a look submits them and returns; the answer makes
 * the next look list the VMs again and wakes the pool. An id is not sent again while a terminate of it is in
 * flight; one the cloud refused is sent again by a later look once its back-off passed (doubling from
 * {@link #FIRST_RETRY} up to {@link #MAX_RETRY}; an error {@link ErrorClassifier} does not retry waits the
 * longest). The refusals are reported by the next look. All of this is kept in memory: after a restart the
 * pool's status names the VMs asked to terminate, and the plan sends the terminate of a VM still alive again.
 */
final class Terminations {

  static final Duration FIRST_RETRY = Duration.ofSeconds(5);
  static final Duration MAX_RETRY = Duration.ofMinutes(5);

  private static final Logger LOG = LoggerFactory.getLogger(Terminations.class);

  /** A refused terminate of some VMs, to report. */
  private record Refusal(List<String> ids, ErrorClassifier.Classified error, Instant retryAt) {}

  /** One VM's refused terminates in a row, and when it may be sent again. */
  private record Backoff(int refusals, Instant retryAt) {}

  private static final class Entry {
    final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    final Map<String, Backoff> refused = new ConcurrentHashMap<>();
    final Queue<Refusal> unreported = new ConcurrentLinkedQueue<>();
  }

  private final PoolServices services;
  private final Executor calls;
  private final VmStates vmStates;
  private final Consumer<ResourceID> wake;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  /**
   * @param calls runs the terminate calls
   * @param wake wakes a pool's reconcile when its terminate answered
   */
  Terminations(PoolServices services, Executor calls, VmStates vmStates, Consumer<ResourceID> wake) {
    this.services = services;
    this.calls = calls;
    this.vmStates = vmStates;
    this.wake = wake;
  }

  /**
   * Acts on the plan: the VMs to remove now (failed, lost, still terminating, and those scale-in lets go), after
   * the stop notice to the busy ones kept.
   *
   * @return the ids asked to terminate, in flight or held back included
   */
  List<String> remove(InstancePool pool, CloudProvider cloud, PoolPlan.Result plan, ScaleIn.Result scaleIn,
      StopNotices stopNotices) {
    stopNotices.send(pool, cloud, scaleIn.stopNotice());
    List<String> toTerminate = new ArrayList<>(plan.stillTerminating());
    plan.terminate().stream().filter(r -> r.reason() != PoolPlan.Reason.EXTRA).forEach(r -> toTerminate.add(r.id()));
    toTerminate.addAll(scaleIn.terminate());
    List<String> newlyAsked = toTerminate.stream().filter(id -> !plan.stillTerminating().contains(id)).toList();
    if (!newlyAsked.isEmpty()) {
      // each id with why, once (not again while the cloud still lists it), so a log tells a termination's cause
      LOG.info("pool {}: terminating {} (planned: {}; scale-in: {})", PoolServices.name(pool), newlyAsked,
          plan.terminate(), scaleIn.terminate());
    }
    Set<String> asked = services.requested(pool);
    List<String> askedByStatus = plan.stillTerminating().stream().filter(id -> !asked.contains(id)).toList();
    if (!askedByStatus.isEmpty()) {
      LOG.info("pool {}: terminating {} again: the pool's status lists them terminating", PoolServices.name(pool),
          askedByStatus);
    }
    terminate(pool, cloud, toTerminate);
    List<String> extras = scaleIn.terminate();
    if (!extras.isEmpty()) {
      services.events().normal(pool, "InstancesRemoved", "Terminating " + extras.size()
          + " instances no longer needed: " + PoolServices.abbreviate(extras));
    }
    return toTerminate;
  }

  /** Terminates every VM not yet terminated; the ones not asked before are logged with {@code why}. */
  void terminateAll(InstancePool pool, CloudProvider cloud, List<Instance> vms, String why) {
    List<String> ids = vms.stream().filter(vm -> vm.state() != InstanceState.TERMINATED).map(Instance::id).toList();
    Set<String> asked = services.requested(pool);
    List<String> newlyAsked = ids.stream().filter(id -> !asked.contains(id)).toList();
    if (!newlyAsked.isEmpty()) {
      LOG.info("pool {}: terminating {} ({})", PoolServices.name(pool), newlyAsked, why);
    }
    terminate(pool, cloud, ids);
  }

  /**
   * Remembers the request (the cloud may list the VMs alive a while) and submits one terminate for the ids
   * neither in flight nor waiting out a refusal's back-off.
   */
  void terminate(InstancePool pool, CloudProvider cloud, List<String> ids) {
    if (ids.isEmpty()) {
      return;
    }
    services.markRequested(pool, ids);
    Entry entry = entries.computeIfAbsent(pool.getMetadata().getUid(), uid -> new Entry());
    Instant now = services.clock().instant();
    List<String> send = ids.stream().distinct().filter(id -> !entry.inFlight.contains(id)).filter(id -> {
      Backoff b = entry.refused.get(id);
      return b == null || !now.isBefore(b.retryAt());
    }).toList();
    if (send.isEmpty()) {
      return;
    }
    entry.inFlight.addAll(send);
    vmStates.stale(pool);
    ResourceID id = ResourceID.fromResource(pool);
    try {
      calls.execute(() -> call(id, PoolServices.name(pool), entry, cloud, send));
    } catch (RejectedExecutionException e) {
      entry.inFlight.removeAll(send); // shutting down
    }
  }

  private void call(ResourceID id, String name, Entry entry, CloudProvider cloud, List<String> ids) {
    try {
      cloud.terminate(ids);
      ids.forEach(entry.refused::remove);
    } catch (RuntimeException e) {
      ErrorClassifier.Classified error = ErrorClassifier.classify(e);
      Instant now = services.clock().instant();
      Instant latest = now;
      for (String vm : ids) {
        Backoff b = entry.refused.merge(vm, new Backoff(1, now.plus(backoff(1, error))),
            (before, first) -> new Backoff(before.refusals() + 1, now.plus(backoff(before.refusals() + 1, error))));
        latest = b.retryAt().isAfter(latest) ? b.retryAt() : latest;
      }
      entry.unreported.add(new Refusal(ids, error, latest));
      LOG.warn("pool {}: terminate of {} refused ({}), sent again after {}: {}", name, ids, error.kind(), latest,
          error.message());
    } finally {
      entry.inFlight.removeAll(ids);
    }
    vmStates.stale(id);
    wake.accept(id);
  }

  /** The back-off before the n-th refused terminate of a VM is sent again. */
  static Duration backoff(int refusals, ErrorClassifier.Classified error) {
    if (!error.kind().retried()) {
      return MAX_RETRY;
    }
    Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(refusals - 1, 16));
    return wait.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait;
  }

  /** Whether a terminate of the pool is in flight. */
  boolean inFlight(InstancePool pool) {
    Entry entry = entries.get(pool.getMetadata().getUid());
    return entry != null && !entry.inFlight.isEmpty();
  }

  /** Reports the terminates refused since the last look: a Warning Event each, and the status message. */
  void report(InstancePool pool, InstancePoolStatus status) {
    Entry entry = entries.get(pool.getMetadata().getUid());
    for (Refusal r = entry == null ? null : entry.unreported.poll(); r != null; r = entry.unreported.poll()) {
      String message = "The cloud refused to terminate " + r.ids().size() + " instances (" + r.error().kind()
          + "), sent again after " + r.retryAt() + ": " + r.error().message();
      status.setMessage(message);
      services.events().warning(pool, "TerminateFailed", message + " (" + PoolServices.abbreviate(r.ids()) + ")");
    }
  }

  void forget(InstancePool pool) {
    entries.remove(pool.getMetadata().getUid());
  }
}
