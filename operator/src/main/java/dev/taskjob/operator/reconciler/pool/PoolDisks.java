package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.Disk;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolPhase;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.operator.decision.ErrorClassifier;
import dev.taskjob.operator.decision.PoolEmptying;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disks of a pool scaled to zero (or failed, or deleted): counted into {@code status.disksLeft}, and once
 * every VM is gone the ones no VM uses are deleted ({@link PoolEmptying}). A VM stopped rather than deleted, or a
 * disk left behind, still bills, so the pool is not empty until both are gone. Looked at only then, to spare the
 * API. The calls run off the reconcile thread, one disk look per pool at a time: a look submits one and reads
 * the last answer; an answer that differs from the one before wakes the pool. Only a list that started after
 * the VMs were seen gone, and answered, counts the disks of a pool without VMs: until then the count is unknown
 * ({@code disksLeft} unset, which the drain does not take for none).
 */
final class PoolDisks {

  private static final Logger LOG = LoggerFactory.getLogger(PoolDisks.class);

  /**
   * One disk look's answer.
   *
   * @param disks the pool's disks the cloud listed last (after any deletion), or -1 when a call failed
   * @param afterVmsGone whether the look started once the pool's VMs were seen gone (and so deleted the detached)
   * @param error the failed call's error, else null
   */
  record Answer(int disks, boolean afterVmsGone, ErrorClassifier.Classified error) {

    /** The disks left as this answer counts them for a pool with or without VMs; empty when it cannot tell. */
    Optional<Integer> left(boolean vmsGone) {
      return error != null || vmsGone && !afterVmsGone ? Optional.empty() : Optional.of(disks);
    }
  }

  private static final class Entry {
    volatile boolean inFlight;
    volatile Answer last;
  }

  private final PoolServices services;
  private final Executor calls;
  private final Consumer<ResourceID> wake;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  /**
   * @param calls runs the disk calls
   * @param wake wakes a pool's reconcile when a disk look's answer changed
   */
  PoolDisks(PoolServices services, Executor calls, Consumer<ResourceID> wake) {
    this.services = services;
    this.calls = calls;
    this.wake = wake;
  }

  /** @param vms the pool's VMs as listed at this look */
  void empty(InstancePool pool, InstancePoolStatus status, CloudProvider cloud, List<Instance> vms) {
    int target = pool.getSpec().getCount() == null ? 0 : pool.getSpec().getCount();
    boolean failed = status.getPhase() == InstancePoolPhase.FAILED;
    if (PoolEmptying.decide(target, failed, 0, 0) == PoolEmptying.Step.NOT_EMPTYING) {
      entries.remove(pool.getMetadata().getUid());
      status.setDisksLeft(null);
      return;
    }
    int vmsLeft = (int) vms.stream().filter(vm -> vm.state() != InstanceState.TERMINATED).count();
    Optional<Answer> answer = look(pool, cloud, vmsLeft == 0);
    Optional<Integer> left = answer.flatMap(a -> a.left(vmsLeft == 0));
    // unknown: a count above zero stays (the disks are not gone until a list says so); zero or none is unset
    Integer disks = left.orElse(status.getDisksLeft() != null && status.getDisksLeft() > 0 ? status.getDisksLeft()
        : null);
    status.setDisksLeft(disks);
    if (disks == null || disks > 0) {
      String error = answer.map(Answer::error).map(e -> ", disks not listed: " + e.message()).orElse("");
      status.setMessage(status.getMessage() + (disks == null ? ", disks not counted yet" : ", " + disks
          + " disks left") + error);
      if (status.getPhase() == InstancePoolPhase.READY) {
        status.setPhase(InstancePoolPhase.SCALING);
      }
    }
  }

  /**
   * A deleted pool whose VMs are gone: whether its disks are too, as a list started after that says. A disk call
   * refused with an error {@link ErrorClassifier} does not retry does not hold the deletion: the orphan sweep
   * deletes the disks once the pool is gone.
   */
  boolean goneOnDelete(InstancePool pool, CloudProvider cloud) {
    Answer answer = look(pool, cloud, true).orElse(null);
    if (answer != null && answer.error() != null && !answer.error().kind().retried()) {
      LOG.warn("pool {}: could not delete the disks its instances left; the orphan sweep will: {}",
          PoolServices.name(pool), answer.error().message());
      return true;
    }
    return answer != null && answer.left(true).filter(n -> n == 0).isPresent();
  }

  void forget(InstancePool pool) {
    entries.remove(pool.getMetadata().getUid());
  }

  /** Submits a disk look unless one is in flight, and returns the last answer (this one's, if it ran at once). */
  private Optional<Answer> look(InstancePool pool, CloudProvider cloud, boolean vmsGone) {
    Entry entry = entries.computeIfAbsent(pool.getMetadata().getUid(), uid -> new Entry());
    boolean submit;
    synchronized (entry) {
      submit = !entry.inFlight;
      entry.inFlight = true;
    }
    if (submit) {
      Map<String, String> selector = VmNaming.poolSelector(pool, services.settings().clusterId());
      try {
        calls.execute(() -> answer(pool, ResourceID.fromResource(pool), entry, cloud, selector, vmsGone));
      } catch (RejectedExecutionException e) {
        entry.inFlight = false; // shutting down
      }
    }
    return Optional.ofNullable(entry.last);
  }

  private void answer(InstancePool pool, ResourceID id, Entry entry, CloudProvider cloud,
      Map<String, String> selector, boolean vmsGone) {
    Answer answer;
    try {
      if (vmsGone) {
        deleteDetached(pool, cloud, selector);
      }
      answer = new Answer(cloud.disks(selector).size(), vmsGone, null);
    } catch (RuntimeException e) {
      answer = new Answer(-1, vmsGone, ErrorClassifier.classify(e));
      LOG.warn("pool {}: disk call failed ({}): {}", PoolServices.name(pool), answer.error().kind(),
          answer.error().message());
      services.events().warning(pool, "DiskCallFailed", "Could not list or delete the disks the pool's instances"
          + " left (" + answer.error().kind() + "); tried again at the next look: " + answer.error().message());
    }
    Answer before = entry.last;
    entry.last = answer;
    entry.inFlight = false;
    if (!Objects.equals(before, answer)) {
      wake.accept(id);
    }
  }

  /** Deletes the pool's disks that no VM uses. */
  private void deleteDetached(InstancePool pool, CloudProvider cloud, Map<String, String> selector) {
    List<String> detached = cloud.detachedDisks(selector).stream().map(Disk::id).toList();
    if (detached.isEmpty()) {
      return;
    }
    cloud.deleteDisks(detached);
    LOG.info("pool {}: every instance gone, deleting {} disks left behind: {}", PoolServices.name(pool),
        detached.size(), detached);
    services.events().normal(pool, "DisksDeleted", "Deleting " + detached.size() + " disks no instance uses: "
        + PoolServices.abbreviate(detached));
  }
}
