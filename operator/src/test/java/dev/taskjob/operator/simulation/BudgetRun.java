package dev.taskjob.operator.simulation;

import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.ReceivedEvent;
import dev.taskjob.core.task.Task;
import dev.taskjob.operator.decision.BudgetLimit;
import dev.taskjob.operator.decision.PoolSizing;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.reconciler.pool.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One job with a dollar budget in the simulated cloud: random task durations, a random spot interruption
 * rate, a pool sized by {@link PoolSizing} and held by {@link BudgetLimit} to what is left of the budget. The
 * spend is the cloud's own bill (per VM, launch to termination, per second, one-minute minimum), as the exact
 * accrual reports it. VMs beyond the limit stop taking tasks and are terminated once idle or after the grace
 * period. The run ends when every task has a result, or when the budget holds the pool at 0 and no VM is left.
 */
final class BudgetRun {

  static final Duration STEP = Duration.ofSeconds(10);
  static final String ZONE = "sim-1a";
  private static final Duration HORIZON = Duration.ofDays(3);

  /** What one run measured. */
  record Result(double maxCost, double bill, double maxBurnPerHour, long completed, int tasks, boolean exhausted,
      long resumedCompleted) {
    /** The bound the budget promises: maxCost plus one minute of the pool's highest burn. */
    double bound() {
      return maxCost + maxBurnPerHour / 60;
    }
  }

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final Trace trace = new Trace(clock);
  private final SimulatedCloud cloud;
  private final SimulatedQueue queue;
  private final SimulatedWorkers workers;
  private final Ledger ledger;
  private final int tasks;
  private final int slots;
  private final int maxInstances;
  private final Duration grace;
  private final Map<String, Instant> stopAskedAt = new HashMap<>();
  private double maxCost;
  private double maxBurn;
  private boolean exhausted;
  private long created;

  BudgetRun(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int vcpus = 1 << random.nextInt(3);
    slots = vcpus;
    double price = Math.round(0.02 * vcpus * (0.8 + 0.4 * random.nextDouble()) * 10_000) / 10_000.0;
    double interruptions = random.nextDouble() * 0.3;
    InstanceType type = new InstanceType("sim." + vcpus + "x", vcpus, vcpus * 4.0, Architecture.X86_64, 0, 0, null,
        false, true, List.of(ZONE), price * 3, Map.of(ZONE, price), PriceSource.SNAPSHOT);
    tasks = 20 + random.nextInt(300);
    Duration mean = Duration.ofSeconds(30 + random.nextInt(3600));
    List<SimulatedWorkers.Program> programs = new ArrayList<>();
    double workHours = 0;
    for (int i = 0; i < tasks; i++) {
      long seconds = Math.max(1, (long) (-Math.log(1 - random.nextDouble()) * mean.toSeconds()));
      programs.add(new SimulatedWorkers.Program(0, Duration.ofSeconds(seconds)));
      workHours += seconds / 3600.0;
    }
    maxInstances = 1 + random.nextInt(10);
    grace = Duration.ofSeconds(random.nextInt(121));
    // Between a tenth and twice what the work costs at full use, so some jobs finish and some run out.
    maxCost = workHours / slots * price * (0.1 + 1.9 * random.nextDouble());
    Faults faults = new Faults(interruptions);
    cloud = new SimulatedCloud(type, List.of(ZONE), clock, random.split(), faults, trace);
    queue = new SimulatedQueue(new QueueSettings("budget", Duration.ofMinutes(2), QueueSettings.deliveriesFor(1_000)),
        clock, random.split(), new Faults(0));
    workers = new SimulatedWorkers(cloud, queue, programs, slots, 1, clock, faults, trace);
    ledger = new Ledger(tasks);
  }

  /** Runs until done or held at 0; then, with {@code raiseBy} > 0, raises the budget by that much and goes on. */
  Result run(double raiseBy) {
    queue.ensure();
    List<Task> all = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      all.add(new Task("task-" + i, null, i));
    }
    queue.send(all);
    runUntilDoneOrHeld();
    boolean wasExhausted = exhausted;
    long completedAtExhaustion = ledger.succeeded();
    if (raiseBy > 0 && exhausted) {
      maxCost += raiseBy;
      runUntilDoneOrHeld();
    }
    return new Result(maxCost, cloud.bill(), maxBurn, ledger.succeeded(), tasks, wasExhausted,
        ledger.succeeded() - completedAtExhaustion);
  }

  private void runUntilDoneOrHeld() {
    Instant end = clock.instant().plus(HORIZON);
    while (clock.instant().isBefore(end)) {
      clock.advance(STEP);
      cloud.tick(STEP);
      workers.tick(false);
      look();
      if (ledger.allFinished() && alive().isEmpty()) {
        return;
      }
      if (exhausted && alive().isEmpty()) {
        return;
      }
    }
  }

  private void look() {
    Instant now = clock.instant();
    List<ReceivedEvent> events = queue.receiveEvents(10_000, Duration.ZERO);
    events.forEach(e -> ledger.apply(e.event()));
    queue.ackEvents(events);
    double price = cloud.price(ZONE);
    maxBurn = Math.max(maxBurn, alive().size() * price);
    int wanted = PoolSizing.size(ledger.remaining(), slots, cloud.type.vcpus(), price,
        new PoolSizing.Budget(0, maxInstances, null, null)).instances();
    BudgetLimit.Result limit = BudgetLimit.decide(new BudgetLimit.Inputs(maxCost, cloud.bill(), price, wanted, STEP,
        grace));
    exhausted = limit.verdict() == BudgetLimit.Verdict.EXHAUSTED;
    int desired = limit.instances();
    List<SimulatedCloud.Vm> alive = alive();
    // Beyond the limit: the idlest VMs stop taking tasks, and go once idle or after the grace period.
    List<SimulatedCloud.Vm> byLoad = new ArrayList<>(alive);
    byLoad.sort(Comparator.comparingInt(vm -> running(vm.id)));
    for (int i = 0; i < byLoad.size() - desired; i++) {
      SimulatedCloud.Vm vm = byLoad.get(i);
      stopAskedAt.putIfAbsent(vm.id, now);
      workers.stopLeasing(vm.id);
    }
    List<String> terminate = new ArrayList<>();
    for (SimulatedCloud.Vm vm : alive) {
      Instant asked = stopAskedAt.get(vm.id);
      if (asked != null && (running(vm.id) == 0 || !now.isBefore(asked.plus(grace)))) {
        terminate.add(vm.id);
      }
    }
    if (!terminate.isEmpty()) {
      cloud.terminate(terminate);
    }
    long kept = alive.stream().filter(vm -> !stopAskedAt.containsKey(vm.id)).count();
    for (long i = kept; i < desired; i++) {
      created++;
      cloud.create(new CreateInstanceRequest("vm-" + created, "vm-" + created, cloud.type.name(), ZONE, true,
          Map.of("job", "budget"), "sim", 10, null, Map.of(), null));
    }
    maxBurn = Math.max(maxBurn, alive().size() * price);
  }

  private List<SimulatedCloud.Vm> alive() {
    return cloud.vms().stream().filter(vm -> vm.state.isAlive()).toList();
  }

  private int running(String vmId) {
    SimulatedWorkers.Worker w = workers.workers().get(vmId);
    return w == null ? 0 : w.runningTasks();
  }
}
