package dev.taskjob.operator.reconciler.job;

import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import dev.taskjob.operator.decision.RightSizing;
import dev.taskjob.operator.selection.InstanceConstraints;
import dev.taskjob.operator.selection.InstanceSelector;
import dev.taskjob.operator.selection.NoMatchingInstanceTypeException;
import dev.taskjob.operator.validation.Constraints;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Right-sizing of a running job: the task size its finished tasks' measured use suggests goes to
 * {@code status.rightSizing} with its saving; with {@code spec.worker.autoSize} it also goes to the pool's
 * spec, so the VMs launched from then on get the type and slots of the smaller task (running VMs keep theirs),
 * and the job sizes its pool in slots of that type.
 */
final class JobRightSizing {

  private static final Logger LOG = LoggerFactory.getLogger(JobRightSizing.class);

  private final JobServices services;

  JobRightSizing(JobServices services) {
    this.services = services;
  }

  /** Suggests, reports and (with autoSize) applies; returns the pool as it now is. */
  InstancePool apply(TaskJob job, TaskJobSpec spec, TaskJobStatus status, JobRuntime runtime, InstancePool pool) {
    // observe
    RightSizing.Usage usage = runtime.progress.taskUsage();
    double cpus = spec.getWorker().getCpusPerTask() == null ? 1 : spec.getWorker().getCpusPerTask();
    RightSizing.Inputs inputs = new RightSizing.Inputs(cpus, spec.getWorker().getMemoryPerTaskGiB(), usage,
        minMeasured(spec), RightSizing.DEFAULT_MARGIN);
    // decide
    Optional<RightSizing.Suggestion> suggestion = RightSizing.suggest(inputs);
    if (suggestion.isEmpty()) {
      return pool;
    }
    InstanceCatalog catalog = services.providers().catalog(runtime.provider);
    InstanceConstraints asked = constraints(spec, cpus, spec.getWorker().getMemoryPerTaskGiB());
    RightSizing.Saving saving = RightSizing.saving(catalog, asked, suggestion.get()).orElse(null);
    boolean autoSize = Boolean.TRUE.equals(spec.getWorker().getAutoSize());
    boolean apply = autoSize && saving != null && suggestion.get().smallerThan(inputs);
    // report
    status.setRightSizing(RightSizing.describe(suggestion.get(), usage, saving)
        + (apply ? "; applied to new instances (autoSize)" : ""));
    // act
    if (apply && pool != null && !sizedFor(pool.getSpec(), suggestion.get())) {
      pool = resize(job, pool, suggestion.get(), saving);
    }
    if (pool != null && autoSize) {
      followPool(spec, runtime, pool.getSpec(), catalog);
    }
    return pool;
  }

  /**
   * A pilot of fewer tasks than the default measures enough: the instances launched after it should already get
   * the size its tasks suggest.
   */
  static int minMeasured(TaskJobSpec spec) {
    Integer pilotTasks = spec.getPilot() == null ? null : spec.getPilot().getTasks();
    return pilotTasks == null ? RightSizing.DEFAULT_MIN_MEASURED
        : Math.max(1, Math.min(RightSizing.DEFAULT_MIN_MEASURED, pilotTasks));
  }

  private InstancePool resize(TaskJob job, InstancePool pool, RightSizing.Suggestion s, RightSizing.Saving saving) {
    LOG.info("job {}: new instances sized for {} vCPUs and {} GiB per task ({})", JobServices.name(job),
        s.cpusPerTask(), s.memoryPerTaskGiB(), saving.suggested().typeName());
    services.events().normal(job, "RightSized", String.format(Locale.ROOT,
        "new instances are sized for cpusPerTask %s and memoryPerTaskGiB %s from measured tasks: %s with %d slots, "
            + "%.0f%% less per task", s.cpusPerTask(), s.memoryPerTaskGiB(), saving.suggested().typeName(),
        saving.suggested().slots(), saving.fraction() * 100));
    return services.client().resources(InstancePool.class).inNamespace(pool.getMetadata().getNamespace())
        .withName(pool.getMetadata().getName()).patch(PatchContext.of(PatchType.JSON_MERGE), String.format(
            Locale.ROOT, "{\"spec\":{\"cpusPerTask\":%s,\"memoryPerTaskGiB\":%s}}", s.cpusPerTask(),
            s.memoryPerTaskGiB()));
  }

  /** The job sizes its pool in slots of the type the pool launches now: rank types for the pool's task size. */
  private static void followPool(TaskJobSpec spec, JobRuntime runtime, InstancePoolSpec ps, InstanceCatalog catalog) {
    if (ps.getCpusPerTask() == null || ps.getMemoryPerTaskGiB() == null) {
      return;
    }
    RightSizing.Suggestion poolSize = new RightSizing.Suggestion(ps.getCpusPerTask(), ps.getMemoryPerTaskGiB());
    if (poolSize.equals(runtime.sizedFor)) {
      return;
    }
    try {
      runtime.selection = InstanceSelector.select(catalog,
          constraints(spec, poolSize.cpusPerTask(), poolSize.memoryPerTaskGiB()));
      runtime.sizedFor = poolSize;
    } catch (NoMatchingInstanceTypeException e) {
      // the pool fails with the same reason and the job reports it
    }
  }

  private static boolean sizedFor(InstancePoolSpec ps, RightSizing.Suggestion s) {
    return ps.getCpusPerTask() != null && Objects.equals(ps.getCpusPerTask(), s.cpusPerTask())
        && Objects.equals(ps.getMemoryPerTaskGiB(), s.memoryPerTaskGiB());
  }

  private static InstanceConstraints constraints(TaskJobSpec spec, double cpus, Double memoryGiB) {
    return Constraints.of(spec.getInstances(), spec.getZones(), cpus, memoryGiB,
        spec.getWorker().getSimultaneousTasks(), null);
  }
}
