package dev.taskjob.operator.simulation;

import dev.taskjob.operator.reconciler.pool.ManualClock;
import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.CapacityException;
import dev.taskjob.core.cloud.CloudException;
import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.DiskPrice;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import dev.taskjob.core.cloud.VmPrice;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One region of a cloud with one spot instance type: VMs boot after a sampled delay, are interrupted
 * at a rate per zone, and bill per second from launch to termination with a one-minute minimum, the
 * instance at its zone's price and its boot disk by its size (as Compute Engine bills pd-balanced). Calls
 * fail with throttling, server errors and capacity errors (every zone but the first may lack
 * capacity), and a create or terminate may do its work and then lose its response.
 */
final class SimulatedCloud implements CloudProvider {

  static final Duration MINIMUM_BILLED = Duration.ofMinutes(1);
  /** The boot disk's list price, USD per GiB-month of 730 hours, and the least size created and billed. */
  static final double DISK_USD_PER_GIB_MONTH = 0.10;
  static final int DISK_MINIMUM_GIB = 10;
  /** The disk price the catalog lists: what the operator prices VMs with (the bill does its own arithmetic). */
  static final DiskPrice DISK = DiskPrice.perGiBMonth(DISK_USD_PER_GIB_MONTH, DISK_MINIMUM_GIB, PriceSource.SNAPSHOT);
  /** The boot disk the runs create their VMs with (the selector's default). */
  static final int BOOT_DISK_GIB = 10;

  /**
   * How a provider announces a spot interruption and lists the VM after it ({@link #interruptionNotice}).
   * The worker polls the notice (AWS {@code spot/instance-action}, GCE {@code instance/preempted}) and stops
   * as PreemptionMonitor and Supervisor make it; the VM powers off when the lead is over.
   */
  enum Notice {
    /**
     * EC2: the notice comes two minutes ahead while the VM runs; once reclaimed it is listed with its end
     * ("Service initiated (time)" in the state transition reason).
     */
    EC2(Duration.ofMinutes(2)),
    /**
     * GCE: the VM is STOPPING for the 30 s of its notice, listed preempted without an end time and still
     * billed; once stopped it is listed with its lastStopTimestamp.
     */
    GCE(Duration.ofSeconds(30));

    final Duration lead;

    Notice(Duration lead) {
      this.lead = lead;
    }
  }

  /** One VM and its bill. */
  static final class Vm {
    final String id;
    final String name;
    final String zone;
    final Map<String, String> tags;
    final Instant launched;
    final Instant runningAt;
    /** The boot disk size billed: the request's, the minimum at least. */
    final int diskGiB;
    InstanceState state = InstanceState.PENDING;
    Instant ended;
    /** When the cloud announced its interruption, or null. */
    Instant noticeAt;
    /** When an announced interruption powers it off, or null. */
    Instant stopsAt;

    Vm(String id, String name, String zone, Map<String, String> tags, Instant launched, Instant runningAt,
        int diskGiB) {
      this.id = id;
      this.diskGiB = diskGiB;
      this.name = name;
      this.zone = zone;
      this.tags = tags;
      this.launched = launched;
      this.runningAt = runningAt;
    }

    /**
     * Reports the end of a VM terminated on request, as EC2 does ("User initiated (time)"); that of a preempted
     * one only with a notice model, else never (the worst case).
     */
    Instance toInstance(String type, boolean endOfPreempted) {
      return new Instance(id, name, type, zone, true, state, launched, tags,
          state == InstanceState.PREEMPTED && !endOfPreempted ? null : ended);
    }

    /** Whether it still runs its worker: alive, or preempted and within its notice. */
    boolean powered(Instant now) {
      return state.isAlive() || state == InstanceState.TERMINATING
          || (stopsAt != null && ended == null && now.isBefore(stopsAt));
    }
  }

  final InstanceType type;
  final List<String> zones;
  private final ManualClock clock;
  private final SplittableRandom random;
  private final Faults faults;
  private final Trace trace;
  private final Duration bootDelayMax;
  private final Map<String, Vm> vms = new LinkedHashMap<>();
  private final Map<String, String> idByKey = new HashMap<>();
  private long nextId;
  /** Whether a running VM asked to terminate waits for its worker to stop (see {@link #workersStopOnTerminate}). */
  private boolean workersStop;
  /** How interruptions are announced; null: none is, the VM goes at once. */
  private Notice notice;

  SimulatedCloud(InstanceType type, List<String> zones, ManualClock clock, SplittableRandom random, Faults faults,
      Trace trace) {
    this.type = type;
    this.zones = zones;
    this.clock = clock;
    this.random = random;
    this.faults = faults;
    this.trace = trace;
    this.bootDelayMax = Duration.ofSeconds(30 + random.nextInt(150));
  }

  /** A spot type of {@code vcpus} whose spot price differs per zone. */
  static InstanceType spotType(String name, int vcpus, List<String> zones, SplittableRandom random) {
    Map<String, Double> spot = new LinkedHashMap<>();
    double base = 0.02 * vcpus;
    for (String z : zones) {
      spot.put(z, Math.round(base * (0.8 + 0.4 * random.nextDouble()) * 10_000) / 10_000.0);
    }
    return new InstanceType(name, vcpus, vcpus * 4.0, Architecture.X86_64, 0, 0, null, false, true, zones,
        base * 3, spot, PriceSource.SNAPSHOT);
  }

  /**
   * From now on a running VM asked to terminate is listed {@code TERMINATING} until its worker has stopped
   * ({@link #stopped}), as EC2's shutting-down lasts while the OS stops the worker's container. Its bill
   * ends at the request, as EC2 bills no shutting-down time, and the listing carries that end.
   */
  void workersStopOnTerminate() {
    workersStop = true;
  }

  /**
   * From now on a spot interruption comes with the provider's notice, and a share of VMs is lost without
   * any ({@link Faults.Kind#VM_LOST}, at {@link Faults#lossesPerHour}).
   */
  void interruptionNotice(Notice notice) {
    this.notice = notice;
  }

  /** The worker on a {@code TERMINATING} VM has stopped: the VM is gone. */
  void stopped(Vm vm) {
    vm.state = InstanceState.TERMINATED;
    trace.add("cloud: " + vm.id + " terminated, its worker stopped");
  }

  /** The operator's hourly price of a VM in {@code zone} with the runs' boot disk: instance plus disk. */
  double price(String zone) {
    return vmPrice(type, zone);
  }

  /** The operator's hourly price of a spot VM of {@code type} in {@code zone} with the runs' boot disk. */
  static double vmPrice(InstanceType type, String zone) {
    InstanceCatalog catalog = new InstanceCatalog("simulated", "sim-1", List.of(type), Instant.EPOCH, DISK);
    return VmPrice.of(catalog, type, BOOT_DISK_GIB, zone, true).orElseThrow().perHour();
  }

  @Override
  public String name() {
    return "simulated";
  }

  @Override
  public InstanceCatalog catalog() {
    return new InstanceCatalog(name(), "sim-1", List.of(type), clock.instant(), DISK);
  }

  @Override
  public Instance create(CreateInstanceRequest request) {
    failMaybe("create");
    String existing = idByKey.get(request.idempotencyKey());
    if (existing != null) {
      return vms.get(existing).toInstance(type.name(), notice != null);
    }
    if (!request.zone().equals(zones.get(0)) && random.nextDouble() < faults.noCapacityRate
        && faults.inject(Faults.Kind.NO_CAPACITY)) {
      trace.add("cloud: no capacity for " + request.instanceType() + " in " + request.zone());
      throw new CapacityException("InsufficientInstanceCapacity in " + request.zone(), request.instanceType(),
          request.zone(), true, null);
    }
    Instant now = clock.instant();
    Vm vm = new Vm("i-" + (++nextId), request.name(), request.zone(), request.tags(), now,
        now.plusSeconds(20 + random.nextLong(bootDelayMax.toSeconds() - 19)),
        Math.max(request.bootDiskGiB(), DISK_MINIMUM_GIB));
    vms.put(vm.id, vm);
    idByKey.put(request.idempotencyKey(), vm.id);
    trace.add("cloud: created " + vm.id + " (" + request.name() + ") in " + vm.zone);
    if (random.nextDouble() < faults.responseLostRate && faults.inject(Faults.Kind.RESPONSE_LOST)) {
      trace.add("cloud: create of " + vm.id + " succeeded, its response was lost");
      throw new CloudException("create timed out", true);
    }
    return vm.toInstance(type.name(), notice != null);
  }

  @Override
  public List<Instance> list(Map<String, String> tags) {
    failMaybe("list");
    List<Instance> found = new ArrayList<>();
    for (Vm vm : vms.values()) {
      if (vm.tags.entrySet().containsAll(tags.entrySet())) {
        found.add(vm.toInstance(type.name(), notice != null));
      }
    }
    return found;
  }

  @Override
  public void terminate(Collection<String> instanceIds) {
    failMaybe("terminate");
    for (String id : instanceIds) {
      Vm vm = vms.get(id);
      if (vm != null && vm.state.isAlive()) {
        boolean workerStops = workersStop && vm.state == InstanceState.RUNNING;
        end(vm, workerStops ? InstanceState.TERMINATING : InstanceState.TERMINATED);
        trace.add("cloud: " + (workerStops ? "terminating " : "terminated ") + id);
      }
    }
    if (random.nextDouble() < faults.responseLostRate && faults.inject(Faults.Kind.RESPONSE_LOST)) {
      trace.add("cloud: terminate succeeded, its response was lost");
      throw new CloudException("terminate timed out", true);
    }
  }

  /**
   * Boots VMs whose delay has passed, interrupts spot VMs at their zone's rate over {@code step} (with the
   * provider's notice when one is modelled), powers off those whose notice is over, and loses VMs without
   * notice at the lifetime's rate.
   */
  void tick(Duration step) {
    Instant now = clock.instant();
    double hours = step.toMillis() / 3_600_000.0;
    for (Vm vm : vms.values()) {
      if (vm.state == InstanceState.PENDING && !now.isBefore(vm.runningAt)) {
        vm.state = InstanceState.RUNNING;
      }
      if (vm.stopsAt != null && vm.ended == null && !now.isBefore(vm.stopsAt)) {
        vm.state = InstanceState.PREEMPTED;
        vm.ended = vm.stopsAt;
        trace.add("cloud: " + vm.id + " reclaimed, its notice over");
      }
      if (vm.state == InstanceState.RUNNING && vm.noticeAt == null) {
        double rate = faults.interruptionsPerHour[zones.indexOf(vm.zone)];
        if (random.nextDouble() < 1 - Math.exp(-rate * hours) && faults.inject(Faults.Kind.SPOT_INTERRUPTION)) {
          interrupt(vm, now);
        } else if (notice != null && random.nextDouble() < 1 - Math.exp(-faults.lossesPerHour * hours)
            && faults.inject(Faults.Kind.VM_LOST)) {
          end(vm, InstanceState.PREEMPTED);
          trace.add("cloud: " + vm.id + " lost without notice");
        }
      }
    }
  }

  private void interrupt(Vm vm, Instant now) {
    if (notice == null) {
      end(vm, InstanceState.PREEMPTED);
      trace.add("cloud: spot interruption of " + vm.id);
      return;
    }
    vm.noticeAt = now;
    vm.stopsAt = now.plus(notice.lead);
    if (notice == Notice.GCE) {
      vm.state = InstanceState.PREEMPTED; // STOPPING after a preemption: listed preempted, billed until stopped
    }
    trace.add("cloud: spot interruption notice for " + vm.id + " (" + notice + "), reclaimed at " + vm.stopsAt);
  }

  Collection<Vm> vms() {
    return vms.values();
  }

  /** The VM with this id (every VM ever created stays listed), or null. */
  Vm vm(String id) {
    return vms.get(id);
  }

  /**
   * What the cloud bills so far: each VM from launch to its end (or now), per second, at least a minute, its
   * instance at its zone's spot price and its boot disk at the list price per GiB-month.
   */
  double bill() {
    Instant now = clock.instant();
    double usd = 0;
    for (Vm vm : vms.values()) {
      Duration billed = Duration.between(vm.launched, vm.ended == null ? now : vm.ended);
      if (billed.compareTo(MINIMUM_BILLED) < 0) {
        billed = MINIMUM_BILLED;
      }
      double diskPerHour = vm.diskGiB * DISK_USD_PER_GIB_MONTH / 730;
      usd += (type.spotPrices().get(vm.zone) + diskPerHour) * billed.toSeconds() / 3600.0;
    }
    return usd;
  }

  private void end(Vm vm, InstanceState state) {
    vm.state = state;
    vm.ended = clock.instant();
  }

  private void failMaybe(String call) {
    double r = random.nextDouble();
    if (r < faults.throttleRate) {
      if (faults.inject(Faults.Kind.THROTTLED)) {
        throw new CloudException(call + ": RequestLimitExceeded", true);
      }
    } else if (r < faults.throttleRate + faults.serverErrorRate && faults.inject(Faults.Kind.SERVER_ERROR)) {
      throw new CloudException(call + ": 503 Service Unavailable", true);
    }
  }
}
