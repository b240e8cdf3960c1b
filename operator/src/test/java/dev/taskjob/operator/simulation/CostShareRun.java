package dev.taskjob.operator.simulation;

import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.ReceivedEvent;
import dev.taskjob.core.task.Task;
import dev.taskjob.operator.decision.CostBreakdown;
import dev.taskjob.operator.decision.CostMeter;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.progress.SlotUsage;
import dev.taskjob.operator.reconciler.pool.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One job in the simulated cloud whose bill is split by what the operator observes: the workers' task
 * events ({@code task_started} included) into {@link SlotUsage}, the cloud's VM list into the pool's
 * {@link CostMeter} account, and the split by {@link CostBreakdown}. Two zones at different spot prices
 * with random interruption rates, random boot delays, task durations, slots and pool size; VMs replaced
 * when interrupted, and each ended after a random idle delay once no task is left for it. Alongside, the
 * run counts the busy slot-seconds itself at every step (the truth the events are checked against); task
 * durations are whole steps, so that count is exact.
 */
final class CostShareRun {

  static final Duration STEP = Duration.ofSeconds(10);
  private static final Duration HORIZON = Duration.ofDays(3);
  private static final CostMeter.Billing BILLING = CostMeter.Billing.GCE;
  private static final List<String> ZONES = List.of("sim-1a", "sim-1b");
  private static final Map<String, String> TAGS = Map.of("job", "cost-shares");

  /**
   * What one run measured.
   *
   * @param cloudBill what the simulated cloud billed
   * @param poolBill what the pool's account (the operator's view of the VM list) billed
   * @param shares the split of the pool's account, before it is fitted to the pool's bill
   * @param busyUsd the slot-seconds the workers were busy, counted at every step, at each VM's price per slot
   */
  record Result(long seed, double cloudBill, double poolBill, CostBreakdown.Shares shares, double busyUsd,
      long completed, int tasks, long interruptions) {}

  private final long seed;
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final Trace trace = new Trace(clock);
  private final Faults faults;
  private final SimulatedCloud cloud;
  private final SimulatedQueue queue;
  private final SimulatedWorkers workers;
  private final Ledger ledger;
  private final SlotUsage usage = new SlotUsage();
  private final int tasks;
  private final int slots;
  private final int maxInstances;
  private final Duration idleBeforeEnd;
  private final Map<String, Instant> idleSince = new HashMap<>();
  private CostMeter.Account account = CostMeter.Account.EMPTY;
  private double busyUsd;
  private long created;

  CostShareRun(long seed) {
    this.seed = seed;
    SplittableRandom random = new SplittableRandom(seed);
    int vcpus = 1 << random.nextInt(3);
    slots = vcpus;
    InstanceType type = SimulatedCloud.spotType("sim." + vcpus + "x", vcpus, ZONES, random);
    faults = new Faults(random.nextDouble() * 0.3, random.nextDouble() * 0.3);
    tasks = 20 + random.nextInt(300);
    Duration mean = Duration.ofSeconds(300 + random.nextInt(3300));
    List<SimulatedWorkers.Program> programs = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      // whole steps, so that the busy slot-seconds counted at each step are exactly what ran
      long steps = Math.max(1, (long) Math.ceil(-Math.log(1 - random.nextDouble()) * mean.toSeconds() / 10));
      long seconds = steps * STEP.toSeconds();
      programs.add(new SimulatedWorkers.Program(0, Duration.ofSeconds(seconds)));
    }
    maxInstances = 1 + random.nextInt(10);
    idleBeforeEnd = Duration.ofSeconds(random.nextInt(301));
    cloud = new SimulatedCloud(type, ZONES, clock, random.split(), faults, trace);
    queue = new SimulatedQueue(new QueueSettings("cost-shares", Duration.ofMinutes(2),
        QueueSettings.deliveriesFor(1_000)), clock, random.split(), new Faults(0));
    workers = new SimulatedWorkers(cloud, queue, programs, slots, 1, clock, faults, trace);
    workers.reportStarts();
    ledger = new Ledger(tasks);
  }

  Result run() {
    queue.ensure();
    List<Task> all = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      all.add(new Task("task-" + i, null, i));
    }
    queue.send(all);
    Instant end = clock.instant().plus(HORIZON);
    while (clock.instant().isBefore(end)) {
      clock.advance(STEP);
      cloud.tick(STEP);
      workers.tick(ledger.allFinished());
      countBusySlots();
      look();
      if (ledger.allFinished() && alive().isEmpty()) {
        break;
      }
    }
    // one more look after the last VM ended, as the pool's next reconcile takes
    clock.advance(STEP);
    look();
    Instant now = clock.instant();
    return new Result(seed, cloud.bill(), account.total(BILLING, now), usage.shares(BILLING, now), busyUsd,
        ledger.succeeded(), tasks, faults.injected().getOrDefault(Faults.Kind.SPOT_INTERRUPTION, 0L));
  }

  /** The truth: each running task holds its slot until the next step, at its VM's price per slot. */
  private void countBusySlots() {
    for (SimulatedWorkers.Worker w : workers.workers().values()) {
      SimulatedCloud.Vm vm = vm(w.vmId);
      busyUsd += w.runningTasks() * STEP.toSeconds() / 3600.0 * cloud.price(vm.zone) / slots;
    }
  }

  /** One look as the operator takes it: events into the ledger and the slot usage, the VM list into the bill. */
  private void look() {
    Instant now = clock.instant();
    List<ReceivedEvent> events = queue.receiveEvents(100_000, Duration.ZERO);
    for (ReceivedEvent e : events) {
      ledger.apply(e.event());
      usage.record(e.event());
    }
    queue.ackEvents(events);
    List<Instance> listed = cloud.list(TAGS);
    List<CostMeter.Seen> seen = new ArrayList<>();
    for (Instance i : listed) {
      seen.add(new CostMeter.Seen(i.id(), i.launchTime(), i.state().isAlive(), i.endTime(), cloud.price(i.zone())));
    }
    account = CostMeter.update(account, seen, BILLING, now);
    List<SlotUsage.Bill> bills = new ArrayList<>();
    account.open().forEach((id, life) -> bills.add(new SlotUsage.Bill(id, life)));
    usage.observe(bills, slots, cloud.price(ZONES.get(0)) / slots, BILLING, now);
    scale(now);
  }

  /** Keeps as many VMs as the remaining tasks need (up to the cap); a VM idle with nothing left for it ends. */
  private void scale(Instant now) {
    long remaining = ledger.remaining();
    long wanted = Math.min(maxInstances, (remaining + slots - 1) / slots);
    List<SimulatedCloud.Vm> alive = alive();
    List<String> terminate = new ArrayList<>();
    long kept = alive.size();
    for (SimulatedCloud.Vm vm : alive) {
      SimulatedWorkers.Worker w = workers.workers().get(vm.id);
      boolean idle = w != null && w.runningTasks() == 0;
      if (!idle) {
        idleSince.remove(vm.id);
        continue;
      }
      Instant since = idleSince.computeIfAbsent(vm.id, id -> now);
      if (kept > wanted && !now.isBefore(since.plus(idleBeforeEnd))) {
        terminate.add(vm.id);
        kept--;
      }
    }
    if (!terminate.isEmpty()) {
      cloud.terminate(terminate);
    }
    for (long i = kept; i < wanted; i++) {
      created++;
      String zone = ZONES.get((int) (created % ZONES.size()));
      cloud.create(new CreateInstanceRequest("vm-" + created, "vm-" + created, cloud.type.name(), zone, true, TAGS,
          "sim", 10, null, Map.of(), null));
    }
  }

  private List<SimulatedCloud.Vm> alive() {
    return cloud.vms().stream().filter(vm -> vm.state.isAlive()).toList();
  }

  private SimulatedCloud.Vm vm(String id) {
    return cloud.vms().stream().filter(v -> v.id.equals(id)).findFirst().orElseThrow();
  }
}
