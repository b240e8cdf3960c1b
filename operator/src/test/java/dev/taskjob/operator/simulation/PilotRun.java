package dev.taskjob.operator.simulation;

import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.ReceivedEvent;
import dev.taskjob.core.task.Task;
import dev.taskjob.crds.v1alpha1.shared.InstanceRequirements;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import dev.taskjob.operator.decision.JobPlan;
import dev.taskjob.operator.decision.PilotDecision;
import dev.taskjob.operator.decision.PoolSizing;
import dev.taskjob.operator.decision.PricedPlan;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.reconciler.pool.ManualClock;
import dev.taskjob.operator.selection.Candidate;
import dev.taskjob.operator.selection.CostRanking;
import dev.taskjob.operator.selection.InstanceConstraints;
import dev.taskjob.operator.selection.InstanceSelector;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One job with a pilot in a simulated region of one spot type: task run times are drawn per task from a
 * log-normal distribution the planner is never told. {@link PilotDecision} holds the pool at one VM until the
 * pilot's tasks have finished; then {@link JobPlan} prices the tasks that remain from the ledger's measured
 * mean through {@link PricedPlan}, as the operator does for {@code spec.pilot}, and the pool grows, sized by {@link PoolSizing}. The
 * prediction is the time and bill of the pilot plus the plan for the rest; the run gives the real ones.
 */
final class PilotRun {

  /** The prediction made when the pilot ended, and what the run measured. */
  record Result(Duration pilotTime, double pilotBill, Duration measuredMean, long measuredTasks, JobPlan.Estimate rest,
      Duration makespan, double bill, long completed, Duration trueMean) {

    Duration predictedMakespan() {
      return pilotTime.plus(rest.makespan());
    }

    double predictedBill() {
      return pilotBill + rest.cost();
    }
  }

  static final String ZONE = "sim-1a";
  private static final Duration STEP = Duration.ofSeconds(10);
  private static final Duration HORIZON = Duration.ofDays(7);

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final int tasks;
  private final int pilotTasks;
  private final int maxInstances;
  private final double ratePerHour;
  private final SimulatedCloud cloud;
  private final SimulatedWorkers workers;
  private final SimulatedQueue queue;
  private final Ledger ledger;
  private final InstanceCatalog catalog;
  private final InstanceConstraints constraints = InstanceConstraints.builder().spot(true).build();
  private final Duration trueMean;
  private long created;

  /**
   * @param medianTask the median of the tasks' run times; they are log-normal with {@code sigma}
   * @param ratePerHour interruptions per VM-hour, also given to the planner (as {@code interruptionsPerHour})
   */
  PilotRun(long seed, SpotChoiceRun.Offer offer, Duration medianTask, double sigma, int tasks, int pilotTasks,
      int maxInstances) {
    this.tasks = tasks;
    this.pilotTasks = pilotTasks;
    this.maxInstances = maxInstances;
    this.ratePerHour = offer.interruptionsPerHour();
    SplittableRandom random = new SplittableRandom(seed);
    queue = new SimulatedQueue(new QueueSettings("pilot", Duration.ofMinutes(2), QueueSettings.deliveriesFor(1_000)),
        clock, random.split(), new Faults(0));
    SplittableRandom durations = random.split();
    List<SimulatedWorkers.Program> programs = new ArrayList<>();
    long totalMillis = 0;
    for (int i = 0; i < tasks; i++) {
      long millis = Math.round(medianTask.toMillis() * Math.exp(sigma * gaussian(durations)));
      totalMillis += millis;
      programs.add(new SimulatedWorkers.Program(0, Duration.ofMillis(Math.max(1_000, millis))));
    }
    trueMean = Duration.ofMillis(totalMillis / tasks);
    InstanceType type = new InstanceType(offer.name(), offer.vcpus(), offer.vcpus() * 4.0, Architecture.X86_64, 0, 0,
        null, false, true, List.of(ZONE), offer.spotPricePerHour() * 3, Map.of(ZONE, offer.spotPricePerHour()),
        PriceSource.SNAPSHOT);
    Faults faults = new Faults(offer.interruptionsPerHour());
    Trace trace = new Trace(clock);
    cloud = new SimulatedCloud(type, List.of(ZONE), clock, random.split(), faults, trace);
    workers = new SimulatedWorkers(cloud, queue, programs, offer.vcpus(), 1, clock, faults, trace);
    catalog = new InstanceCatalog("simulated", "sim-1", List.of(type), clock.instant(), SimulatedCloud.DISK);
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
    Selection choice = new Selection();
    while (!ledger.allFinished() && clock.instant().isBefore(start.plus(HORIZON))) {
      clock.advance(STEP);
      cloud.tick(STEP);
      workers.tick(false);
      look(start, choice);
    }
    Duration makespan = Duration.between(start, clock.instant());
    cloud.terminate(cloud.vms().stream().filter(vm -> vm.state.isAlive()).map(vm -> vm.id).toList());
    return new Result(choice.pilotTime, choice.pilotBill, choice.measuredMean, choice.measuredTasks, choice.rest,
        makespan, cloud.bill(), ledger.succeeded(), trueMean);
  }

  /** What the pilot's end fixed. */
  private static final class Selection {
    boolean pilotFinished;
    Duration pilotTime;
    double pilotBill;
    Duration measuredMean;
    long measuredTasks;
    JobPlan.Estimate rest;
  }

  /** One look: results into the ledger, the pilot's stage decided, the pool sized within its cap. */
  private void look(Instant start, Selection state) {
    List<ReceivedEvent> events = queue.receiveEvents(10_000, Duration.ZERO);
    events.forEach(e -> ledger.apply(e.event()));
    queue.ackEvents(events);
    PilotDecision.Decision pilot = PilotDecision.decide(new PilotDecision.Inputs(pilotTasks, tasks,
        ledger.succeeded() + ledger.failed(), state.pilotFinished));
    if (pilot.justFinished()) {
      state.pilotFinished = true;
      state.pilotTime = Duration.between(start, clock.instant());
      state.pilotBill = cloud.bill();
      var measured = ledger.elapsedTimes();
      state.measuredMean = Duration.ofMillis(Math.round(measured.mean() * 1000));
      state.measuredTasks = measured.count();
      state.rest = plan(ledger.remaining(), CostRanking.TaskDuration.of(state.measuredMean, measured.count(), null));
    }
    Candidate type = InstanceSelector.select(catalog, constraints).best();
    int desired = PoolSizing.size(ledger.remaining(), type.slots(), type.type().vcpus(), type.pricePerHour(),
        new PoolSizing.Budget(0, maxInstances, null, null)).instances();
    if (pilot.instanceCap() != null) {
      desired = Math.min(desired, pilot.instanceCap());
    }
    long alive = cloud.vms().stream().filter(vm -> vm.state.isAlive()).count();
    for (long i = alive; i < desired; i++) {
      created++;
      cloud.create(new CreateInstanceRequest("vm-" + created, "vm-" + created, type.typeName(), ZONE, true,
          Map.of("job", "pilot"), "sim", 10, null, Map.of(), null));
    }
    long extra = alive - desired;
    List<String> idle = new ArrayList<>();
    for (SimulatedCloud.Vm vm : cloud.vms()) {
      SimulatedWorkers.Worker w = workers.workers().get(vm.id);
      if (extra - idle.size() > 0 && vm.state.isAlive() && (w == null || w.runningTasks() == 0)) {
        idle.add(vm.id);
      }
    }
    if (!idle.isEmpty()) {
      cloud.terminate(idle);
    }
  }

  /** The plan the operator makes when the pilot ends ({@link PricedPlan}): the tasks that remain at the measured time. */
  JobPlan.Estimate plan(long remaining, CostRanking.TaskDuration task) {
    InstanceRequirements instances = new InstanceRequirements();
    instances.setSpot(true);
    instances.setMaxInstances(maxInstances);
    instances.setInterruptionsPerHour(ratePerHour);
    TaskJobSpec spec = new TaskJobSpec();
    spec.setInstances(instances);
    return PricedPlan.price(InstanceSelector.select(catalog, constraints), constraints, spec, remaining, task, 0,
        clock.instant()).plan().chosen();
  }

  /** A standard normal draw (Box-Muller), from the run's own seeded random. */
  private static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }
}
