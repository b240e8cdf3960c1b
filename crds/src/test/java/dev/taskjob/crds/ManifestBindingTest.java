package dev.taskjob.crds;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskjob.crds.schema.CelRules;
import dev.taskjob.crds.schema.SchemaValidator;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolPhase;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.crds.v1alpha1.instancepool.PoolInstance;
import dev.taskjob.crds.v1alpha1.instancepool.PoolInstanceState;
import dev.taskjob.crds.v1alpha1.shared.Architecture;
import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.shared.Provider;
import dev.taskjob.crds.v1alpha1.taskjob.CleanupPolicy;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Manifests as users write them bind to the classes (with the defaults the schema would apply), and
 * the status the operator writes is what the schema accepts.
 */
class ManifestBindingTest {

  private static final SchemaValidator TASK_JOBS =
      new SchemaValidator(CrdFiles.committed(TaskJob.class), CelRules.INSTANCE);
  private static final SchemaValidator POOLS =
      new SchemaValidator(CrdFiles.committed(InstancePool.class), CelRules.INSTANCE);

  @Test
  void bindsAwsSweepWithEveryField() {
    TaskJob job = read("taskjob-aws.yaml", TaskJob.class);
    var spec = job.getSpec();
    assertThat(job.getMetadata().getName()).isEqualTo("sweep");
    assertThat(spec.getProvider()).isEqualTo(Provider.AWS);
    assertThat(spec.getZones()).containsExactly("us-east-1a", "us-east-1b");
    assertThat(spec.getCredentials().getSecretRef().getName()).isEqualTo("aws-credentials");
    assertThat(spec.getTasks().getConfigMapRefs()).isNull();
    assertThat(spec.getTasks().getGenerate().getIdPrefix()).isEqualTo("sweep-");
    assertThat(spec.getTasks().getGenerate().getParameters()).containsOnlyKeys("alpha", "seed");
    assertThat(spec.getTasks().getGenerate().getParameters().get("alpha").getStep()).isEqualTo(0.25);
    assertThat(spec.getTasks().getGenerate().getParameters().get("seed").getStep()).isEqualTo(1.0);
    assertThat(spec.getWorker().getMemoryPerTaskGiB()).isEqualTo(3.5);
    assertThat(spec.getWorker().getRetry().getRetryExitCodes()).containsExactly(75);
    assertThat(spec.getWorker().getRetry().getOnTimeout()).isTrue();
    assertThat(spec.getInstances().getArchitecture()).isEqualTo(Architecture.ARM64);
    assertThat(spec.getInstances().getTypes()).containsExactly("c7g.*", "m7g.*");
    assertThat(spec.getInstances().getMaxPricePerHour()).isEqualTo(12.5);
    assertThat(spec.getCleanup()).isEqualTo(CleanupPolicy.KEEP);
    assertThat(spec.getTtlSecondsAfterFinished()).isEqualTo(86400);
  }

  @Test
  void fillsSchemaDefaultsForOmittedFields() {
    TaskJob job = read("taskjob-local.yaml", TaskJob.class);
    var spec = job.getSpec();
    assertThat(spec.getProvider()).isEqualTo(Provider.LOCAL);
    assertThat(spec.getTasks().getConfigMapRefs()).singleElement()
        .satisfies(ref -> assertThat(ref.getName() + "/" + ref.getKey()).isEqualTo("addition-tasks/tasks.json"));
    assertThat(spec.getTerminationDelay()).isEqualTo("1m");
    assertThat(spec.getCleanup()).isEqualTo(CleanupPolicy.DELETE);
    assertThat(spec.getWorker().getShutdownGracePeriod()).isEqualTo("30s");
    assertThat(spec.getWorker().getSimultaneousTasks()).isNull();
    assertThat(spec.getWorker().getRetry().getOnTimeout()).isFalse();
    assertThat(spec.getInstances().getArchitecture()).isEqualTo(Architecture.X86_64);
    assertThat(spec.getInstances().getSpot()).isFalse();
    assertThat(spec.getInstances().getMinInstances()).isZero();
    assertThat(spec.getInstances().getMaxInstances()).isEqualTo(2);
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {"taskjob-local.yaml", "taskjob-aws.yaml", "taskjob-gcp.yaml", "instancepool-aws.yaml"})
  void javaDefaultsMatchSchemaDefaults(String manifest) {
    // The operator reads objects the API server has defaulted; tests against the mock server read them as written.
    // Field initializers in the classes keep both views the same.
    ObjectNode written = Manifests.load(manifest);
    boolean pool = manifest.startsWith("instancepool");
    SchemaValidator validator = pool ? POOLS : TASK_JOBS;
    Object bound = pool ? read(manifest, InstancePool.class) : read(manifest, TaskJob.class);
    JsonNode javaView = CrdFiles.YAML.valueToTree(bound).get("spec");
    JsonNode serverView = validator.withDefaults(written).get("spec");
    // 1 and 1.0 are the same value to the API server.
    java.util.Comparator<JsonNode> byValue = (a, b) -> a.equals(b)
        || a.isNumber() && b.isNumber() && a.decimalValue().compareTo(b.decimalValue()) == 0 ? 0 : 1;
    assertThat(javaView.equals(byValue, serverView))
        .as("Java view %s%nserver view %s", javaView, serverView)
        .isTrue();
  }

  @Test
  void bindsInstancePool() {
    InstancePool pool = read("instancepool-aws.yaml", InstancePool.class);
    assertThat(pool.getSpec().getCount()).isEqualTo(4);
    assertThat(pool.getSpec().getWorkerEnvironment()).containsEntry("TASKJOB_MAX_ATTEMPTS", "4");
    assertThat(pool.getSpec().getStartupTimeout()).isEqualTo("15m");
    assertThat(pool.getSpec().getInstances().getMaxInstances()).isEqualTo(10);
  }

  @Test
  void statusWrittenByTheOperatorPassesTheSchema() {
    TaskJob job = read("taskjob-aws.yaml", TaskJob.class);
    TaskJobStatus status = new TaskJobStatus();
    status.setPhase(TaskJobPhase.RUNNING);
    status.setObservedGeneration(2L);
    Conditions.set(status.getConditions(), ConditionTypes.LOADED, Condition.TRUE, "TasksLoaded",
        "5000 tasks queued", 2L, Instant.parse("2026-01-01T10:00:00Z"));
    status.setTotal(5000L);
    status.setLoaded(5000L);
    status.setSucceeded(1200L);
    status.setFailed(3L);
    status.setInstanceType("c7g.4xlarge");
    status.setSpot(true);
    status.setPricePerHour(0.2172);
    status.setInstancesRunning(20);
    status.setCostPerHour(4.344);
    status.setEta(dev.taskjob.crds.v1alpha1.shared.Durations.format(java.time.Duration.ofMinutes(72)));
    status.setStartTime("2026-01-01T09:58:00Z");
    status.setFailedTaskIds(List.of("sweep-0007", "sweep-0042", "sweep-1999"));
    job.setStatus(status);

    JsonNode written = CrdFiles.YAML.valueToTree(job);
    assertThat(TASK_JOBS.validateCreate(written)).isEmpty();
    assertThat(written.at("/status/phase").asText()).isEqualTo("Running");
    assertThat(written.at("/status/eta").asText()).isEqualTo("1h12m");
    assertThat(written.at("/status/conditions/0/lastTransitionTime").asText()).isEqualTo("2026-01-01T10:00:00Z");
    assertThat(written.at("/status/conditions/0").has("true")).isFalse();
  }

  @Test
  void poolStatusWrittenByTheOperatorPassesTheSchema() {
    InstancePool pool = read("instancepool-aws.yaml", InstancePool.class);
    InstancePoolStatus status = new InstancePoolStatus();
    status.setPhase(InstancePoolPhase.SCALING);
    status.setInstanceType("c7g.4xlarge");
    status.setFallbackTypes(List.of("c7g.2xlarge", "m7g.4xlarge"));
    status.setPending(1);
    status.setRunning(3);
    status.setReplacements(2L);
    status.setInstances(List.of(
        new PoolInstance("i-0abc", "us-east-1a", PoolInstanceState.RUNNING, "2026-01-01T09:58:00Z", "2026-01-01T10:00:00Z"),
        new PoolInstance("i-0abd", "us-east-1b", PoolInstanceState.valueOf("PREEMPTED"), "2026-01-01T09:59:00Z", null)));
    pool.setStatus(status);

    ObjectNode written = CrdFiles.YAML.valueToTree(pool);
    assertThat(POOLS.validateCreate(written)).isEmpty();
    assertThat(written.at("/status/instances/1/state").asText()).isEqualTo("Preempted");
  }

  private static <T> T read(String manifest, Class<T> type) {
    try (InputStream in = ManifestBindingTest.class.getResourceAsStream("/manifests/" + manifest)) {
      return Serialization.unmarshal(in, type);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
