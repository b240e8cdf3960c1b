package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.core.cloud.CapacityException;
import dev.taskjob.core.cloud.CloudException;
import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.worker.WorkerSetting;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolSpec;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.shared.Durations;
import dev.taskjob.crds.v1alpha1.shared.WorkerSpec;
import dev.taskjob.operator.decision.AdminCaps;
import dev.taskjob.operator.decision.CreateRefusals;
import dev.taskjob.operator.decision.PoolPlan;
import dev.taskjob.operator.decision.ScaleIn;
import dev.taskjob.operator.decision.PoolSizing;
import dev.taskjob.operator.selection.Candidate;
import dev.taskjob.operator.selection.Selection;
import dev.taskjob.operator.validation.TaskJobValidator;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a pool's VMs and decides which go at scale-in, holding a busy one chosen for removal until it is idle or its
 * shutdownGracePeriod passed ({@link ScaleIn}). Creates run in parallel (bounded), each with the next launch
 * number and a deterministic idempotency key, falling back along the ranked types on capacity errors,
 * which mark the offering in the shared unavailable-offerings cache. A fallback is taken only when it
 * keeps the VMs alive within the pool's caps ({@link PoolSizing#fits}): the count was sized at the
 * preferred offering's price, and a dearer zone or a larger type must not take the pool past them.
 */
final class VmLauncher {

  /** Annotation holding the last launch sequence number used, so a number is never reused for a new VM. */
  static final String LAST_LAUNCH_ANNOTATION = "taskjob.dev/last-launch";
  /** Condition type: an administrator's cap over all jobs holds this pool's creates back. */
  static final String ADMIN_CAP_REACHED = "AdminCapReached";

  private static final Logger LOG = LoggerFactory.getLogger(VmLauncher.class);
  private static final Duration CREATE_TIMEOUT = Duration.ofMinutes(3);

  private record Created(Instance instance, Candidate candidate) {}

  /** One finished create round, kept until the next reconcile reports it. */
  private record Round(int count, List<Created> created, List<Throwable> failures, int overBudget,
      AdminCaps.Binding adminCap, PoolSizing.Budget budget, Selection selection, String provider) {}

  /**
   * What one create round's VMs take of the pool's budget, shared by its parallel creates, and of the
   * administrator's caps over all pools.
   */
  private static final class Reservations {
    private final PoolSizing.Budget budget;
    private final InstancePool pool;
    private final SpendAcrossPools acrossPools;
    private PoolSizing.Spend spend;
    /** The last administrator's cap that held a create of this round back. */
    private AdminCaps.Binding adminCap;

    Reservations(PoolSizing.Budget budget, PoolSizing.Spend alive, InstancePool pool, SpendAcrossPools acrossPools) {
      this.budget = budget;
      this.spend = alive;
      this.pool = pool;
      this.acrossPools = acrossPools;
    }

    synchronized boolean reserve(Candidate c) {
      if (!PoolSizing.fits(spend, c.type().vcpus(), c.pricePerHour(), budget)) {
        return false;
      }
      Optional<AdminCaps.Binding> binding = acrossPools.reserve(pool, c.type().vcpus(), c.pricePerHour());
      if (binding.isPresent()) {
        adminCap = binding.get();
        return false;
      }
      spend = spend.plus(c.type().vcpus(), c.pricePerHour());
      return true;
    }

    /** Only for a create the cloud refused: one that failed otherwise may have made a VM. */
    synchronized void release(Candidate c) {
      spend = spend.minus(c.type().vcpus(), c.pricePerHour());
      acrossPools.release(pool, c.type().vcpus(), c.pricePerHour());
    }

    synchronized AdminCaps.Binding adminCap() {
      return adminCap;
    }
  }

  private final PoolServices services;
  private final PoolSelections selections;
  private final SpendAcrossPools acrossPools;
  private final Executor creators;
  private final VmStates vmStates;
  private final Consumer<ResourceID> wake;
  /** Pool uids with a create round in flight. */
  private final Map<String, Boolean> inFlight = new ConcurrentHashMap<>();
  /** Per pool uid: finished create rounds not reported yet. */
  private final Map<String, Queue<Round>> finished = new ConcurrentHashMap<>();
  /** Per pool uid: busy VMs chosen for removal and kept for now, with when each was first chosen. */
  private final Map<String, Map<String, Instant>> heldForScaleIn = new ConcurrentHashMap<>();
  /** Refused create rounds per pool uid. */
  private final Map<String, CreateRefusals.State> refusals = new ConcurrentHashMap<>();
  /**
   * The last launch number used per pool: the annotation saving it may not be in the copy the next look is
   * handed, and a number reused for a new VM would reuse its idempotency key.
   */
  private final Map<String, Long> lastLaunch = new ConcurrentHashMap<>();

  /**
   * @param creators runs the create calls
   * @param wake wakes a pool's reconcile when its create round finished
   */
  VmLauncher(PoolServices services, PoolSelections selections, SpendAcrossPools acrossPools, Executor creators,
      VmStates vmStates, Consumer<ResourceID> wake) {
    this.services = services;
    this.selections = selections;
    this.acrossPools = acrossPools;
    this.creators = creators;
    this.vmStates = vmStates;
    this.wake = wake;
  }

  /** Whether a create round of the pool is still in flight: the plan does not see its VMs yet. */
  boolean creating(InstancePool pool) {
    return inFlight.containsKey(pool.getMetadata().getUid());
  }

  /**
   * Starts a round creating up to {@code count} VMs, as many as the budget allows next to those alive, and
   * returns at once: the creates run on their own threads and the round's result is kept for
   * {@link #collect}, its VMs added to the pool's listing, and the pool woken. The last launch number is
   * saved on the pool first, so a crash during the round reuses no number.
   *
   * @param alive what the pool's VMs alive take of the budget now
   */
  void launch(InstancePool pool, CloudProvider cloud, Selection selection, List<Instance> vms, PoolSizing.Spend alive,
      int count) {
    long firstSeq = nextSeq(pool, vms);
    saveLastLaunch(pool, firstSeq + count - 1);
    PoolSizing.Budget budget = TaskJobValidator.budgetOf(pool.getSpec().getInstances());
    acrossPools.observed(pool, alive);
    Reservations reservations = new Reservations(budget, alive, pool, acrossPools);
    String uid = pool.getMetadata().getUid();
    ResourceID id = ResourceID.fromResource(pool);
    inFlight.put(uid, Boolean.TRUE);
    List<CompletableFuture<Created>> creates = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long seq = firstSeq + i;
      creates.add(CompletableFuture.supplyAsync(() -> createOne(pool, cloud, selection, reservations, seq), creators)
          .orTimeout(CREATE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }
    CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new))
        .whenComplete((ignored, error) -> finish(id, uid, cloud.name(), selection, budget, reservations, creates));
  }

  private void finish(ResourceID id, String uid, String provider, Selection selection, PoolSizing.Budget budget,
      Reservations reservations, List<CompletableFuture<Created>> creates) {
    List<Created> created = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    int overBudget = 0;
    for (CompletableFuture<Created> f : creates) {
      try {
        Created one = f.join();
        if (one == null) {
          overBudget++;
        } else {
          created.add(one);
        }
      } catch (CompletionException | CancellationException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        failures.add(cause instanceof TimeoutException
            ? new CloudException("create timed out after " + Durations.format(CREATE_TIMEOUT), true) : cause);
      }
    }
    Instant now = services.clock().instant();
    refusals.compute(uid, (key, before) -> CreateRefusals.after(
        before == null ? CreateRefusals.State.NONE : before, created.size(), failures, now));
    vmStates.created(id, created.stream().map(Created::instance).toList());
    finished.computeIfAbsent(uid, key -> new ConcurrentLinkedQueue<>()).add(new Round(creates.size(), created,
        failures, overBudget, overBudget > 0 ? reservations.adminCap() : null, budget, selection, provider));
    inFlight.remove(uid);
    wake.accept(id);
  }

  /**
   * Reports the create rounds that finished since the last reconcile: the type used, the events, the
   * conditions and messages of VMs held back by a cap or not created.
   *
   * @return whether any round created a VM
   */
  boolean collect(InstancePool pool, InstancePoolStatus status, Instant now) {
    Queue<Round> rounds = finished.get(pool.getMetadata().getUid());
    boolean any = false;
    for (Round round = rounds == null ? null : rounds.poll(); round != null; round = rounds.poll()) {
      report(pool, status, round, now);
      any |= !round.created().isEmpty();
    }
    return any;
  }

  private void report(InstancePool pool, InstancePoolStatus status, Round round, Instant now) {
    List<Created> created = round.created();
    Selection selection = round.selection();
    List<String> errors = round.failures().stream()
        .map(e -> e.getMessage() == null ? e.toString() : e.getMessage()).toList();
    String provider = round.provider();
    int count = round.count();
    int overBudget = round.overBudget();
    if (!created.isEmpty()) {
      Candidate used = created.get(created.size() - 1).candidate();
      status.setInstanceType(used.typeName());
      status.setSpot(used.spot());
      status.setPricePerHour(used.pricePerHour());
      created.forEach(c -> services.metrics().instanceLaunched(provider, c.candidate().typeName()));
      services.events().normal(pool, "InstancesCreated", "Created " + created.size() + " " + used.typeName()
          + (used.spot() ? " spot" : "") + " instances: "
          + PoolServices.abbreviate(created.stream().map(c -> c.instance().id()).toList()));
      boolean limited = !used.typeName().equals(selection.best().typeName()) || used.spot() != selection.best().spot();
      Conditions.set(status.getConditions(), ConditionTypes.CAPACITY_LIMITED, limited ? Condition.TRUE : Condition.FALSE,
          limited ? "UsingFallbackType" : "PreferredType", limited ? "no capacity for " + selection.best().typeName()
              + "; using " + used.typeName() : "", PoolServices.generation(pool), now);
    }
    AdminCaps.Binding adminCap = round.adminCap();
    if (adminCap != null) {
      String message = "Did not create " + overBudget + " of " + count + " instances: "
          + adminCap.message(pool.getMetadata().getNamespace());
      status.setMessage(message);
      services.events().normal(pool, "InstancesHeldByAdminCap", message);
      LOG.info("pool {}: {}", PoolServices.name(pool), message);
    } else if (overBudget > 0) {
      String message = "Did not create " + overBudget + " of " + count + " instances: the offerings with capacity"
          + " would take the pool past " + caps(round.budget());
      status.setMessage(message);
      services.events().normal(pool, "InstancesHeldByBudget", message);
      LOG.info("pool {}: {}", PoolServices.name(pool), message);
    }
    adminCapCondition(pool, status, adminCap, now);
    if (!errors.isEmpty()) {
      errors.forEach(e -> services.metrics().instanceFailure(provider, "error"));
      String message = "Could not create " + errors.size() + " of " + count + " instances: " + errors.get(0);
      status.setMessage(message);
      services.events().warning(pool, "CreateFailed", message);
      LOG.warn("pool {}: {}", PoolServices.name(pool), message);
    }
  }

  /**
   * {@code AdminCapReached}: True while an administrator's cap holds creates back, naming it; written only
   * when caps are set (or the condition is there from before).
   */
  void adminCapCondition(InstancePool pool, InstancePoolStatus status, AdminCaps.Binding binding, Instant now) {
    if (!acrossPools.capped() && Conditions.find(status.getConditions(), ADMIN_CAP_REACHED).isEmpty()) {
      return;
    }
    if (binding == null) {
      Conditions.set(status.getConditions(), ADMIN_CAP_REACHED, Condition.FALSE, "WithinAdminCaps",
          "no administrator's cap holds this pool back", PoolServices.generation(pool), now);
    } else {
      Conditions.set(status.getConditions(), ADMIN_CAP_REACHED, Condition.TRUE,
          binding.scope() == AdminCaps.Scope.OPERATOR ? "OperatorCapReached" : "NamespaceCapReached",
          binding.message(pool.getMetadata().getNamespace()), PoolServices.generation(pool), now);
    }
  }

  private static String caps(PoolSizing.Budget budget) {
    List<String> caps = new ArrayList<>();
    if (budget.maxInstances() != null) {
      caps.add("spec.instances.maxInstances " + budget.maxInstances());
    }
    if (budget.maxTotalCpus() != null) {
      caps.add("spec.instances.maxTotalCpus " + budget.maxTotalCpus());
    }
    if (budget.maxPricePerHour() != null) {
      caps.add("spec.instances.maxPricePerHour " + budget.maxPricePerHour());
    }
    return String.join(" or ", caps);
  }

  /** The pool's refused create rounds in a row (kept by this process; a restart allows a few more). */
  CreateRefusals.State refusals(InstancePool pool) {
    return refusals.getOrDefault(pool.getMetadata().getUid(), CreateRefusals.State.NONE);
  }

  /**
   * Which VMs chosen for removal go now: idle ones at once, busy ones once idle or after the workers'
   * shutdownGracePeriod ({@link ScaleIn}). When each was first held is kept in memory; after a restart a
   * busy VM may be held once more.
   */
  ScaleIn.Result scaleIn(InstancePool pool, PoolPlan.Inputs inputs, PoolPlan.Result plan, Instant now) {
    Map<String, Integer> running = new HashMap<>();
    inputs.vms().forEach(vm -> running.put(vm.id(), vm.runningTasks()));
    Map<String, Integer> chosen = new LinkedHashMap<>();
    plan.terminate().stream().filter(r -> r.reason() == PoolPlan.Reason.EXTRA)
        .forEach(r -> chosen.put(r.id(), running.getOrDefault(r.id(), 0)));
    String uid = pool.getMetadata().getUid();
    ScaleIn.Result result = ScaleIn.decide(chosen, heldForScaleIn.getOrDefault(uid, Map.of()),
        shutdownGracePeriod(pool), pool.getSpec().getCount() == null ? 0 : pool.getSpec().getCount(), now);
    if (result.held().isEmpty()) {
      heldForScaleIn.remove(uid);
    } else {
      heldForScaleIn.put(uid, result.held());
    }
    return result;
  }

  /** The workers' grace period, as the job wrote it into the pool's worker environment (seconds). */
  static Duration shutdownGracePeriod(InstancePool pool) {
    Map<String, String> env = pool.getSpec().getWorkerEnvironment();
    String seconds = env == null ? null : env.get("TASKJOB_SHUTDOWN_GRACE_PERIOD");
    try {
      return seconds == null ? Durations.parse(WorkerSpec.DEFAULT_SHUTDOWN_GRACE_PERIOD) : Duration.ofSeconds(Long.parseLong(seconds.trim()));
    } catch (NumberFormatException e) {
      return Durations.parse(WorkerSpec.DEFAULT_SHUTDOWN_GRACE_PERIOD);
    }
  }

  /** Drops what was held for a deleted pool. */
  void forget(InstancePool pool) {
    heldForScaleIn.remove(pool.getMetadata().getUid());
    finished.remove(pool.getMetadata().getUid());
    refusals.remove(pool.getMetadata().getUid());
    lastLaunch.remove(pool.getMetadata().getUid());
    acrossPools.forget(pool);
  }

  /**
   * Counts the pool's VMs alive against the administrator's caps (when set). A pool whose instance types
   * cannot be looked up counts its VMs without vCPUs or price.
   */
  void countForAdminCaps(InstancePool pool, List<Instance> vms, ProviderConfig config) {
    if (!acrossPools.capped()) {
      return;
    }
    PoolSizing.Spend spend;
    try {
      spend = selections.spend(vms, selections.selection(pool, config), config);
    } catch (RuntimeException e) {
      spend = new PoolSizing.Spend((int) vms.stream().filter(vm -> vm.state().isAlive()).count(), 0, 0);
    }
    acrossPools.observed(pool, spend);
  }

  /** Keeps the count for the administrator's caps in step with the operator's cache of pools. */
  void followPools(List<InstancePool> knownPools) {
    if (acrossPools.capped()) {
      acrossPools.follow(knownPools);
    }
  }

  /** @return the VM created, or null when every usable offering would go past a cap */
  private Created createOne(InstancePool pool, CloudProvider cloud, Selection selection, Reservations reservations,
      long seq) {
    List<String> zones = pool.getSpec().getZones();
    List<Candidate> candidates = selections.usable(selection, zones);
    if (candidates.isEmpty()) {
      throw new CloudException("no capacity for any of the " + selection.ranked().size() + " fitting types", true);
    }
    CloudException last = null;
    boolean heldByBudget = false;
    for (Candidate c : candidates) {
      if (selections.usable(selection, zones).stream().noneMatch(c::equals)) {
        continue; // marked by a parallel create since this one started
      }
      if (!reservations.reserve(c)) {
        heldByBudget = true;
        continue; // a cheaper candidate further down may still fit
      }
      try {
        Instance vm = cloud.create(request(pool, c, seq));
        LOG.info("pool {}: created {} ({}{}, {})", PoolServices.name(pool), vm.id(), c.typeName(),
            c.spot() ? " spot" : "", vm.zone());
        return new Created(vm, c);
      } catch (CapacityException e) {
        reservations.release(c);
        // A candidate priced for one zone loses that zone; one the cloud places anywhere loses them all,
        // since its next create could land in the same zone.
        selections.unavailable().mark(c.typeName(), c.zone() == null ? null : e.zone(), c.spot());
        services.metrics().instanceFailure(cloud.name(), "capacity");
        services.events().warning(pool, "NoCapacity", "No capacity for " + c.typeName() + (c.spot() ? " spot" : "")
            + (e.zone() == null ? "" : " in " + e.zone()) + ": " + e.getMessage() + "; trying the next type");
        last = e;
      }
    }
    if (heldByBudget) {
      return null;
    }
    throw last != null ? last : new CloudException("no usable instance type", true);
  }

  private CreateInstanceRequest request(InstancePool pool, Candidate c, long seq) {
    InstancePoolSpec spec = pool.getSpec();
    Map<String, String> env = new LinkedHashMap<>(spec.getWorkerEnvironment() == null ? Map.of()
        : spec.getWorkerEnvironment());
    env.putIfAbsent(WorkerSetting.NUM_SIMULTANEOUS_TASKS.variable(), Integer.toString(c.slots()));
    // The worker names its VM in every event; nothing on the VM tells it the cloud's id (EC2 assigns one
    // only in the create call's answer), so it gets the name, known before the call.
    env.put(WorkerSetting.INSTANCE_ID.variable(), VmNaming.name(pool, seq));
    String image = spec.getInstances() == null ? null : spec.getInstances().getImage();
    String serviceAccount = spec.getInstances() == null ? null : spec.getInstances().getServiceAccount();
    String key = VmNaming.idempotencyKey(pool, seq);
    // The key differs per type: a retry of the same launch with another type is a different request.
    String typedKey = UUID.nameUUIDFromBytes((key + "/" + c.typeName() + "/" + c.spot())
        .getBytes(StandardCharsets.UTF_8)).toString();
    return new CreateInstanceRequest(VmNaming.name(pool, seq), typedKey, c.typeName(), c.zone(), c.spot(),
        VmNaming.tags(pool, services.settings().clusterId()), image, c.bootDiskGiB(), serviceAccount, env, null);
  }

  private long nextSeq(InstancePool pool, List<Instance> vms) {
    long max = lastLaunch.getOrDefault(pool.getMetadata().getUid(), 0L);
    String saved = pool.getMetadata().getAnnotations() == null ? null
        : pool.getMetadata().getAnnotations().get(LAST_LAUNCH_ANNOTATION);
    if (saved != null) {
      try {
        max = Math.max(max, Long.parseLong(saved));
      } catch (NumberFormatException ignored) {
        // rewritten below
      }
    }
    for (Instance vm : vms) {
      OptionalLong seq = VmNaming.seqOf(pool, vm.name());
      if (seq.isEmpty()) {
        seq = VmNaming.seqOf(pool, vm.id());
      }
      if (seq.isPresent()) {
        max = Math.max(max, seq.getAsLong());
      }
    }
    return max + 1;
  }

  private void saveLastLaunch(InstancePool pool, long seq) {
    lastLaunch.merge(pool.getMetadata().getUid(), seq, Math::max);
    String patch = "{\"metadata\":{\"annotations\":{\"" + LAST_LAUNCH_ANNOTATION + "\":\"" + seq + "\"}}}";
    services.client().resources(InstancePool.class).inNamespace(pool.getMetadata().getNamespace())
        .withName(pool.getMetadata().getName()).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    if (pool.getMetadata().getAnnotations() == null) {
      pool.getMetadata().setAnnotations(new HashMap<>());
    }
    pool.getMetadata().getAnnotations().put(LAST_LAUNCH_ANNOTATION, Long.toString(seq));
  }
}
