package dev.taskjob.operator.reconciler;

import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.CapacityException;
import dev.taskjob.core.cloud.CloudException;
import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolPhase;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolSpec;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.crds.v1alpha1.instancepool.PoolInstance;
import dev.taskjob.crds.v1alpha1.instancepool.PoolInstanceState;
import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.shared.Durations;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.cloud.ProviderAccess;
import dev.taskjob.operator.decision.PoolPlan;
import dev.taskjob.operator.metrics.OperatorMetrics;
import dev.taskjob.operator.progress.Heartbeats;
import dev.taskjob.operator.selection.Candidate;
import dev.taskjob.operator.selection.InstanceSelector;
import dev.taskjob.operator.selection.NoMatchingInstanceTypeException;
import dev.taskjob.operator.selection.Selection;
import dev.taskjob.operator.validation.Constraints;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an InstancePool's VMs at {@code spec.count}: resolves the cheapest instance type per task
 * slot (with ranked fallbacks for capacity errors), lists its VMs by owner tags (the cloud is the
 * source of truth), creates missing ones with deterministic idempotency keys and bounded parallelism,
 * replaces dead, preempted and silent ones, removes extras, and gives up when no worker ever starts.
 * Deleting the pool terminates every VM before the finalizer goes.
 */
@ControllerConfiguration(name = InstancePoolReconciler.NAME)
public class InstancePoolReconciler implements Reconciler<InstancePool>, Cleaner<InstancePool> {

  public static final String NAME = "instancepool";
  /** Annotation holding the last launch sequence number used, so a number is never reused for a new VM. */
  public static final String LAST_LAUNCH_ANNOTATION = "taskjob.dev/last-launch";
  /** Condition type: some VM of this pool has had a worker report. */
  public static final String WORKERS_STARTED = "WorkersStarted";
  public static final String DEGRADED = "Degraded";

  private static final Logger LOG = LoggerFactory.getLogger(InstancePoolReconciler.class);
  private static final Duration CREATE_TIMEOUT = Duration.ofMinutes(3);

  /** A VM type made unavailable by a capacity error, until the given time. */
  private record Unavailable(String type, boolean spot) {}

  private record Created(Instance instance, Candidate candidate) {}

  private final KubernetesClient client;
  private final ProviderAccess providers;
  private final KubeEvents events;
  private final Heartbeats heartbeats;
  private final OperatorSettings settings;
  private final OperatorMetrics metrics;
  private final Clock clock;
  private final Instant trackingSince;
  private final ExecutorService creators;
  private final Map<String, Selection> selections = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> terminationRequested = new ConcurrentHashMap<>();
  private final Map<Unavailable, Instant> unavailable = new ConcurrentHashMap<>();
  /** Test hook: fails between creating VMs and writing the pool's status, like a crash would. */
  private volatile Runnable afterCreateHook = () -> { };

  public InstancePoolReconciler(KubernetesClient client, ProviderAccess providers, KubeEvents events,
      Heartbeats heartbeats, OperatorSettings settings, OperatorMetrics metrics, Clock clock) {
    this.client = client;
    this.providers = providers;
    this.events = events;
    this.heartbeats = heartbeats;
    this.settings = settings;
    this.metrics = metrics;
    this.clock = clock;
    this.trackingSince = clock.instant();
    this.creators = Executors.newFixedThreadPool(Math.max(1, settings.createParallelism()), r -> {
      Thread t = new Thread(r, "vm-create");
      t.setDaemon(true);
      return t;
    });
  }

  /** For crash tests: runs after VMs were created and before the status is written. */
  public void afterCreate(Runnable hook) {
    this.afterCreateHook = hook == null ? () -> { } : hook;
  }

  @Override
  public UpdateControl<InstancePool> reconcile(InstancePool pool, Context<InstancePool> context) {
    Instant now = clock.instant();
    String before = statusJson(pool);
    InstancePoolStatus status = pool.getStatus() == null ? new InstancePoolStatus() : pool.getStatus();
    pool.setStatus(status);
    if (status.getPhase() == null) {
      status.setPhase(InstancePoolPhase.PENDING);
    }
    Duration next = step(pool, status, now);
    status.setObservedGeneration(pool.getMetadata().getGeneration());
    Conditions.set(status.getConditions(), DEGRADED, Condition.FALSE, "Reconciled", "", generation(pool), now);
    UpdateControl<InstancePool> control = statusJson(pool).equals(before) ? UpdateControl.noUpdate()
        : UpdateControl.patchStatus(pool);
    return control.rescheduleAfter(next);
  }

  /** Observe (cloud, heartbeats), decide (type, plan), act (terminate, create), report. */
  private Duration step(InstancePool pool, InstancePoolStatus status, Instant now) {
    ProviderConfig config = providerConfig(pool);
    CloudProvider cloud = providers.cloud(config);
    List<Instance> vms = cloud.list(VmNaming.poolSelector(pool, settings.clusterId()));

    if (status.getPhase() == InstancePoolPhase.FAILED) {
      terminateAll(pool, cloud, vms);
      report(pool, status, vms, now);
      status.setPhase(InstancePoolPhase.FAILED);
      return settings.resyncInterval();
    }
    Selection selection;
    try {
      selection = selection(pool, config);
    } catch (NoMatchingInstanceTypeException e) {
      fail(pool, status, "NoMatchingInstanceType", e.getMessage(), now);
      terminateAll(pool, cloud, vms);
      return settings.resyncInterval();
    }
    Candidate current = usableCandidates(selection, now).stream().findFirst().orElse(selection.best());
    if (status.getInstanceType() == null) {
      status.setInstanceType(current.typeName());
      status.setSpot(current.spot());
      status.setPricePerHour(current.pricePerHour());
      status.setFallbackTypes(selection.ranked().stream().skip(1).limit(20).map(Candidate::typeName).distinct()
          .toList());
    }

    PoolPlan.Result plan = PoolPlan.plan(planInputs(pool, status, vms, now));
    boolean workersStarted = Conditions.isTrue(status.getConditions(), WORKERS_STARTED)
        || vms.stream().anyMatch(vm -> lastReport(vm, status) != null);
    if (workersStarted) {
      Conditions.set(status.getConditions(), WORKERS_STARTED, Condition.TRUE, "WorkerReported",
          "a worker of this pool has reported", generation(pool), now);
    }
    recordFailures(pool, status, plan, config.provider());
    long replacements = status.getReplacements() == null ? 0 : status.getReplacements();
    if (jobOwned(pool) && PoolPlan.workersNeverStarted((int) replacements, workersStarted, settings.neverStartedLimit())) {
      fail(pool, status, "WorkersNeverStarted", "workers never started: no worker reported after " + replacements
          + " replacements; check the image/startup script", now);
      terminateAll(pool, cloud, vms);
      report(pool, status, vms, now);
      status.setPhase(InstancePoolPhase.FAILED);
      return settings.resyncInterval();
    }

    List<String> toTerminate = new ArrayList<>(plan.stillTerminating());
    plan.terminate().forEach(r -> toTerminate.add(r.id()));
    if (!toTerminate.isEmpty()) {
      terminationRequested.computeIfAbsent(pool.getMetadata().getUid(), k -> ConcurrentHashMap.newKeySet())
          .addAll(toTerminate);
      cloud.terminate(toTerminate);
      List<String> extras = plan.terminate().stream().filter(r -> r.reason() == PoolPlan.Reason.EXTRA)
          .map(PoolPlan.Removal::id).toList();
      if (!extras.isEmpty()) {
        events.normal(pool, "InstancesRemoved", "Terminating " + extras.size() + " instances no longer needed: "
            + abbreviate(extras));
      }
    }
    List<Instance> created = plan.create() > 0 ? createVms(pool, status, cloud, selection, vms, plan.create(), now)
        : List.of();
    List<Instance> observed = new ArrayList<>(vms);
    observed.addAll(created);
    afterCreateHook.run();
    report(pool, status, observed, now);
    return plan.create() > 0 || !toTerminate.isEmpty() || orZero(status.getPending()) > 0
        ? min(settings.resyncInterval(), Duration.ofSeconds(2)) : settings.resyncInterval();
  }

  // ---- observe ------------------------------------------------------------------------------------

  private PoolPlan.Inputs planInputs(InstancePool pool, InstancePoolStatus status, List<Instance> vms, Instant now) {
    Map<String, PoolInstance> known = new HashMap<>();
    if (status.getInstances() != null) {
      status.getInstances().forEach(i -> known.put(i.getId(), i));
    }
    Set<String> requested = terminationRequested.getOrDefault(pool.getMetadata().getUid(), Set.of());
    List<PoolPlan.Vm> planVms = new ArrayList<>();
    for (Instance vm : vms) {
      Heartbeats.Seen seen = seen(vm);
      Instant last = lastReport(vm, status);
      PoolInstance before = known.get(vm.id());
      boolean askedBefore = before != null && before.getState() == PoolInstanceState.TERMINATING;
      planVms.add(new PoolPlan.Vm(vm.id(), vm.state(), vm.launchTime(), last == null ? null
          : (seen != null ? seen.first() : last), last, seen == null ? 0 : seen.runningTasks(),
          requested.contains(vm.id()) || askedBefore));
    }
    Set<String> previouslyAlive = known.values().stream()
        .filter(i -> i.getState() == PoolInstanceState.PENDING || i.getState() == PoolInstanceState.RUNNING)
        .map(PoolInstance::getId).collect(Collectors.toSet());
    boolean timeouts = jobOwned(pool);
    InstancePoolSpec spec = pool.getSpec();
    Duration startup = timeouts ? Durations.parseOrDefault("spec.startupTimeout", spec.getStartupTimeout(),
        Durations.parse(InstancePoolSpec.DEFAULT_STARTUP_TIMEOUT)) : null;
    Duration heartbeat = timeouts ? Durations.parseOrDefault("spec.heartbeatTimeout", spec.getHeartbeatTimeout(),
        Durations.parse(InstancePoolSpec.DEFAULT_HEARTBEAT_TIMEOUT)) : null;
    return new PoolPlan.Inputs(spec.getCount() == null ? 0 : spec.getCount(), planVms, previouslyAlive, startup,
        heartbeat, trackingSince, now);
  }

  /**
   * Heartbeat timeouts need a job's event consumer to hear the workers; a standalone pool has none,
   * so its VMs are judged by the cloud's state only.
   */
  private static boolean jobOwned(InstancePool pool) {
    return VmNaming.jobOwner(pool) != null;
  }

  /**
   * What the job heard from a VM's worker. Workers report under the VM name they were given
   * ({@code TASKJOB_INSTANCE_ID}, see {@link #request}); that is the cloud's id where the name is the id
   * (GCE, local), and a tag beside the id on EC2.
   */
  private Heartbeats.Seen seen(Instance vm) {
    Heartbeats.Seen seen = heartbeats.get(vm.id());
    return seen != null || vm.name() == null ? seen : heartbeats.get(vm.name());
  }

  /** The latest report of a VM's worker: this process's record, else what the status saved. */
  private Instant lastReport(Instance vm, InstancePoolStatus status) {
    Heartbeats.Seen seen = seen(vm);
    if (seen != null) {
      return seen.last();
    }
    if (status.getInstances() != null) {
      for (PoolInstance i : status.getInstances()) {
        if (i.getId().equals(vm.id()) && i.getLastHeartbeat() != null) {
          return Instant.parse(i.getLastHeartbeat());
        }
      }
    }
    return null;
  }

  private ProviderConfig providerConfig(InstancePool pool) {
    InstancePoolSpec spec = pool.getSpec();
    String secret = spec.getCredentials() == null || spec.getCredentials().getSecretRef() == null ? null
        : spec.getCredentials().getSecretRef().getName();
    return providers.config(pool.getMetadata().getNamespace(), spec.getProvider().id(), spec.getRegion(),
        spec.getZones(), spec.getProject(), secret);
  }

  // ---- decide -------------------------------------------------------------------------------------

  /** The ranked types for the pool's constraints, computed once per generation. */
  private Selection selection(InstancePool pool, ProviderConfig config) {
    String key = pool.getMetadata().getUid() + "/" + pool.getMetadata().getGeneration();
    Selection cached = selections.get(key);
    if (cached != null) {
      return cached;
    }
    InstancePoolSpec spec = pool.getSpec();
    Selection selection = InstanceSelector.select(providers.catalog(config), Constraints.of(spec.getInstances(),
        spec.getZones(), spec.getCpusPerTask(), spec.getMemoryPerTaskGiB(), simultaneousTasks(spec), spec.getSpot()));
    selections.keySet().removeIf(k -> k.startsWith(pool.getMetadata().getUid() + "/"));
    selections.put(key, selection);
    return selection;
  }

  /** A job's fixed tasks-per-instance travels in the worker environment; ranking must honour it. */
  private static Integer simultaneousTasks(InstancePoolSpec spec) {
    String v = spec.getWorkerEnvironment() == null ? null : spec.getWorkerEnvironment().get("TASKJOB_NUM_SIMULTANEOUS_TASKS");
    try {
      return v == null ? null : Integer.valueOf(v.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private List<Candidate> usableCandidates(Selection selection, Instant now) {
    unavailable.values().removeIf(until -> until.isBefore(now));
    return selection.ranked().stream()
        .filter(c -> !unavailable.containsKey(new Unavailable(c.typeName(), c.spot())))
        .toList();
  }

  private void recordFailures(InstancePool pool, InstancePoolStatus status, PoolPlan.Result plan, String provider) {
    int failures = plan.failures();
    if (failures == 0) {
      return;
    }
    status.setReplacements((status.getReplacements() == null ? 0 : status.getReplacements()) + failures);
    for (String id : plan.lost()) {
      metrics.instanceFailure(provider, "lost");
      events.warning(pool, "InstanceLost", "Instance " + id + " was preempted or stopped; replacing it");
      LOG.info("pool {}/{}: instance {} lost (preempted or stopped), replacing", pool.getMetadata().getNamespace(),
          pool.getMetadata().getName(), id);
    }
    for (PoolPlan.Removal r : plan.terminate()) {
      if (r.reason() == PoolPlan.Reason.NEVER_STARTED) {
        metrics.instanceFailure(provider, "never_started");
        events.warning(pool, "InstanceNeverStarted", "Instance " + r.id() + ": no worker report within "
            + pool.getSpec().getStartupTimeout() + "; replacing it");
      } else if (r.reason() == PoolPlan.Reason.SILENT) {
        metrics.instanceFailure(provider, "silent");
        events.warning(pool, "InstanceSilent", "Instance " + r.id() + ": worker silent for "
            + pool.getSpec().getHeartbeatTimeout() + "; replacing it");
      }
    }
  }

  private void fail(InstancePool pool, InstancePoolStatus status, String reason, String message, Instant now) {
    status.setPhase(InstancePoolPhase.FAILED);
    status.setMessage(message);
    Conditions.set(status.getConditions(), ConditionTypes.FAILED, Condition.TRUE, reason, message, generation(pool),
        now);
    Conditions.set(status.getConditions(), ConditionTypes.READY, Condition.FALSE, reason, message, generation(pool),
        now);
    events.warning(pool, reason, message);
    LOG.warn("pool {}/{}: failed, {}", pool.getMetadata().getNamespace(), pool.getMetadata().getName(), message);
  }

  // ---- act ----------------------------------------------------------------------------------------

  /**
   * Creates {@code count} VMs in parallel (bounded), each with the next launch number, falling back
   * along the ranked types on capacity errors. The last launch number is saved on the pool afterwards;
   * the VMs' names carry it too, so a crash before that save reuses no number.
   */
  private List<Instance> createVms(InstancePool pool, InstancePoolStatus status, CloudProvider cloud,
      Selection selection, List<Instance> vms, int count, Instant now) {
    long firstSeq = nextSeq(pool, vms);
    List<Future<Created>> futures = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long seq = firstSeq + i;
      futures.add(creators.submit(() -> createOne(pool, cloud, selection, seq, now)));
    }
    List<Created> created = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (Future<Created> f : futures) {
      try {
        created.add(f.get(CREATE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
      } catch (ExecutionException e) {
        errors.add(e.getCause().getMessage());
      } catch (TimeoutException e) {
        f.cancel(true);
        errors.add("create timed out after " + Durations.format(CREATE_TIMEOUT));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        errors.add("interrupted");
      }
    }
    saveLastLaunch(pool, firstSeq + count - 1);
    String provider = cloud.name();
    if (!created.isEmpty()) {
      Candidate used = created.get(created.size() - 1).candidate();
      status.setInstanceType(used.typeName());
      status.setSpot(used.spot());
      status.setPricePerHour(used.pricePerHour());
      created.forEach(c -> metrics.instanceLaunched(provider, c.candidate().typeName()));
      events.normal(pool, "InstancesCreated", "Created " + created.size() + " " + used.typeName()
          + (used.spot() ? " spot" : "") + " instances: " + abbreviate(created.stream().map(c -> c.instance().id())
          .toList()));
      boolean limited = !used.typeName().equals(selection.best().typeName()) || used.spot() != selection.best().spot();
      Conditions.set(status.getConditions(), ConditionTypes.CAPACITY_LIMITED, limited ? Condition.TRUE : Condition.FALSE,
          limited ? "UsingFallbackType" : "PreferredType", limited ? "no capacity for " + selection.best().typeName()
              + "; using " + used.typeName() : "", generation(pool), now);
    }
    if (!errors.isEmpty()) {
      errors.forEach(e -> metrics.instanceFailure(provider, "error"));
      String message = "Could not create " + errors.size() + " of " + count + " instances: " + errors.get(0);
      status.setMessage(message);
      events.warning(pool, "CreateFailed", message);
      LOG.warn("pool {}/{}: {}", pool.getMetadata().getNamespace(), pool.getMetadata().getName(), message);
    }
    return created.stream().map(Created::instance).toList();
  }

  private Created createOne(InstancePool pool, CloudProvider cloud, Selection selection, long seq, Instant now) {
    List<Candidate> candidates = usableCandidates(selection, now);
    if (candidates.isEmpty()) {
      throw new CloudException("no capacity for any of the " + selection.ranked().size() + " fitting types", true);
    }
    CloudException last = null;
    for (Candidate c : candidates) {
      if (unavailable.containsKey(new Unavailable(c.typeName(), c.spot()))) {
        continue;
      }
      try {
        Instance vm = cloud.create(request(pool, c, seq));
        LOG.info("pool {}/{}: created {} ({}{}, {})", pool.getMetadata().getNamespace(), pool.getMetadata().getName(),
            vm.id(), c.typeName(), c.spot() ? " spot" : "", vm.zone());
        return new Created(vm, c);
      } catch (CapacityException e) {
        unavailable.put(new Unavailable(c.typeName(), c.spot()), clock.instant().plus(settings.capacityBackoff()));
        metrics.instanceFailure(cloud.name(), "capacity");
        events.warning(pool, "NoCapacity", "No capacity for " + c.typeName() + (c.spot() ? " spot" : "")
            + (e.zone() == null ? "" : " in " + e.zone()) + ": " + e.getMessage() + "; trying the next type");
        last = e;
      }
    }
    throw last != null ? last : new CloudException("no usable instance type", true);
  }

  private CreateInstanceRequest request(InstancePool pool, Candidate c, long seq) {
    InstancePoolSpec spec = pool.getSpec();
    Map<String, String> env = new LinkedHashMap<>(spec.getWorkerEnvironment() == null ? Map.of()
        : spec.getWorkerEnvironment());
    env.putIfAbsent("TASKJOB_NUM_SIMULTANEOUS_TASKS", Integer.toString(c.slots()));
    // The worker names its VM in every event; nothing on the VM tells it the cloud's id (EC2 assigns one
    // only in the create call's answer), so it gets the name, known before the call.
    env.put("TASKJOB_INSTANCE_ID", VmNaming.name(pool, seq));
    String image = spec.getInstances() == null ? null : spec.getInstances().getImage();
    String serviceAccount = spec.getInstances() == null ? null : spec.getInstances().getServiceAccount();
    String key = VmNaming.idempotencyKey(pool, seq) + "";
    // The key differs per type: a retry of the same launch with another type is a different request.
    String typedKey = java.util.UUID.nameUUIDFromBytes((key + "/" + c.typeName() + "/" + c.spot())
        .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    return new CreateInstanceRequest(VmNaming.name(pool, seq), typedKey, c.typeName(), c.zone(), c.spot(),
        VmNaming.tags(pool, settings.clusterId()), image, c.bootDiskGiB(), serviceAccount, env, null);
  }

  private long nextSeq(InstancePool pool, List<Instance> vms) {
    long max = 0;
    String saved = pool.getMetadata().getAnnotations() == null ? null
        : pool.getMetadata().getAnnotations().get(LAST_LAUNCH_ANNOTATION);
    if (saved != null) {
      try {
        max = Long.parseLong(saved);
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
    String patch = "{\"metadata\":{\"annotations\":{\"" + LAST_LAUNCH_ANNOTATION + "\":\"" + seq + "\"}}}";
    client.resources(InstancePool.class).inNamespace(pool.getMetadata().getNamespace())
        .withName(pool.getMetadata().getName()).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    if (pool.getMetadata().getAnnotations() == null) {
      pool.getMetadata().setAnnotations(new HashMap<>());
    }
    pool.getMetadata().getAnnotations().put(LAST_LAUNCH_ANNOTATION, Long.toString(seq));
  }

  private void terminateAll(InstancePool pool, CloudProvider cloud, List<Instance> vms) {
    List<String> alive = vms.stream().filter(vm -> vm.state() != InstanceState.TERMINATED).map(Instance::id).toList();
    if (!alive.isEmpty()) {
      terminationRequested.computeIfAbsent(pool.getMetadata().getUid(), k -> ConcurrentHashMap.newKeySet())
          .addAll(alive);
      cloud.terminate(alive);
    }
  }

  // ---- report -------------------------------------------------------------------------------------

  /** Counts by state, a bounded instance list (alive first), cost per hour, phase and Ready. */
  private void report(InstancePool pool, InstancePoolStatus status, List<Instance> vms, Instant now) {
    Set<String> requested = terminationRequested.getOrDefault(pool.getMetadata().getUid(), Set.of());
    Map<String, PoolInstance> previous = new HashMap<>();
    if (status.getInstances() != null) {
      status.getInstances().forEach(i -> previous.put(i.getId(), i));
    }
    int pending = 0;
    int running = 0;
    int terminating = 0;
    double costPerHour = 0;
    List<PoolInstance> listed = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Instance vm : vms) {
      if (!seen.add(vm.id())) {
        continue;
      }
      PoolInstanceState state = PoolInstanceState.valueOf(vm.state().name());
      if (vm.state().isAlive() && requested.contains(vm.id())) {
        state = PoolInstanceState.TERMINATING;
      }
      switch (state) {
        case PENDING -> pending++;
        case RUNNING -> running++;
        case TERMINATING, STOPPING -> terminating++;
        default -> { }
      }
      if (vm.state().isAlive()) {
        costPerHour += priceOf(vm, status);
      }
      PoolInstance before = previous.get(vm.id());
      String since = before != null && before.getState() == state && before.getSince() != null ? before.getSince()
          : (state == PoolInstanceState.PENDING && vm.launchTime() != null ? vm.launchTime() : now).toString();
      Instant last = lastReport(vm, status);
      listed.add(new PoolInstance(vm.id(), vm.zone(), state, since, last == null ? null : last.toString()));
    }
    listed.sort(Comparator.comparing((PoolInstance i) -> !isLive(i.getState())).thenComparing(PoolInstance::getSince,
        Comparator.reverseOrder()));
    status.setInstances(listed.isEmpty() ? null
        : new ArrayList<>(listed.subList(0, Math.min(InstancePoolStatus.MAX_LISTED_INSTANCES, listed.size()))));
    status.setPending(pending);
    status.setRunning(running);
    status.setTerminating(terminating);
    status.setCostPerHour(Math.round(costPerHour * 10000.0) / 10000.0);
    if (status.getReplacements() == null) {
      status.setReplacements(0L);
    }
    int desired = pool.getSpec().getCount() == null ? 0 : pool.getSpec().getCount();
    metrics.pool(pool.getMetadata().getNamespace(), pool.getMetadata().getName(), pending, running, terminating);
    if (status.getPhase() == InstancePoolPhase.FAILED) {
      return;
    }
    boolean ready = running == desired && pending == 0 && terminating == 0;
    status.setPhase(ready ? InstancePoolPhase.READY : InstancePoolPhase.SCALING);
    Conditions.set(status.getConditions(), ConditionTypes.READY, ready ? Condition.TRUE : Condition.FALSE,
        ready ? "AllInstancesRunning" : "Scaling", running + " of " + desired + " instances running"
            + (pending > 0 ? ", " + pending + " starting" : "") + (terminating > 0 ? ", " + terminating + " terminating" : ""),
        generation(pool), now);
    status.setMessage(running + " of " + desired + " instances running");
  }

  private static boolean isLive(PoolInstanceState s) {
    return s == PoolInstanceState.PENDING || s == PoolInstanceState.RUNNING || s == PoolInstanceState.TERMINATING;
  }

  private double priceOf(Instance vm, InstancePoolStatus status) {
    for (Selection s : selections.values()) {
      for (Candidate c : s.ranked()) {
        if (c.typeName().equals(vm.instanceType()) && c.spot() == vm.spot()) {
          return c.pricePerHour();
        }
      }
    }
    return status.getPricePerHour() == null ? 0 : status.getPricePerHour();
  }

  // ---- deletion -----------------------------------------------------------------------------------

  /** Terminates every VM and keeps the finalizer until the cloud reports each one terminated. */
  @Override
  public DeleteControl cleanup(InstancePool pool, Context<InstancePool> context) {
    ProviderConfig config;
    try {
      config = providerConfig(pool);
    } catch (ProviderAccess.MissingSecretException e) {
      InstancePoolSpec spec = pool.getSpec();
      config = providers.config(pool.getMetadata().getNamespace(), spec.getProvider().id(), spec.getRegion(),
          spec.getZones(), spec.getProject(), null);
    }
    CloudProvider cloud = providers.cloud(config);
    List<Instance> vms = cloud.list(VmNaming.poolSelector(pool, settings.clusterId()));
    List<Instance> left = vms.stream().filter(vm -> vm.state() != InstanceState.TERMINATED).toList();
    if (!left.isEmpty()) {
      terminateAll(pool, cloud, left);
      LOG.info("pool {}/{}: deleting, waiting for {} instances to terminate", pool.getMetadata().getNamespace(),
          pool.getMetadata().getName(), left.size());
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(min(settings.resyncInterval(), Duration.ofSeconds(2))
          .toMillis());
    }
    String uid = pool.getMetadata().getUid();
    terminationRequested.remove(uid);
    selections.keySet().removeIf(k -> k.startsWith(uid + "/"));
    vms.forEach(vm -> {
      heartbeats.forget(vm.id());
      if (vm.name() != null) {
        heartbeats.forget(vm.name());
      }
    });
    metrics.poolGone(pool.getMetadata().getNamespace(), pool.getMetadata().getName());
    LOG.info("pool {}/{}: deleted, every instance terminated", pool.getMetadata().getNamespace(),
        pool.getMetadata().getName());
    return DeleteControl.defaultDelete();
  }

  @Override
  public ErrorStatusUpdateControl<InstancePool> updateErrorStatus(InstancePool pool, Context<InstancePool> context,
      Exception e) {
    InstancePoolStatus status = pool.getStatus() == null ? new InstancePoolStatus() : pool.getStatus();
    pool.setStatus(status);
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof ProviderAccess.MissingSecretException) {
      message = "spec.credentials.secretRef.name: " + message;
    }
    Conditions.set(status.getConditions(), DEGRADED, Condition.TRUE, "ReconcileError", message, generation(pool),
        clock.instant());
    status.setMessage(message);
    LOG.warn("pool {}/{}: reconcile failed, will retry: {}", pool.getMetadata().getNamespace(),
        pool.getMetadata().getName(), e.toString());
    return ErrorStatusUpdateControl.patchStatus(pool);
  }

  /** Stops the create threads (operator shutdown). */
  public void shutdown() {
    creators.shutdownNow();
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private static String statusJson(InstancePool pool) {
    return pool.getStatus() == null ? "" : Json.MAPPER.valueToTree(pool.getStatus()).toString();
  }

  private static Long generation(InstancePool pool) {
    return pool.getMetadata().getGeneration();
  }

  private static int orZero(Integer v) {
    return v == null ? 0 : v;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static String abbreviate(List<String> ids) {
    return ids.size() <= 5 ? String.join(", ", ids)
        : String.join(", ", ids.subList(0, 5)) + " and " + (ids.size() - 5) + " more";
  }
}
