package dev.taskjob.operator.simulation;

import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.ReceivedEvent;
import dev.taskjob.core.task.Task;
import dev.taskjob.operator.decision.HedgeDecision;
import dev.taskjob.operator.decision.PoolSizing;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.progress.RunningTasks;
import dev.taskjob.operator.reconciler.pool.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One job in the simulated cloud whose tasks take about a minute, except that 1% of runs take ten times
 * as long (a slow run, not a slow input: a second run of the same task is as likely to be quick as any).
 * The pool is sized by {@link PoolSizing} from the tasks that remain; VMs beyond that size go once idle,
 * and every VM goes when the last task has a result (the drain). With hedging, each look feeds the
 * workers' events to the ledger and {@link RunningTasks} and sends the copies {@link HedgeDecision}
 * asks for. The same seed gives the same tasks and the same slow original runs with or without hedging.
 */
final class HedgeRun {

  static final Duration STEP = Duration.ofSeconds(5);
  static final String ZONE = "sim-1a";
  static final int TASKS = 400;
  static final int SLOTS = 4;
  static final int MAX_INSTANCES = 25;
  static final double SLOW_RUNS = 0.01;
  static final int SLOWDOWN = 10;
  private static final Duration HORIZON = Duration.ofDays(1);

  /** What one run measured. */
  record Result(Duration makespan, double bill, long succeeded, long duplicates, int hedged, int slowOriginals) {}

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final Trace trace = new Trace(clock);
  private final SimulatedCloud cloud;
  private final SimulatedQueue queue;
  private final SimulatedWorkers workers;
  private final Ledger ledger = new Ledger(TASKS);
  private final RunningTasks running = new RunningTasks();
  private final Set<Long> hedged = new HashSet<>();
  private final boolean hedging;
  private final boolean[] slowOriginal = new boolean[TASKS];
  private final SplittableRandom copyRuns;
  private int created;

  HedgeRun(long seed, boolean hedging) {
    this.hedging = hedging;
    SplittableRandom random = new SplittableRandom(seed);
    InstanceType type = SimulatedCloud.spotType("sim.4x", SLOTS, List.of(ZONE), random.split());
    List<SimulatedWorkers.Program> programs = new ArrayList<>();
    for (int i = 0; i < TASKS; i++) {
      programs.add(new SimulatedWorkers.Program(0, Duration.ofSeconds(48 + random.nextInt(25))));
      slowOriginal[i] = random.nextDouble() < SLOW_RUNS;
    }
    copyRuns = random.split();
    cloud = new SimulatedCloud(type, List.of(ZONE), clock, random.split(), new Faults(0.0), trace);
    queue = new SimulatedQueue(new QueueSettings("hedge", Duration.ofMinutes(2), QueueSettings.deliveriesFor(1_000)),
        clock, random.split(), new Faults(0.0));
    workers = new SimulatedWorkers(cloud, queue, programs, SLOTS, 1, clock, new Faults(0.0), trace);
    workers.reportStarts();
    workers.runLengths(this::runLength);
  }

  /** A slow original stays slow on every delivery; a hedged copy draws its own luck. */
  private Duration runLength(LeasedTask run, Duration programmed) {
    boolean slow = run.task().hedge() ? copyRuns.nextDouble() < SLOW_RUNS : slowOriginal[(int) run.task().index()];
    return slow ? programmed.multipliedBy(SLOWDOWN) : programmed;
  }

  Result run() {
    Instant start = clock.instant();
    queue.ensure();
    List<Task> all = new ArrayList<>();
    for (int i = 0; i < TASKS; i++) {
      all.add(new Task("task-" + i, null, i));
    }
    queue.send(all);
    Instant end = start.plus(HORIZON);
    while (clock.instant().isBefore(end) && !ledger.allFinished()) {
      clock.advance(STEP);
      cloud.tick(STEP);
      workers.tick(false);
      look();
    }
    Duration makespan = Duration.between(start, clock.instant());
    cloud.terminate(alive().stream().map(vm -> vm.id).toList());
    int slow = 0;
    for (boolean s : slowOriginal) {
      slow += s ? 1 : 0;
    }
    return new Result(makespan, cloud.bill(), ledger.succeeded(), ledger.duplicates(), hedged.size(), slow);
  }

  private void look() {
    Instant now = clock.instant();
    List<ReceivedEvent> events = queue.receiveEvents(10_000, Duration.ZERO);
    for (ReceivedEvent e : events) {
      running.record(e.event(), now);
      ledger.apply(e.event());
    }
    queue.ackEvents(events);
    if (ledger.allFinished()) {
      return;
    }
    int desired = PoolSizing.size(ledger.remaining(), SLOTS, SLOTS, cloud.price(ZONE),
        new PoolSizing.Budget(0, MAX_INSTANCES, null, null)).instances();
    List<SimulatedCloud.Vm> alive = alive();
    List<String> idle = new ArrayList<>();
    for (SimulatedCloud.Vm vm : alive) {
      if (alive.size() - idle.size() > desired && vm.state == InstanceState.RUNNING && busy(vm.id) == 0) {
        idle.add(vm.id);
      }
    }
    if (!idle.isEmpty()) {
      cloud.terminate(idle);
    }
    for (int n = alive.size() - idle.size(); n < desired; n++) {
      created++;
      cloud.create(new CreateInstanceRequest("vm-" + created, "vm-" + created, cloud.type.name(), ZONE, true,
          Map.of("job", "hedge"), "sim", 10, null, Map.of(), null));
    }
    if (hedging) {
      hedge(now);
    }
  }

  private void hedge(Instant now) {
    long runningVms = alive().stream().filter(vm -> vm.state == InstanceState.RUNNING).count();
    long busy = workers.workers().values().stream().mapToInt(SimulatedWorkers.Worker::runningTasks).sum();
    var times = ledger.elapsedTimes();
    HedgeDecision.Result decision = HedgeDecision.decide(new HedgeDecision.Inputs(HedgeDecision.DEFAULT_P90_MULTIPLE,
        HedgeDecision.DEFAULT_MIN_FINISHED, times.count(), Duration.ofNanos(Math.round(times.percentile(90) * 1e9)),
        ledger.remaining(), runningVms * SLOTS, busy, running.unfinished(ledger::isFinished), hedged, now));
    List<Task> copies = new ArrayList<>();
    for (long index : decision.hedge()) {
      copies.add(new Task("task-" + index, null, index).asHedge());
      hedged.add(index);
    }
    if (!copies.isEmpty()) {
      queue.send(copies);
      trace.add("hedged " + decision.hedge());
    }
  }

  private List<SimulatedCloud.Vm> alive() {
    return cloud.vms().stream().filter(vm -> vm.state.isAlive()).toList();
  }

  private int busy(String vmId) {
    SimulatedWorkers.Worker w = workers.workers().get(vmId);
    return w == null ? 0 : w.runningTasks();
  }
}
