package dev.taskjob.operator.simulation;

import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.event.EventType;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.ReceivedEvent;
import dev.taskjob.core.task.Task;
import dev.taskjob.operator.decision.PoolSizing;
import dev.taskjob.operator.decision.RightSizing;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.reconciler.pool.ManualClock;
import dev.taskjob.operator.selection.InstanceConstraints;
import dev.taskjob.operator.selection.InstanceSelector;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One job in the simulated cloud whose tasks ask for 8 GiB and 1 vCPU but peak at 1.6 to 2 GiB (a quarter
 * of the ask at most) and keep 0.9 of a core busy, on 8-vCPU, 32-GiB spot VMs. The job starts on one VM
 * until {@link RightSizing#DEFAULT_MIN_MEASURED} tasks have finished (as a pilot does), then the pool is sized
 * by {@link PoolSizing} from the tasks that remain. With auto-sizing, the VMs launched from then on get the
 * slots the real selection ({@link RightSizing#saving}, {@link InstanceSelector}) gives the suggested size;
 * the pilot VM keeps its own. A task counts as killed for memory when its peak exceeds its VM's memory over
 * that VM's slots. The same seed gives the same tasks with and without auto-sizing.
 */
final class RightSizeRun {

  static final Duration STEP = Duration.ofSeconds(15);
  static final String ZONE = "sim-1a";
  static final int TASKS = 400;
  static final int VCPUS = 8;
  static final double ASKED_CPUS = 1;
  static final double ASKED_MEMORY_GIB = 8;
  static final int MAX_INSTANCES = 20;
  private static final long MIB = 1 << 20;
  private static final Duration HORIZON = Duration.ofDays(2);

  /** What one run measured. */
  record Result(double bill, long succeeded, int killedForMemory, int slotsBefore, int slotsAfter,
      Duration makespan) {}

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final Trace trace = new Trace(clock);
  private final SimulatedCloud cloud;
  private final SimulatedQueue queue;
  private final SimulatedWorkers workers;
  private final Ledger ledger = new Ledger(TASKS);
  private final boolean autoSize;
  private final long[] peakBytes = new long[TASKS];
  private final Duration[] durations = new Duration[TASKS];
  private final InstanceCatalog catalog;
  private final InstanceConstraints asked;
  private final Map<String, Integer> slotsByVm = new HashMap<>();
  private final int askedSlots;
  private int slotsForNewVms;
  private int killedForMemory;
  private int created;

  RightSizeRun(long seed, boolean autoSize) {
    this.autoSize = autoSize;
    SplittableRandom random = new SplittableRandom(seed);
    InstanceType type = SimulatedCloud.spotType("sim.8x", VCPUS, List.of(ZONE), random.split());
    catalog = new InstanceCatalog("sim", "sim", List.of(type), Instant.EPOCH, SimulatedCloud.DISK);
    asked = InstanceConstraints.builder().spot(true).cpusPerTask(ASKED_CPUS).memoryPerTaskGiB(ASKED_MEMORY_GIB).build();
    askedSlots = InstanceSelector.select(catalog, asked).best().slots();
    slotsForNewVms = askedSlots;
    List<SimulatedWorkers.Program> programs = new ArrayList<>();
    for (int i = 0; i < TASKS; i++) {
      durations[i] = Duration.ofSeconds(540 + random.nextInt(121));
      peakBytes[i] = (long) ((1.6 + 0.4 * random.nextDouble()) * 1024 * MIB);
      programs.add(new SimulatedWorkers.Program(0, durations[i]));
    }
    cloud = new SimulatedCloud(type, List.of(ZONE), clock, random.split(), new Faults(0.0), trace);
    queue = new SimulatedQueue(new QueueSettings("rightsize", Duration.ofMinutes(15),
        QueueSettings.deliveriesFor(1_000)), clock, random.split(), new Faults(0.0));
    workers = new SimulatedWorkers(cloud, queue, programs, askedSlots, 1, clock, new Faults(0.0), trace);
    workers.slotsPerVm(vmId -> slotsByVm.getOrDefault(vmId, askedSlots));
    workers.measureTasks((index, event) -> event.peakMemoryBytes(peakBytes[index])
        .cpuSeconds(0.9 * durations[index].toSeconds()));
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
    return new Result(cloud.bill(), ledger.succeeded(), killedForMemory, askedSlots, slotsForNewVms, makespan);
  }

  private void look() {
    List<ReceivedEvent> events = queue.receiveEvents(10_000, Duration.ZERO);
    for (ReceivedEvent e : events) {
      if (e.event().eventType() == EventType.TASK_COMPLETED && e.event().peakMemoryBytes() != null) {
        int slots = slotsByVm.getOrDefault(e.event().instanceId(), askedSlots);
        if (e.event().peakMemoryBytes() > cloud.type.memoryGiB() * 1024 * MIB / slots) {
          killedForMemory++;
        }
      }
      ledger.apply(e.event());
    }
    queue.ackEvents(events);
    if (ledger.allFinished()) {
      return;
    }
    boolean measured = ledger.usage().measured() >= RightSizing.DEFAULT_MIN_MEASURED;
    if (autoSize && measured) {
      rightSize();
    }
    int desired = !measured ? 1 : PoolSizing.size(ledger.remaining(), slotsForNewVms, VCPUS, cloud.price(ZONE),
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
      String name = "vm-" + created;
      String id = cloud.create(new CreateInstanceRequest(name, name, cloud.type.name(), ZONE, true,
          Map.of("job", "rightsize"), "sim", 10, null, Map.of(), null)).id();
      slotsByVm.put(id, slotsForNewVms);
    }
  }

  /** The operator's step: the suggestion from the ledger, its slots from the selection. */
  private void rightSize() {
    RightSizing.Inputs inputs = new RightSizing.Inputs(ASKED_CPUS, ASKED_MEMORY_GIB,
        RightSizing.Usage.of(ledger.usage()), RightSizing.DEFAULT_MIN_MEASURED, RightSizing.DEFAULT_MARGIN);
    RightSizing.suggest(inputs).filter(s -> s.smallerThan(inputs))
        .flatMap(s -> RightSizing.saving(catalog, asked, s))
        .ifPresent(saving -> slotsForNewVms = saving.suggested().slots());
  }

  private List<SimulatedCloud.Vm> alive() {
    return cloud.vms().stream().filter(vm -> vm.state.isAlive()).toList();
  }

  private int busy(String vmId) {
    SimulatedWorkers.Worker w = workers.workers().get(vmId);
    return w == null ? 0 : w.runningTasks();
  }
}
