package dev.taskjob.operator.validation;

import dev.taskjob.core.cloud.CloudException;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.SecretStore;
import dev.taskjob.crds.v1alpha1.shared.ConfigMapTaskRef;
import dev.taskjob.crds.v1alpha1.shared.Durations;
import dev.taskjob.crds.v1alpha1.shared.EnvVar;
import dev.taskjob.crds.v1alpha1.shared.InstanceRequirements;
import dev.taskjob.crds.v1alpha1.shared.UnreadableField;
import dev.taskjob.crds.v1alpha1.shared.WorkerSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import dev.taskjob.operator.archive.OutputLocations;
import dev.taskjob.operator.cloud.ProviderAccess;
import dev.taskjob.operator.decision.PoolSizing;
import dev.taskjob.operator.load.LoadOptions;
import dev.taskjob.operator.selection.Candidate;
import dev.taskjob.operator.selection.InstanceConstraints;
import dev.taskjob.operator.selection.InstanceSelector;
import dev.taskjob.operator.selection.NoMatchingInstanceTypeException;
import dev.taskjob.operator.selection.Selection;
import dev.taskjob.operator.tasks.JobTasks;
import dev.taskjob.operator.tasks.TaskSourceException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The semantic checks a TaskJob passes before anything is created or spent, cheapest first: fields the
 * classes could not read, provider (local only where allowed), required fields, region shape, durations,
 * env names, image reference, constraint ranges, the CRD schema itself (ranges, enums, patterns),
 * generated parameter names, credentials Secret, task lists (exist, parse, unique ids), a region the
 * catalog knows, an instance type that meets the constraints, and a budget that buys at least one instance.
 * The API server's schema and CEL rules catch most of these earlier in a real cluster; these checks
 * also hold where no schema runs and cover what a schema cannot see (other objects, the catalog).
 */
public final class TaskJobValidator {

  /** The provider whose instances are processes on the operator's own machine. */
  public static final String LOCAL_PROVIDER = "local";

  /** A job that can start: its tasks, where it runs, and the ranked instance types. */
  public record Valid(JobTasks tasks, ProviderConfig provider, InstanceConstraints constraints, Selection selection,
      Map<String, String> secretEnv) {

    /** Never prints the secret values. */
    @Override
    public String toString() {
      return "Valid{provider=" + provider.provider() + ", tasks=" + tasks.size() + ", secretEnv=" + secretEnv.keySet() + "}";
    }
  }

  /** Either a {@link Valid} or an {@link Invalid}. */
  public record Result(Valid valid, Invalid invalid) {
    public boolean isValid() {
      return valid != null;
    }
  }

  private final KubernetesClient client;
  private final ProviderAccess providers;

  public TaskJobValidator(KubernetesClient client, ProviderAccess providers) {
    this.client = client;
    this.providers = providers;
  }

  public Result validate(TaskJob job) {
    try {
      return new Result(check(job), null);
    } catch (InvalidException e) {
      return new Result(null, e.invalid);
    }
  }

  private Valid check(TaskJob job) {
    TaskJobSpec spec = job.getSpec();
    String namespace = job.getMetadata().getNamespace();
    if (spec == null) {
      throw invalid(Invalid.INVALID_SPEC, "spec", "spec is missing");
    }
    require(AdmissionChecks.unreadable(unreadableFields(job)));
    if (spec.getProvider() == null) {
      throw invalid(Invalid.UNKNOWN_PROVIDER, "spec.provider", "spec.provider is required (local, aws or gcp)");
    }
    String provider = spec.getProvider().id();
    if (LOCAL_PROVIDER.equals(provider) && providers.module(provider).isEmpty()) {
      throw invalid(Invalid.PROVIDER_NOT_ALLOWED, "spec.provider", "spec.provider: Forbidden: provider 'local' runs "
          + "tasks as processes inside the operator, so an operator in a cluster refuses it; run the job on your "
          + "machine with 'taskjob local', or start a development operator with --allow-local-provider (from the full "
          + "CLI jar, taskjob.jar; the operator image has no local provider)");
    }
    if (providers.module(provider).isEmpty()) {
      throw invalid(Invalid.UNKNOWN_PROVIDER, "spec.provider", "spec.provider: no provider '" + provider
          + "' in this operator (available: " + String.join(", ", providers.available()) + ")");
    }
    if (!"local".equals(provider) && blank(spec.getRegion())) {
      throw invalid(Invalid.INVALID_SPEC, "spec.region", "spec.region is required for provider " + provider);
    }
    if ("gcp".equals(provider) && blank(spec.getProject())) {
      throw invalid(Invalid.INVALID_SPEC, "spec.project", "spec.project is required for provider gcp");
    }
    require(AdmissionChecks.regionShape(provider, spec.getRegion()));
    WorkerSpec worker = spec.getWorker();
    if (worker == null || worker.getCommand() == null || worker.getCommand().isEmpty()) {
      throw invalid(Invalid.INVALID_SPEC, "spec.worker.command", "spec.worker.command is required");
    }
    if (!"local".equals(provider) && blank(worker.getImage())) {
      throw invalid(Invalid.INVALID_SPEC, "spec.worker.image", "spec.worker.image is required for provider " + provider);
    }
    checkDuration("spec.worker.maxRuntime", worker.getMaxRuntime());
    checkDuration("spec.worker.shutdownGracePeriod", worker.getShutdownGracePeriod());
    checkDuration("spec.worker.expectedTaskDuration", worker.getExpectedTaskDuration());
    checkDuration("spec.terminationDelay", spec.getTerminationDelay());
    Double maxCost = spec.getBudget() == null ? null : spec.getBudget().getMaxCost();
    if (maxCost != null && !(maxCost >= 0 && Double.isFinite(maxCost))) {
      throw invalid(Invalid.INVALID_SPEC, "spec.budget.maxCost",
          "spec.budget.maxCost must be a number of USD, 0 or more, got " + maxCost);
    }
    require(AdmissionChecks.maxRuntime(worker.getMaxRuntime()));
    require(AdmissionChecks.command(worker.getCommand()));
    require(AdmissionChecks.env(worker.getEnv()));
    require(AdmissionChecks.image(worker.getImage()));
    Integer maxAttempts = worker.getRetry() == null ? null : worker.getRetry().getMaxAttempts();
    if (maxAttempts != null && maxAttempts < 1) {
      throw invalid(Invalid.INVALID_SPEC, "spec.worker.retry.maxAttempts",
          "spec.worker.retry.maxAttempts must be at least 1, got " + maxAttempts);
    }
    List<ConfigMapTaskRef> refs = spec.getTasks() == null ? null : spec.getTasks().getConfigMapRefs();
    for (int i = 0; refs != null && i < refs.size(); i++) {
      // an empty name would otherwise reach the API client, which refuses it on every reconcile
      if (refs.get(i) == null || blank(refs.get(i).getName())) {
        throw invalid(Invalid.INVALID_SPEC, "spec.tasks.configMapRefs[" + i + "].name",
            "spec.tasks.configMapRefs[" + i + "].name is required");
      }
    }
    InstanceRequirements instances = spec.getInstances() == null ? new InstanceRequirements() : spec.getInstances();
    checkRange("Cpus", instances.getMinCpus(), instances.getMaxCpus());
    checkRange("MemoryGiB", instances.getMinMemoryGiB(), instances.getMaxMemoryGiB());
    checkRange("MemoryPerCpuGiB", instances.getMinMemoryPerCpuGiB(), instances.getMaxMemoryPerCpuGiB());
    checkRange("Instances", instances.getMinInstances(), instances.getMaxInstances());
    InstanceConstraints constraints;
    try {
      constraints = Constraints.of(instances, spec.getZones(), worker.getCpusPerTask(), worker.getMemoryPerTaskGiB(),
          worker.getSimultaneousTasks(), null);
    } catch (IllegalArgumentException e) {
      throw invalid(Invalid.INVALID_CONSTRAINTS, "spec.instances", "spec.instances: " + e.getMessage());
    }
    require(AdmissionChecks.schema(job));
    require(AdmissionChecks.parameterNames(spec.getTasks() == null ? null : spec.getTasks().getGenerate()));
    require(OutputLocations.check(provider, spec.getOutput() == null ? null : spec.getOutput().getUri()));

    String secret = spec.getCredentials() == null || spec.getCredentials().getSecretRef() == null
        ? null : spec.getCredentials().getSecretRef().getName();
    ProviderConfig config;
    try {
      config = providers.config(namespace, provider, spec.getRegion(), spec.getZones(), spec.getProject(), secret);
    } catch (ProviderAccess.MissingSecretException e) {
      throw new InvalidException(new Invalid(Invalid.SECRET_NOT_FOUND, "spec.credentials.secretRef.name",
          "spec.credentials.secretRef.name: " + e.getMessage(), true));
    }

    Map<String, String> secretEnv = secretEnv(job, config);

    JobTasks tasks;
    try {
      tasks = JobTasks.open(client, namespace, spec.getTasks(), LoadOptions.forProvider(provider).maxMessageBytes());
    } catch (TaskSourceException e) {
      throw new InvalidException(new Invalid(e.reason(), e.field(), e.getMessage(), e.mayResolveItself()));
    }

    try {
      JobStartupScripts.environment(client, namespace, worker.getStartupScript());
    } catch (TaskSourceException e) {
      throw new InvalidException(new Invalid(e.reason(), e.field(), e.getMessage(), e.mayResolveItself()));
    }

    InstanceCatalog catalog;
    try {
      catalog = providers.catalog(config);
    } catch (CloudException e) {
      throw new InvalidException(new Invalid(Invalid.CLOUD_UNAVAILABLE, "spec.provider",
          "cannot read the " + provider + " instance catalog: " + e.getMessage(), true));
    }
    require(AdmissionChecks.regionKnown(provider, spec.getRegion(), catalog));
    Selection selection;
    try {
      selection = InstanceSelector.select(catalog, constraints);
    } catch (NoMatchingInstanceTypeException e) {
      String tightest = e.tightestConstraint();
      boolean budget = BUDGET_FIELDS.contains(tightest);
      throw invalid(budget ? Invalid.BUDGET_TOO_LOW : Invalid.NO_MATCHING_INSTANCE_TYPE,
          tightest == null ? "spec.instances" : fieldOf(tightest), "spec.instances: " + e.getMessage());
    }
    Candidate best = selection.best();
    require(AdmissionChecks.maxMemoryPerTask(worker.getMaxMemoryPerTask(), best));
    PoolSizing.Budget budget = budgetOf(instances);
    if (PoolSizing.maxAffordable(best.type().vcpus(), best.pricePerHour(), budget) == 0) {
      String field = instances.getMaxPricePerHour() != null
          && best.pricePerHour() > instances.getMaxPricePerHour() ? "maxPricePerHour" : "maxTotalCpus";
      throw invalid(Invalid.BUDGET_TOO_LOW, "spec.instances." + field, String.format(
          "spec.instances.%s: the budget buys no instance; the cheapest fitting type %s costs %.4f USD/hour with %d vCPUs",
          field, best.typeName(), best.pricePerHour(), best.type().vcpus()));
    }
    if (!LOCAL_PROVIDER.equals(provider) && blank(config.property(ProviderConfig.Keys.WORKER_IMAGE))) {
      // Checked last, after the job's own fields: this one is the operator's, and an admin's restart fixes it.
      throw new InvalidException(new Invalid(Invalid.WORKER_IMAGE_NOT_CONFIGURED, "spec.provider",
          "spec.provider: this operator has no taskjob-worker image for " + provider + " VMs, so it can start none; "
              + "the operator's admin sets it with --provider-property " + ProviderConfig.Keys.WORKER_IMAGE
              + "=REGISTRY/taskjob-worker:VERSION (docs/install.md); the job is checked again by itself", true));
    }
    return new Valid(tasks, config, constraints, selection, secretEnv);
  }

  /** The values of env entries given by Secret reference; only where the provider has a secret store. */
  private Map<String, String> secretEnv(TaskJob job, ProviderConfig config) {
    List<EnvVar> env = job.getSpec().getWorker().getEnv();
    if (!SecretEnv.any(env)) {
      return Map.of();
    }
    Optional<SecretStore> store = providers.secrets(config);
    if (store.isEmpty()) {
      int first = 0;
      while (env.get(first).secretKeyRef() == null) {
        first++;
      }
      String field = "spec.worker.env[" + first + "].valueFrom";
      throw invalid(Invalid.INVALID_SPEC, field, field + ": Unsupported value: provider " + config.provider()
          + " has no secret store in this operator (secrets by reference work with providers aws, gcp and local); "
          + "give the instances an identity (spec.instances.serviceAccount) that reads the secret from "
          + "the cloud's secret manager when the task starts");
    }
    try {
      return SecretEnv.resolve(client, job.getMetadata().getNamespace(), env, store.get().maxValueBytes());
    } catch (SecretEnv.Unresolved e) {
      throw new InvalidException(e.invalid);
    }
  }

  private static final Set<String> BUDGET_FIELDS = Set.of("maxPricePerHour", "maxTotalCpus", "maxInstances");

  private static String fieldOf(String constraint) {
    return switch (constraint) {
      case "cpusPerTask", "memoryPerTaskGiB", "simultaneousTasks" -> "spec.worker." + constraint;
      case "zones" -> "spec.zones";
      default -> "spec.instances." + constraint;
    };
  }

  /** The job's budget; an unset maxInstances means the default cap. */
  public static PoolSizing.Budget budgetOf(InstanceRequirements instances) {
    InstanceRequirements r = instances == null ? new InstanceRequirements() : instances;
    return new PoolSizing.Budget(r.getMinInstances() == null ? 0 : r.getMinInstances(),
        r.getMaxInstances() == null ? InstanceRequirements.DEFAULT_MAX_INSTANCES : r.getMaxInstances(),
        r.getMaxTotalCpus(), r.getMaxPricePerHour());
  }

  private static void checkDuration(String field, String value) {
    if (value == null) {
      return;
    }
    try {
      Durations.parse(field, value);
    } catch (IllegalArgumentException e) {
      throw invalid(Invalid.INVALID_SPEC, field, e.getMessage());
    }
  }

  private static void checkRange(String what, Number min, Number max) {
    if (min != null && max != null && min.doubleValue() > max.doubleValue()) {
      throw invalid(Invalid.INVALID_CONSTRAINTS, "spec.instances.min" + what, "spec.instances.min" + what + " (" + min
          + ") is greater than spec.instances.max" + what + " (" + max + ")");
    }
  }

  /**
   * The fields of the stored spec that the classes cannot hold. They are read from the API server
   * because the copy JOSDK hands to a reconciler is a re-serialized clone, which no longer has them.
   */
  private List<UnreadableField> unreadableFields(TaskJob job) {
    if (!job.getSpec().unreadableFields().isEmpty()) {
      return job.getSpec().unreadableFields();
    }
    GenericKubernetesResource stored = client.genericKubernetesResources(STORED_TASK_JOBS)
        .inNamespace(job.getMetadata().getNamespace()).withName(job.getMetadata().getName()).get();
    Object storedSpec = stored == null ? null : stored.getAdditionalProperties().get("spec");
    if (storedSpec == null) {
      return List.of();
    }
    return new TaskJobSpec.Reader().read(Serialization.jsonMapper().valueToTree(storedSpec)).unreadableFields();
  }

  private static final ResourceDefinitionContext STORED_TASK_JOBS = ResourceDefinitionContext.fromResourceType(
      TaskJob.class);

  private static void require(java.util.Optional<Invalid> problem) {
    if (problem.isPresent()) {
      throw new InvalidException(problem.get());
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static InvalidException invalid(String reason, String field, String message) {
    return new InvalidException(new Invalid(reason, field, message, false));
  }

  private static final class InvalidException extends RuntimeException {
    final transient Invalid invalid;

    InvalidException(Invalid invalid) {
      super(invalid.message(), null, false, false);
      this.invalid = invalid;
    }
  }
}
