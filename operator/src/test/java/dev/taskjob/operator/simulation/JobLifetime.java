package dev.taskjob.operator.simulation;

import dev.taskjob.operator.reconciler.pool.ManualClock;
import dev.taskjob.core.cloud.CapacityException;
import dev.taskjob.core.cloud.CloudException;
import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueDepth;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.ReceivedEvent;
import dev.taskjob.core.task.Task;
import dev.taskjob.operator.decision.CostMeter;
import dev.taskjob.operator.decision.DrainDecision;
import dev.taskjob.operator.decision.ErrorClassifier;
import dev.taskjob.operator.decision.PoolEmptying;
import dev.taskjob.operator.decision.PoolPlan;
import dev.taskjob.operator.decision.PoolSizing;
import dev.taskjob.operator.decision.ScaleIn;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.ledger.LedgerCodec;
import dev.taskjob.operator.selection.UnavailableOfferings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * One job from start to finish in the simulated cloud, step by step on the simulation's clock. Each
 * step turns the clock, lets the cloud boot and interrupt VMs and the workers run tasks, then takes
 * one look as the operator does: worker events into the real {@link Ledger}, the drain decided by
 * {@link DrainDecision}, the pool sized by {@link PoolSizing} and planned by {@link PoolPlan}, creates
 * falling back by zone through the real {@link UnavailableOfferings}, each VM billed by {@link CostMeter},
 * and every failed call judged by {@link ErrorClassifier}. The invariants are checked after every step.
 */
final class JobLifetime {

  static final Duration STEP = Duration.ofSeconds(10);
  static final Duration HORIZON = Duration.ofDays(3);
  /** Steps still taken after the job finished, to see that nothing of it comes back. */
  private static final int STEPS_AFTER_FINISH = 6;
  private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration HEARTBEAT_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration TERMINATION_DELAY = Duration.ofMinutes(1);
  /** The operator restarts once, at a step drawn among the first this many (two hours); later jobs finish first. */
  private static final int RESTART_WITHIN_STEPS = 720;

  /**
   * Where in a look the operator restarts, drawn per lifetime: between two looks, or in the middle of one,
   * between its act calls: after the cloud took a terminate or a create whose answer the look did not record,
   * or once it acted but before the status was written; or once it received events and before it saved
   * the ledger and acked them (the events stay hidden in the queue until their redelivery).
   */
  enum RestartPoint { BETWEEN_LOOKS, AFTER_TERMINATE, AFTER_CREATE, BEFORE_STATUS, AFTER_READING_EVENTS }

  /** What one lifetime found; {@code restartPoint} is null when the operator did not restart. */
  record Result(long seed, Map<Invariant, String> violations, Faults faults, Duration simulated, int tasks,
      boolean restarted, RestartPoint restartPoint) {}

  /** Ends a look where the operator restarts in the middle of it. */
  private static final class Restarted extends RuntimeException {
    Restarted() {
      super(null, null, false, false);
    }
  }

  private final long seed;
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final SplittableRandom random;
  private final Trace trace = new Trace(clock);
  private final Faults faults;
  private final SimulatedCloud cloud;
  /** The cloud's zones, cheapest first (prices are fixed for a lifetime, so sorted once). */
  private final List<String> zonesByPrice;
  private final SimulatedQueue queue;
  private final SimulatedWorkers workers;
  private final List<SimulatedWorkers.Program> programs = new ArrayList<>();
  private final int maxAttempts;
  private final int slots;
  private final PoolSizing.Budget budget;
  /** The workers' shutdownGracePeriod: what a stopping worker gives its tasks, and how long scale-in holds a busy VM. */
  private final Duration shutdownGrace;
  private final Map<String, String> tags;
  /** Which provider's spot notice and listing the cloud follows, and so its billing rule (per second, a minute at least). */
  private final SimulatedCloud.Notice provider;
  private final CostMeter.Billing billing;
  /** The capacity errors' cache (PoolSelections keeps it in memory; a restart empties it). */
  private UnavailableOfferings unavailable = new UnavailableOfferings(clock, UnavailableOfferings.DEFAULT_TTL);
  /** When the operator restarts (a step drawn from the seed's own stream), or null once it has. */
  private Instant restartAt;
  /** Where: at the first look from restartAt that reaches this point (drawn from the same stream). */
  private final RestartPoint restartPoint;
  /** A look that has made no terminate or create or read no event this long after restartAt restarts before its status. */
  private static final Duration MID_ACT_RESTART_WAIT = Duration.ofHours(1);
  /** Where the operator did restart, or null while it has not. */
  private RestartPoint restartedAt;
  /** The job's ledger; an operator restart reads it back from its ConfigMap form ({@link LedgerCodec}). */
  private Ledger ledger;
  private final Map<Invariant, String> violations = new EnumMap<>(Invariant.class);
  private final Function<DrainDecision.Inputs, DrainDecision.Verdict> drain;

  // The operator's state between looks.
  private boolean loaded;
  private Instant loadedAt;
  private Instant lastActivity;
  private Instant queueEmptySince;
  private Instant deadLettersReadAt;
  /** Until when events received and not acked may be hidden in the event queue (EventConsumer), or null. */
  private Instant eventsHiddenUntil;
  private boolean draining;
  private boolean finished;
  /** Whether the operator restarted before the job finished. */
  private boolean restarted;
  /** The pool's bill, as PoolCost keeps it in the pool's status. */
  private CostMeter.Account account = CostMeter.Account.EMPTY;
  private long lastLaunch;
  private Set<String> previouslyAlive = Set.of();
  private final Set<String> terminationRequested = new HashSet<>();
  /** The VMs the pool's status lists as asked to terminate, as of the last status written (the end of a look). */
  private Set<String> terminatingInStatus = Set.of();
  /** When each VM was first listed reclaimed, as the pool's status keeps it (the instance's {@code since}). */
  private final Map<String, Instant> reclaimedSince = new HashMap<>();
  /** Busy VMs chosen for scale-in and held, with when each was first chosen (VmLauncher keeps it in memory). */
  private Map<String, Instant> heldForScaleIn = Map.of();
  /** What the last look wrote to the job's and the pool's status, which a restart in a look's middle keeps. */
  private record Written(boolean draining, CostMeter.Account account, Set<String> previouslyAlive) {}

  private Written written = new Written(false, CostMeter.Account.EMPTY, Set.of());

  JobLifetime(long seed) {
    this(seed, null, DrainDecision::decide);
  }

  /**
   * @param allowedFaults the numbers of the faults drawn that take effect ({@link Faults#allowOnly}); null: all
   * @param drain the drain decision ({@link DrainDecision#decide}; a test gives a broken one)
   */
  JobLifetime(long seed, Set<Integer> allowedFaults, Function<DrainDecision.Inputs, DrainDecision.Verdict> drain) {
    this(seed, allowedFaults, drain, true);
  }

  /**
   * @param notices whether spot interruptions come with the provider's notice; without, every interruption
   *     kills its worker at once, with the tasks it runs (a test of {@link ShortestTrace} wants such losses often)
   */
  JobLifetime(long seed, Set<Integer> allowedFaults, Function<DrainDecision.Inputs, DrainDecision.Verdict> drain,
      boolean notices) {
    this.seed = seed;
    this.drain = drain;
    this.random = new SplittableRandom(seed);
    List<String> zones = List.of("sim-1a", "sim-1b", "sim-1c");
    faults = new Faults(random, zones.size());
    if (allowedFaults != null) {
      faults.allowOnly(allowedFaults);
    }
    int vcpus = 1 << random.nextInt(3);
    InstanceType type = SimulatedCloud.spotType("sim." + vcpus + "x", vcpus, zones, random);
    slots = vcpus;
    maxAttempts = 1 + random.nextInt(3);
    int taskCount = 1 + random.nextInt(60);
    Duration mean = Duration.ofSeconds(30 + random.nextInt(1200));
    for (int i = 0; i < taskCount; i++) {
      double r = random.nextDouble();
      int failures = r < 0.8 ? 0 : r < 0.95 ? 1 + random.nextInt(3) : Integer.MAX_VALUE;
      long seconds = Math.max(1, (long) (-Math.log(1 - random.nextDouble()) * mean.toSeconds()));
      programs.add(new SimulatedWorkers.Program(failures, Duration.ofSeconds(seconds)));
    }
    int maxInstances = 1 + random.nextInt(8);
    Integer maxCpus = random.nextBoolean() ? null : vcpus * (1 + random.nextInt(maxInstances));
    // A cap of whole VMs at the dearest zone's price, boot disk included, as the operator prices a VM.
    Double maxPrice = random.nextBoolean() ? null : type.spotPrices().keySet().stream()
        .mapToDouble(z -> SimulatedCloud.vmPrice(type, z)).max().orElseThrow() * (1 + random.nextInt(maxInstances));
    budget = new PoolSizing.Budget(0, maxInstances, maxCpus, maxPrice);
    shutdownGrace = Duration.ofSeconds(random.nextInt(121));
    tags = Map.of("taskjob.dev/job", "sim-" + seed);
    provider = random.nextBoolean() ? SimulatedCloud.Notice.EC2 : SimulatedCloud.Notice.GCE;
    billing = provider == SimulatedCloud.Notice.EC2 ? CostMeter.Billing.EC2 : CostMeter.Billing.GCE;
    cloud = new SimulatedCloud(type, zones, clock, random, faults, trace);
    zonesByPrice = cloud.zones.stream().sorted(Comparator.comparingDouble(cloud::price)).toList();
    cloud.workersStopOnTerminate();
    if (notices) {
      cloud.interruptionNotice(provider);
    }
    queue = new SimulatedQueue(new QueueSettings("sim-" + seed, Duration.ofMinutes(2),
        QueueSettings.deliveriesFor(QueueSettings.DEFAULT_MAX_INTERRUPTIONS)), clock, random,
        faults);
    workers = new SimulatedWorkers(cloud, queue, programs, slots, maxAttempts, clock, shutdownGrace, faults, trace);
    ledger = new Ledger(taskCount, maxAttempts);
    // Its own stream, so that the restart leaves every other draw of the lifetime as it was.
    SplittableRandom restarts = new SplittableRandom(seed ^ 0x5EED_0F_5EA7L);
    restartAt = clock.instant().plus(STEP.multipliedBy(1 + restarts.nextInt(RESTART_WITHIN_STEPS)));
    restartPoint = RestartPoint.values()[restarts.nextInt(RestartPoint.values().length)];
    trace.add("job: " + provider + ", " + taskCount + " tasks, mean " + mean.toSeconds() + "s, maxAttempts " + maxAttempts + ", "
        + type.name() + " (" + slots + " slots), grace " + shutdownGrace.toSeconds() + "s, budget " + budget);
  }

  /** The ledger as it was before it counted failures: the workers' final flags alone fail a task. */
  JobLifetime withLedgerWithoutFailureLimit() {
    ledger = new Ledger(programs.size());
    return this;
  }

  Result run() {
    Instant start = clock.instant();
    Instant horizon = start.plus(HORIZON);
    int afterFinish = 0;
    while (afterFinish < STEPS_AFTER_FINISH && clock.instant().isBefore(horizon)) {
      clock.advance(STEP);
      cloud.tick(STEP);
      workers.tick(finished);
      if (!finished) {
        if (restartDue(RestartPoint.BETWEEN_LOOKS)) {
          restart();
        }
        try {
          look();
        } catch (Restarted r) {
          restart();
        }
      } else {
        afterFinish++;
      }
      checkEveryStep();
    }
    if (!finished) {
      violate(Invariant.JOB_FINISHES, "not finished after " + HORIZON.toHours() + "h: " + ledger.remaining()
          + " of " + ledger.total() + " tasks without a result");
    }
    return new Result(seed, violations, faults, Duration.between(start, clock.instant()), programs.size(),
        restarted, restartedAt);
  }

  /**
   * The operator restarts between two looks: what the real one keeps only in memory is gone and is rebuilt
   * as on its start, while the job's and the pool's status (loaded, draining, the VMs last seen alive, asked
   * to terminate or first listed preempted, the bill), the ledger ConfigMap (saved before the events it covers
   * are acked) and the cloud's tags remain. Gone: the drain's first empty look (JobRuntime), the last dead-letter read (JobProgress), the
   * workers' last activity (WorkerActivity), the busy VMs held for scale-in and the launch counter (VmLauncher),
   * the capacity errors' cache, and termination requests the status did not record yet. A restart in the middle
   * of a look also loses what that look did not write yet: the drain it decided, the bill and the VMs it saw alive.
   */
  private void restart() {
    restartAt = null;
    draining = written.draining();
    account = written.account();
    previouslyAlive = written.previouslyAlive();
    queueEmptySince = null;
    deadLettersReadAt = null;
    lastActivity = null;
    // The new process cannot know what the old one received and never acked (EventConsumer, resumed).
    eventsHiddenUntil = clock.instant().plus(queue.eventRedelivery());
    heldForScaleIn = Map.of();
    lastLaunch = 0;
    unavailable = new UnavailableOfferings(clock, UnavailableOfferings.DEFAULT_TTL);
    terminationRequested.clear();
    terminationRequested.addAll(terminatingInStatus);
    ledger = LedgerCodec.decode(LedgerCodec.encodeBinary(ledger));
    restarted = true;
    trace.add("operator: restarted" + (restartedAt == RestartPoint.BETWEEN_LOOKS ? "" : " in a look, "
        + restartedAt) + "; rebuilt from status, the ledger ConfigMap and the cloud's tags");
  }

  private boolean restartDue(RestartPoint point) {
    if (restartAt == null || clock.instant().isBefore(restartAt)) {
      return false;
    }
    // A point a look may not reach (no terminate, create or event for a while) gives way to BEFORE_STATUS.
    boolean mayNotBeReached = restartPoint == RestartPoint.AFTER_TERMINATE || restartPoint == RestartPoint.AFTER_CREATE
        || restartPoint == RestartPoint.AFTER_READING_EVENTS;
    boolean overdue = mayNotBeReached && !clock.instant().isBefore(restartAt.plus(MID_ACT_RESTART_WAIT));
    boolean due = restartPoint == point || point == RestartPoint.BEFORE_STATUS && overdue;
    if (due) {
      restartedAt = point;
    }
    return due;
  }

  /** The operator restarts here if this is the lifetime's restart point and its time came. */
  private void maybeRestartHere(RestartPoint point) {
    if (restartDue(point)) {
      throw new Restarted();
    }
  }

  /** One look of the operator at the job and its pool. */
  private void look() {
    Instant now = clock.instant();
    if (!loaded) {
      if (!attempt("load", () -> {
        queue.ensure();
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < programs.size(); i++) {
          tasks.add(new Task("task-" + i, null, i));
        }
        queue.send(tasks);
      })) {
        return;
      }
      loaded = true;
      loadedAt = now;
    }
    attempt("read events", () -> {
      List<ReceivedEvent> events;
      try {
        events = queue.receiveEvents(1000, Duration.ZERO);
      } catch (RuntimeException e) {
        eventsHiddenUntil = clock.instant().plus(queue.eventRedelivery()); // as EventConsumer after a failed receive
        throw e;
      }
      if (!events.isEmpty()) {
        maybeRestartHere(RestartPoint.AFTER_READING_EVENTS);
      }
      for (ReceivedEvent e : events) {
        Ledger.Outcome outcome = ledger.apply(e.event());
        lastActivity = now;
        if (outcome == Ledger.Outcome.FAILED) {
          trace.add("ledger: " + e.event().taskId() + " failed at attempt " + e.event().attempt());
        }
      }
      queue.ackEvents(events);
      List<LeasedTask> dead = queue.receiveDeadLetters(1000, Duration.ZERO);
      for (LeasedTask t : dead) {
        ledger.applyDeadLetter(t.task().index(), t.task().id(), t.deliveryAttempt());
        trace.add("ledger: " + t.task().id() + " dead-lettered after " + t.deliveryAttempt() + " deliveries");
        queue.ack(t);
      }
      deadLettersReadAt = now;
    });
    // Workers' reports of tasks running count as activity for the drain's fallback, as in JobProgress.
    for (SimulatedWorkers.Worker w : workers.workers().values()) {
      if (w.runningTasks() > 0) {
        lastActivity = now;
        break;
      }
    }
    attempt("pool", () -> poolLook(now));
  }

  private void poolLook(Instant now) {
    List<Instance> vms = cloud.list(tags);
    account = CostMeter.update(account, vms.stream().map(vm -> new CostMeter.Seen(vm.id(), vm.launchTime(),
        vm.state().isAlive(), vm.endTime(), cloud.price(vm.zone()))).toList(), billing, now);
    QueueDepth depth;
    try {
      depth = queue.depth();
    } catch (RuntimeException e) {
      depth = new QueueDepth(-1, -1, -1);
    }
    queueEmptySince = DrainDecision.emptySince(queueEmptySince, depth.waiting(), depth.leased(), now);
    DrainDecision.Verdict verdict = drain.apply(new DrainDecision.Inputs(loaded, ledger.allFinished(),
        depth.waiting(), depth.leased(), depth.deadLettered(), queueEmptySince, deadLettersReadAt, lastActivity,
        loadedAt, eventsHiddenUntil, TERMINATION_DELAY, now));
    if (!draining && verdict != DrainDecision.Verdict.KEEP_RUNNING) {
      draining = true;
      trace.add("job: draining (" + verdict + ", " + ledger.remaining() + " without a result)");
    }
    List<String> zones = usableZones();
    int desired = 0;
    if (!draining && !zones.isEmpty()) {
      // Priced as JobPools prices it: the type's first ranked offering, its cheapest zone.
      double price = cloud.price(zonesByPrice.get(0));
      desired = PoolSizing.size(ledger.remaining(), slots, cloud.type.vcpus(), price, budget).instances();
    }
    List<PoolPlan.Vm> observed = new ArrayList<>();
    for (Instance vm : vms) {
      SimulatedWorkers.Worker w = workers.workers().get(vm.id());
      observed.add(new PoolPlan.Vm(vm.id(), vm.state(), vm.launchTime(), w == null ? null : w.firstReport,
          w == null ? null : w.lastReport, w == null ? 0 : w.runningTasks(), terminationRequested.contains(vm.id())));
    }
    PoolPlan.Result plan = PoolPlan.plan(new PoolPlan.Inputs(desired, observed, previouslyAlive, STARTUP_TIMEOUT,
        HEARTBEAT_TIMEOUT, null, now));
    previouslyAlive = new HashSet<>(plan.healthy());
    // As InstancePoolReconciler acts: a VM no longer needed goes when ScaleIn says, every other removal at once.
    List<String> terminate = new ArrayList<>(plan.stillTerminating());
    Map<String, Integer> chosen = new LinkedHashMap<>();
    for (PoolPlan.Removal r : plan.terminate()) {
      if (r.reason() == PoolPlan.Reason.EXTRA) {
        SimulatedWorkers.Worker w = workers.workers().get(r.id());
        chosen.put(r.id(), w == null ? 0 : w.runningTasks());
      } else {
        terminate.add(r.id());
      }
    }
    ScaleIn.Result scaleIn = ScaleIn.decide(chosen, heldForScaleIn, shutdownGrace, desired, now);
    heldForScaleIn = scaleIn.held();
    terminate.addAll(scaleIn.terminate());
    if (!terminate.isEmpty()) {
      terminationRequested.addAll(terminate);
      trace.add("pool: terminate " + terminate + " of " + plan.terminate() + ", again " + plan.stillTerminating()
          + (heldForScaleIn.isEmpty() ? "" : ", busy and held " + heldForScaleIn.keySet()));
      cloud.terminate(terminate);
      maybeRestartHere(RestartPoint.AFTER_TERMINATE);
    }
    if (plan.create() > 0) {
      create(plan.create(), vms);
    }
    maybeRestartHere(RestartPoint.BEFORE_STATUS);
    // The requests only grow between restarts and the status is a copy of them, so equal sizes mean equal sets:
    // copy only when one was added (every VM ever terminated stays in the set).
    if (terminatingInStatus.size() != terminationRequested.size()) {
      terminatingInStatus = Set.copyOf(terminationRequested);
    }
    written = new Written(draining, account, Set.copyOf(previouslyAlive));
    // A terminating VM still holds a stopping worker, and a reclaimed one the cloud gives no end for may still be
    // stopping and billed: the drain waits for both (the pool's status counts them, PoolReport).
    vms.stream().filter(vm -> vm.state() == InstanceState.PREEMPTED)
        .forEach(vm -> reclaimedSince.putIfAbsent(vm.id(), now));
    boolean anyLeft = vms.stream().anyMatch(vm -> vm.state().isAlive() || vm.state() == InstanceState.TERMINATING
        || PoolEmptying.reclaimedStillStopping(vm.state(), vm.endTime(), reclaimedSince.get(vm.id()), now));
    if (draining && !anyLeft && plan.create() == 0) {
      queue.delete();
      finished = true;
      trace.add("job: finished, " + ledger.succeeded() + " succeeded, " + ledger.failed() + " failed, "
          + ledger.remaining() + " without a result, cost " + costSoFar() + ", bill " + cloud.bill());
    }
  }

  /**
   * Creates VMs, each in the cheapest zone no capacity error has marked, falling back zone by zone, and
   * only into a zone that keeps the VMs alive within the budget ({@link PoolSizing#fits}), as VmLauncher does.
   */
  private void create(int count, List<Instance> vms) {
    long seq = Math.max(lastLaunch, vms.stream().mapToLong(vm -> Long.parseLong(vm.name().substring(5))).max()
        .orElse(0));
    PoolSizing.Spend spend = PoolSizing.Spend.NONE;
    for (Instance vm : vms) {
      if (vm.state().isAlive()) {
        spend = spend.plus(cloud.type.vcpus(), cloud.price(vm.zone()));
      }
    }
    try {
      for (int i = 0; i < count; i++) {
        seq++;
        spend = createOne(seq, spend);
      }
    } finally {
      lastLaunch = seq;
    }
  }

  /** @return the spend with this launch's reservation (kept when a VM may exist) */
  private PoolSizing.Spend createOne(long seq, PoolSizing.Spend spend) {
    CapacityException last = null;
    boolean heldByBudget = false;
    for (String zone : usableZones()) {
      double price = cloud.price(zone);
      if (!PoolSizing.fits(spend, cloud.type.vcpus(), price, budget)) {
        heldByBudget = true;
        continue;
      }
      String key = "pool/" + seq + "/" + cloud.type.name();
      try {
        cloud.create(new CreateInstanceRequest("pool-" + seq, key, cloud.type.name(), zone, true, tags, "sim", 10,
            null, Map.of(), null));
        maybeRestartHere(RestartPoint.AFTER_CREATE);
        return spend.plus(cloud.type.vcpus(), price);
      } catch (CapacityException e) {
        unavailable.mark(e.instanceType(), e.zone(), e.spot());
        last = e;
      }
    }
    if (heldByBudget) {
      trace.add("pool: pool-" + seq + " held by the budget");
      return spend;
    }
    throw last != null ? last : new CloudException("no capacity in any zone", true);
  }

  private List<String> usableZones() {
    return unavailable.availableZones(cloud.type.name(), true, zonesByPrice);
  }

  /** Runs an action; a failure is judged as the controllers judge it, and only a retried one is expected. */
  private boolean attempt(String what, Runnable action) {
    try {
      action.run();
      return true;
    } catch (Restarted r) {
      throw r;
    } catch (RuntimeException e) {
      ErrorClassifier.Classified judged = ErrorClassifier.classify(e);
      trace.add(what + ": " + judged.kind() + " " + judged.message());
      if (!judged.kind().retried()) {
        throw new IllegalStateException("a simulated fault was judged " + judged.kind() + ": " + e.getMessage(), e);
      }
      return false;
    }
  }

  private void checkEveryStep() {
    // One pass over every VM the lifetime created: this runs at every step.
    long alive = 0;
    double dollarsPerHour = 0;
    for (SimulatedCloud.Vm vm : cloud.vms()) {
      if (vm.state.isAlive()) {
        alive++;
        dollarsPerHour += cloud.price(vm.zone);
      }
    }
    if (budget.maxInstances() != null && alive > budget.maxInstances()) {
      violate(Invariant.POOL_WITHIN_CAPS, alive + " VMs alive, cap " + budget.maxInstances());
    }
    if (budget.maxTotalCpus() != null && alive * cloud.type.vcpus() > budget.maxTotalCpus()) {
      violate(Invariant.POOL_WITHIN_CAPS, alive * cloud.type.vcpus() + " vCPUs alive, cap " + budget.maxTotalCpus());
    }
    if (budget.maxPricePerHour() != null && dollarsPerHour > budget.maxPricePerHour() + 1e-9) {
      violate(Invariant.POOL_WITHIN_CAPS, "$" + dollarsPerHour + "/hour alive, cap " + budget.maxPricePerHour());
    }
    for (int i = 0; i < programs.size(); i++) {
      if (ledger.isFinished(i) && ledger.isFailed(i) == programs.get(i).succeedsWithin(maxAttempts)) {
        violate(Invariant.TASK_ENDS_AS_ITS_PROGRAM_DECIDED, "task-" + i + " " + (ledger.isFailed(i) ? "failed" :
            "succeeded") + "; its program failed " + workers.ownFailures(i) + " times, maxAttempts " + maxAttempts);
      }
    }
    if (!finished) {
      return;
    }
    if (!ledger.allFinished()) {
      violate(Invariant.NO_TASK_LOST, ledger.remaining() + " of " + ledger.total() + " tasks without a result: "
          + Arrays.toString(ledger.unfinishedIndexes(5)));
    }
    if (workers.startedAfterFinish() > 0 || workers.workers().values().stream().anyMatch(w -> w.runningTasks() > 0)) {
      violate(Invariant.NO_TASK_RUN_AFTER_ITS_JOB_FINISHED, workers.startedAfterFinish() + " tasks started after");
    }
    if (alive > 0 || queue.exists()) {
      violate(Invariant.NOTHING_OUTLIVES_ITS_JOB, alive + " VMs alive, queue " + (queue.exists() ? "exists" : "gone"));
    }
    double bill = cloud.bill();
    double reported = costSoFar();
    if (Math.abs(reported - bill) > bill * 0.01) {
      violate(Invariant.COST_IS_THE_BILL, String.format("reported $%.6f, billed $%.6f", reported, bill));
    }
  }

  /** What the job reports: its pool's account billed until now, as JobReport reads it. */
  private double costSoFar() {
    return account.total(billing, clock.instant());
  }

  private void violate(Invariant invariant, String detail) {
    if (!violations.containsKey(invariant)) {
      trace.add("VIOLATED " + invariant + ": " + detail);
      // The trace up to the first violation: what led to it, not what came after.
      violations.put(invariant, detail + "\n" + trace.tail());
    }
  }
}
