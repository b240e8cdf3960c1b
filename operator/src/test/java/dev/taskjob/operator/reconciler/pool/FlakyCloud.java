package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.CloudException;
import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory cloud whose {@code list} can be made to fail (throttled) a given number of times in a row,
 * and whose VMs can be preempted. VMs run as soon as they are created. One instance type, $0.10/hour.
 */
final class FlakyCloud implements CloudProvider {

  static final String TYPE = "small";
  static final double PRICE = 0.10;

  private final Clock clock;
  private final List<InstanceType> types;
  private final Map<String, Instance> vms = new LinkedHashMap<>();
  /** Every VM ever created, with when it ended: what this cloud bills, whether it still lists the VM or not. */
  private final Map<String, Instant[]> lives = new LinkedHashMap<>();
  private int listFailuresLeft;
  private int listCalls;

  FlakyCloud(Clock clock) {
    this(clock, List.of(new InstanceType(TYPE, 2, 4.0, Architecture.X86_64, 0, 0, null, false, false, List.of(),
        PRICE, Map.of(), PriceSource.OVERRIDE)));
  }

  /** A cloud offering these types; a VM lands in the zone its create asks for, else zone-a. */
  FlakyCloud(Clock clock, List<InstanceType> types) {
    this.clock = clock;
    this.types = List.copyOf(types);
  }

  /** The provider module the operator is given, answering for {@code provider}. */
  ProviderModule module(String provider) {
    FlakyCloud cloud = this;
    return new ProviderModule() {
      @Override
      public String name() {
        return provider;
      }

      @Override
      public CloudProvider cloud(ProviderConfig config) {
        return cloud;
      }

      @Override
      public TaskQueue queue(ProviderConfig config, QueueSettings settings) {
        throw new UnsupportedOperationException("a pool needs no queue");
      }
    };
  }

  private RuntimeException createError;
  private int createCalls;
  /** Ids named by each terminate call, one entry per id per call. */
  private final List<String> terminated = new java.util.ArrayList<>();
  private int terminateRefusalsLeft;
  private RuntimeException terminateError;
  /** Disks no VM uses, by id, each with the tags of the VM that left it. */
  private final Map<String, Map<String, String>> leftDisks = new LinkedHashMap<>();
  private int diskDeleteRefusalsLeft;
  private RuntimeException diskDeleteError;

  /** The next {@code times} terminate calls fail with {@code error}, ending no VM. */
  synchronized void refuseTerminates(int times, RuntimeException error) {
    terminateRefusalsLeft = times;
    terminateError = error;
  }

  /** Every id each terminate call named, refused calls included. */
  synchronized List<String> terminateRequests() {
    return List.copyOf(terminated);
  }

  /** The VM leaves its boot disk behind once it is gone (a GCE VM preempted with its disk kept). */
  synchronized void leaveDiskOf(String vmId) {
    leftDisks.put("disk-" + vmId, vms.get(vmId).tags());
  }

  /** The next {@code times} disk deletions fail with {@code error}, deleting nothing. */
  synchronized void refuseDiskDeletes(int times, RuntimeException error) {
    diskDeleteRefusalsLeft = times;
    diskDeleteError = error;
  }

  synchronized List<String> diskIds() {
    return List.copyOf(leftDisks.keySet());
  }

  @Override
  public synchronized List<String> disks(Map<String, String> tags) {
    return leftDisks.entrySet().stream().filter(d -> d.getValue().entrySet().containsAll(tags.entrySet()))
        .map(Map.Entry::getKey).toList();
  }

  /** A left disk is detached once its VM is terminated. */
  @Override
  public synchronized List<dev.taskjob.core.cloud.Disk> detachedDisks(Map<String, String> tags) {
    return disks(tags).stream().filter(d -> {
      Instance vm = vms.get(d.substring("disk-".length()));
      return vm == null || vm.state() == InstanceState.TERMINATED;
    }).map(d -> new dev.taskjob.core.cloud.Disk(d, leftDisks.get(d), null)).toList();
  }

  @Override
  public synchronized void deleteDisks(Collection<String> diskIds) {
    if (diskDeleteRefusalsLeft > 0) {
      diskDeleteRefusalsLeft--;
      throw diskDeleteError;
    }
    diskIds.forEach(leftDisks::remove);
  }

  synchronized void failListing(int times) {
    listFailuresLeft = times;
  }

  synchronized int listCalls() {
    return listCalls;
  }

  /** Every create from now on fails with {@code error}, as a cloud refusing the request does. */
  synchronized void refuseCreates(RuntimeException error) {
    createError = error;
  }

  synchronized int createCalls() {
    return createCalls;
  }

  /** The cloud reclaims these VMs (a spot interruption); like EC2, it does not say when. */
  synchronized void preempt(List<String> ids) {
    ids.forEach(id -> vms.computeIfPresent(id, (k, vm) -> withState(vm, InstanceState.PREEMPTED)));
    ids.forEach(id -> lives.get(id)[1] = clock.instant());
  }

  /** The cloud stops listing these VMs, as Compute Engine does once it deleted one. */
  synchronized void forget(List<String> ids) {
    ids.forEach(vms::remove);
  }

  /** USD billed for every VM ever created until now: launch to end at {@link #PRICE}, continuously. */
  synchronized double bill() {
    double usd = 0;
    for (Instant[] life : lives.values()) {
      Instant end = life[1] == null ? clock.instant() : life[1];
      usd += PRICE * Duration.between(life[0], end).toMillis() / 3_600_000.0;
    }
    return usd;
  }

  /** The VMs each stop notice named, one entry per VM per call. */
  final List<String> stopNotices = new java.util.concurrent.CopyOnWriteArrayList<>();

  @Override
  public void sendStopNotice(Collection<String> instanceIds) {
    stopNotices.addAll(instanceIds);
  }

  synchronized List<Instance> inState(InstanceState state) {
    return vms.values().stream().filter(vm -> vm.state() == state).toList();
  }

  @Override
  public String name() {
    return "flaky";
  }

  @Override
  public InstanceCatalog catalog() {
    return new InstanceCatalog("flaky", "test", types, clock.instant());
  }

  @Override
  public synchronized Instance create(CreateInstanceRequest request) {
    createCalls++;
    if (createError != null) {
      throw createError;
    }
    String id = request.name();
    Instance vm = new Instance(id, request.name(), request.instanceType(),
        request.zone() == null ? "zone-a" : request.zone(), request.spot(),
        InstanceState.RUNNING, clock.instant(), request.tags());
    if (vms.putIfAbsent(id, vm) == null) {
      lives.put(id, new Instant[] {vm.launchTime(), null});
    }
    return vms.get(id);
  }

  @Override
  public synchronized List<Instance> list(Map<String, String> tags) {
    listCalls++;
    if (listFailuresLeft > 0) {
      listFailuresLeft--;
      throw new CloudException("Throttling: rate exceeded", true);
    }
    return vms.values().stream().filter(vm -> vm.tags().entrySet().containsAll(tags.entrySet())).toList();
  }

  @Override
  public synchronized void terminate(Collection<String> instanceIds) {
    terminated.addAll(instanceIds);
    if (terminateRefusalsLeft > 0) {
      terminateRefusalsLeft--;
      throw terminateError;
    }
    for (String id : instanceIds) {
      Instance vm = vms.get(id);
      if (vm != null && vm.state() != InstanceState.TERMINATED) {
        if (vm.state().isAlive()) {
          lives.get(id)[1] = clock.instant();
        }
        // a VM ended on request is listed with its end, as EC2 says "User initiated (time)"
        vms.put(id, new Instance(vm.id(), vm.name(), vm.instanceType(), vm.zone(), vm.spot(),
            InstanceState.TERMINATED, vm.launchTime(), vm.tags(), vm.state().isAlive() ? clock.instant() : null));
      }
    }
  }

  private static Instance withState(Instance vm, InstanceState state) {
    return new Instance(vm.id(), vm.name(), vm.instanceType(), vm.zone(), vm.spot(), state, vm.launchTime(),
        vm.tags());
  }
}
