package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's VMs as the cloud last listed them by owner tags, one listing per pool, kept off the reconcile
 * thread: a list runs on its own executor when the timer ({@link #refreshAll}) or a reconcile finds it due,
 * and a listing whose VM set or states differ from the one before wakes the pool. A failed list keeps the
 * last good answer and its time, and records the failure for the reconcile to report. VMs a create round
 * made are added at once, and kept until a list started after their create answers; a pool that asked the
 * cloud to create or terminate VMs lists them again at its next look.
 */
final class VmStates {

  /**
   * @param vms the VMs of the last good list, plus those created since
   * @param listedAt when the last good list started (null: none yet)
   * @param failure the last list's error when it failed, else null
   */
  record Listing(List<Instance> vms, Instant listedAt, RuntimeException failure, Instant failedAt) {

    /** How old the VMs are: the time since the last good list started. */
    Duration age(Instant now) {
      return listedAt == null ? null : Duration.between(listedAt, now);
    }
  }

  /** Where to list one pool's VMs, as its last reconcile resolved it. */
  private record Target(CloudProvider cloud, Map<String, String> selector) {}

  private static final class Entry {
    volatile Target target;
    volatile Listing listing;
    volatile boolean listInFlight;
    /** The pool acted on its VMs since the last list started: the next look lists again. */
    volatile boolean due;
    /** VMs created by this process and not yet listed, with the number of lists started before each. */
    final Map<String, CreatedVm> created = new ConcurrentHashMap<>();
  }

  private record CreatedVm(Instance vm, long listsBefore) {}

  private static final Logger LOG = LoggerFactory.getLogger(VmStates.class);

  private final Executor lists;
  private final Clock clock;
  private final Duration period;
  private final Consumer<ResourceID> wake;
  private final Map<ResourceID, Entry> entries = new ConcurrentHashMap<>();
  /** Lists started so far, numbering each list. */
  private final AtomicLong listsStarted = new AtomicLong();

  /**
   * @param lists runs the cloud's list calls
   * @param period how old a good listing may be before a reconcile asks for a new one
   * @param wake wakes a pool's reconcile
   */
  VmStates(Executor lists, Clock clock, Duration period, Consumer<ResourceID> wake) {
    this.lists = lists;
    this.clock = clock;
    this.period = period;
    this.wake = wake;
  }

  /**
   * The pool's current listing; starts a list first when none is in flight and the listing is missing,
   * failed or older than the period. With a synchronous executor the answer includes that list.
   *
   * @return the listing, or empty while the pool's first list has not answered
   */
  Optional<Listing> observe(InstancePool pool, CloudProvider cloud, Map<String, String> selector) {
    Entry entry = entries.computeIfAbsent(ResourceID.fromResource(pool), id -> new Entry());
    entry.target = new Target(cloud, selector);
    Listing listing = entry.listing;
    Instant now = clock.instant();
    if (entry.due || listing == null || listing.failure() != null
        || !now.isBefore(listing.listedAt().plus(period))) {
      refresh(ResourceID.fromResource(pool), entry);
    }
    return Optional.ofNullable(entry.listing);
  }

  /** The pool's listing as it is now, without asking for a new one. */
  Optional<Listing> cached(InstancePool pool) {
    Entry entry = entries.get(ResourceID.fromResource(pool));
    return entry == null ? Optional.empty() : Optional.ofNullable(entry.listing);
  }

  /** The pool asked the cloud to change its VMs: its next look lists them again. */
  void stale(InstancePool pool) {
    stale(ResourceID.fromResource(pool));
  }

  /** As {@link #stale(InstancePool)}, for a call that answered off the reconcile thread. */
  void stale(ResourceID pool) {
    Entry entry = entries.get(pool);
    if (entry != null) {
      entry.due = true;
    }
  }

  /** The timer's look: a list for every pool a reconcile has followed. */
  void refreshAll() {
    entries.forEach(this::refresh);
  }

  /** Adds the VMs a create round made, so the next reconcile counts them before any list does. */
  void created(ResourceID pool, List<Instance> vms) {
    Entry entry = entries.get(pool);
    if (entry == null || vms.isEmpty()) {
      return;
    }
    long listsBefore = listsStarted.get();
    vms.forEach(vm -> entry.created.put(vm.id(), new CreatedVm(vm, listsBefore)));
    entry.due = true;
    synchronized (entry) {
      Listing listing = entry.listing;
      if (listing != null) {
        entry.listing = new Listing(withCreated(listing.vms(), entry), listing.listedAt(), listing.failure(),
            listing.failedAt());
      }
    }
  }

  /** The pool whose VM has this id or name, if some pool listed or created it. */
  Optional<ResourceID> poolOf(String vmIdOrName) {
    for (Map.Entry<ResourceID, Entry> e : entries.entrySet()) {
      Listing listing = e.getValue().listing;
      if (listing != null && listing.vms().stream()
          .anyMatch(vm -> vmIdOrName.equals(vm.id()) || vmIdOrName.equals(vm.name()))) {
        return Optional.of(e.getKey());
      }
    }
    return Optional.empty();
  }

  void forget(InstancePool pool) {
    entries.remove(ResourceID.fromResource(pool));
  }

  private void refresh(ResourceID pool, Entry entry) {
    Target target = entry.target;
    synchronized (entry) {
      if (target == null || entry.listInFlight) {
        return;
      }
      entry.listInFlight = true;
      entry.due = false;
    }
    Instant started = clock.instant();
    long number = listsStarted.incrementAndGet();
    try {
      lists.execute(() -> list(pool, entry, target, started, number));
    } catch (RejectedExecutionException e) {
      entry.listInFlight = false; // shutting down
    }
  }

  private void list(ResourceID pool, Entry entry, Target target, Instant started, long number) {
    List<Instance> vms = null;
    RuntimeException failure = null;
    try {
      vms = target.cloud().list(target.selector());
    } catch (RuntimeException e) {
      failure = e;
      LOG.debug("pool {}: list failed: {}", pool, e.toString());
    }
    Listing before;
    Listing after;
    synchronized (entry) {
      entry.listInFlight = false;
      before = entry.listing;
      if (failure != null) {
        after = before == null ? new Listing(List.of(), null, failure, clock.instant())
            : new Listing(before.vms(), before.listedAt(), failure, clock.instant());
      } else {
        // A VM created before this list started is in it, or the cloud no longer has it.
        List<Instance> listed = vms;
        entry.created.entrySet().removeIf(c -> c.getValue().listsBefore() < number
            || listed.stream().anyMatch(vm -> vm.id().equals(c.getKey())));
        after = new Listing(withCreated(vms, entry), started, null, null);
      }
      if (entries.get(pool) == entry) {
        entry.listing = after;
      }
    }
    if (changed(before, after)) {
      wake.accept(pool);
    }
  }

  private static List<Instance> withCreated(List<Instance> listed, Entry entry) {
    Map<String, Instance> byId = new LinkedHashMap<>();
    listed.forEach(vm -> byId.put(vm.id(), vm));
    entry.created.values().forEach(c -> byId.putIfAbsent(c.vm().id(), c.vm()));
    return List.copyOf(new ArrayList<>(byId.values()));
  }

  /** A listing wakes the pool when a VM came, went or changed state, or the list began or stopped failing. */
  static boolean changed(Listing before, Listing after) {
    if (before == null) {
      return true;
    }
    if ((before.failure() == null) != (after.failure() == null)) {
      return true;
    }
    return !states(before.vms()).equals(states(after.vms()));
  }

  private static Map<String, String> states(List<Instance> vms) {
    return vms.stream().collect(Collectors.toMap(Instance::id, vm -> Objects.toString(vm.state()), (a, b) -> b));
  }
}
