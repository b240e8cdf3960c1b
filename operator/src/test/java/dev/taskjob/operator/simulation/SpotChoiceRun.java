package dev.taskjob.operator.simulation;

import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.ReceivedEvent;
import dev.taskjob.core.task.Task;
import dev.taskjob.operator.decision.PoolSizing;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.reconciler.pool.ManualClock;
import dev.taskjob.operator.selection.Candidate;
import dev.taskjob.operator.selection.CostRanking;
import dev.taskjob.operator.selection.InstanceConstraints;
import dev.taskjob.operator.selection.InstanceSelector;
import dev.taskjob.operator.selection.InterruptionHistory;
import dev.taskjob.operator.selection.InterruptionRate;
import dev.taskjob.operator.selection.Selection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One job in a simulated region offering two spot types, each in its own {@link SimulatedCloud} with its
 * own interruption rate, sharing one queue. Each look the chooser picks the type for new VMs: by price
 * per slot (what {@link InstanceSelector} ranks first) or by expected cost per completed task
 * ({@link CostRanking}) with rates learned only from the interruptions this run observes (no user hint;
 * a type not yet observed gets the default prior). VMs already running keep running; new and replacement
 * VMs take the current choice. The pool is sized by {@link PoolSizing}; the bill is the clouds' own.
 */
final class SpotChoiceRun {

  enum Chooser { CHEAPEST_PRICE, EXPECTED_COST }

  /** A spot type offered in one zone at one price, interrupted at one rate. */
  record Offer(String name, int vcpus, double spotPricePerHour, double interruptionsPerHour) {}

  /** What one run measured. */
  record Result(double bill, long completed, Duration makespan, InterruptionRate cheapRateAtOneHour,
      String choiceAtOneHour, long interruptions) {
    double costPerCompletedTask() {
      return bill / completed;
    }
  }

  static final String ZONE = "sim-1a";
  private static final Duration STEP = Duration.ofSeconds(10);
  private static final Duration HORIZON = Duration.ofDays(4);

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final Trace trace = new Trace(clock);
  private final Chooser chooser;
  private final Duration taskDuration;
  private final int tasks;
  private final int maxInstances;
  private final List<Offer> offers;
  private final Map<String, SimulatedCloud> clouds = new LinkedHashMap<>();
  private final Map<String, SimulatedWorkers> workers = new LinkedHashMap<>();
  private final SimulatedQueue queue;
  private final Ledger ledger;
  private final InstanceCatalog catalog;
  private final InstanceConstraints constraints = InstanceConstraints.builder().spot(true).build();
  private final InterruptionHistory history = new InterruptionHistory();
  private final Map<String, Set<String>> seenEnded = new LinkedHashMap<>();
  private long created;
  private long interruptions;

  SpotChoiceRun(long seed, Chooser chooser, List<Offer> offers, Duration taskDuration, int tasks, int maxInstances) {
    this.chooser = chooser;
    this.offers = offers;
    this.taskDuration = taskDuration;
    this.tasks = tasks;
    this.maxInstances = maxInstances;
    SplittableRandom random = new SplittableRandom(seed);
    queue = new SimulatedQueue(new QueueSettings("spot-choice", Duration.ofMinutes(2),
        QueueSettings.deliveriesFor(1_000)), clock, random.split(), new Faults(0));
    List<SimulatedWorkers.Program> programs = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      programs.add(new SimulatedWorkers.Program(0, taskDuration));
    }
    List<InstanceType> types = new ArrayList<>();
    for (Offer o : offers) {
      InstanceType type = new InstanceType(o.name(), o.vcpus(), o.vcpus() * 4.0, Architecture.X86_64, 0, 0, null,
          false, true, List.of(ZONE), o.spotPricePerHour() * 3, Map.of(ZONE, o.spotPricePerHour()),
          PriceSource.SNAPSHOT);
      types.add(type);
      Faults faults = new Faults(o.interruptionsPerHour());
      SimulatedCloud cloud = new SimulatedCloud(type, List.of(ZONE), clock, random.split(), faults, trace);
      clouds.put(o.name(), cloud);
      workers.put(o.name(), new SimulatedWorkers(cloud, queue, programs, o.vcpus(), 1, clock, faults, trace));
      seenEnded.put(o.name(), new HashSet<>());
    }
    catalog = new InstanceCatalog("simulated", "sim-1", types, clock.instant(), SimulatedCloud.DISK);
    ledger = new Ledger(tasks);
  }

  Result run() {
    Instant start = clock.instant();
    queue.ensure();
    List<Task> all = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      all.add(new Task("task-" + i, null, i));
    }
    queue.send(all);
    InterruptionRate cheapAtOneHour = null;
    String choiceAtOneHour = null;
    String cheapest = offers.stream().min((a, b) -> Double.compare(a.spotPricePerHour() / a.vcpus(),
        b.spotPricePerHour() / b.vcpus())).orElseThrow().name();
    while (!ledger.allFinished() && clock.instant().isBefore(start.plus(HORIZON))) {
      clock.advance(STEP);
      clouds.values().forEach(c -> c.tick(STEP));
      workers.values().forEach(w -> w.tick(false));
      look();
      if (cheapAtOneHour == null && !clock.instant().isBefore(start.plus(Duration.ofHours(1)))) {
        cheapAtOneHour = InterruptionRate.estimate(history, cheapest, ZONE, null, clock.instant());
        choiceAtOneHour = choose().typeName();
      }
    }
    Duration makespan = Duration.between(start, clock.instant());
    for (SimulatedCloud cloud : clouds.values()) {
      cloud.terminate(cloud.vms().stream().filter(vm -> vm.state.isAlive()).map(vm -> vm.id).toList());
    }
    double bill = clouds.values().stream().mapToDouble(SimulatedCloud::bill).sum();
    return new Result(bill, ledger.succeeded(), makespan, cheapAtOneHour, choiceAtOneHour, interruptions);
  }

  /** One look: results into the ledger, interruptions into the history, the pool topped up with the choice. */
  private void look() {
    Instant now = clock.instant();
    List<ReceivedEvent> events = queue.receiveEvents(10_000, Duration.ZERO);
    events.forEach(e -> ledger.apply(e.event()));
    queue.ackEvents(events);
    double stepHours = STEP.toMillis() / 3_600_000.0;
    for (Map.Entry<String, SimulatedCloud> e : clouds.entrySet()) {
      int running = 0;
      int interrupted = 0;
      for (SimulatedCloud.Vm vm : e.getValue().vms()) {
        if (vm.state == InstanceState.RUNNING) {
          running++;
        } else if (vm.state == InstanceState.PREEMPTED && seenEnded.get(e.getKey()).add(vm.id)) {
          running++;
          interrupted++;
        }
      }
      interruptions += interrupted;
      if (running > 0) {
        history.record(e.getKey(), ZONE, running * stepHours, interrupted, now);
      }
    }
    Candidate choice = choose();
    int perInstance = choice.slots();
    int desired = PoolSizing.size(ledger.remaining(), perInstance, choice.type().vcpus(), choice.pricePerHour(),
        new PoolSizing.Budget(0, maxInstances, null, null)).instances();
    long alive = clouds.values().stream().flatMap(c -> c.vms().stream()).filter(vm -> vm.state.isAlive()).count();
    for (long i = alive; i < desired; i++) {
      created++;
      clouds.get(choice.typeName()).create(new CreateInstanceRequest("vm-" + created, "vm-" + created,
          choice.typeName(), ZONE, true, Map.of("job", "spot-choice"), "sim", 10, null, Map.of(), null));
    }
    long extra = alive - desired;
    for (Map.Entry<String, SimulatedCloud> e : clouds.entrySet()) {
      List<String> idle = new ArrayList<>();
      for (SimulatedCloud.Vm vm : e.getValue().vms()) {
        SimulatedWorkers.Worker w = workers.get(e.getKey()).workers().get(vm.id);
        if (extra - idle.size() > 0 && vm.state.isAlive() && (w == null || w.runningTasks() == 0)) {
          idle.add(vm.id);
        }
      }
      if (!idle.isEmpty()) {
        e.getValue().terminate(idle);
        extra -= idle.size();
      }
    }
  }

  private Candidate choose() {
    Selection selection = InstanceSelector.select(catalog, constraints);
    if (chooser == Chooser.CHEAPEST_PRICE) {
      return selection.best();
    }
    var measured = ledger.elapsedTimes();
    CostRanking.TaskDuration task = CostRanking.TaskDuration.of(
        measured.count() == 0 ? null : Duration.ofMillis(Math.round(measured.mean() * 1000)), measured.count(),
        taskDuration);
    return CostRanking.rank(selection, constraints, new CostRanking.Inputs(task, CostRanking.DEFAULT_RELAUNCH,
        history, null, clock.instant())).best().candidate();
  }
}
