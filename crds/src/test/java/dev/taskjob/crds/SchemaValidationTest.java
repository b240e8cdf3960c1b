package dev.taskjob.crds;

import static dev.taskjob.crds.Manifests.load;
import static dev.taskjob.crds.Manifests.remove;
import static dev.taskjob.crds.Manifests.set;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskjob.crds.schema.CelRules;
import dev.taskjob.crds.schema.SchemaValidator;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the API server would accept or refuse, checked against the committed CRDs: OpenAPI
 * constraints and the CEL rules ({@code x-kubernetes-validations}) evaluated by
 * {@link SchemaValidator}.
 */
class SchemaValidationTest {

  private static final SchemaValidator TASK_JOBS =
      new SchemaValidator(CrdFiles.committed(TaskJob.class), CelRules.INSTANCE);
  private static final SchemaValidator POOLS =
      new SchemaValidator(CrdFiles.committed(InstancePool.class), CelRules.INSTANCE);

  @ParameterizedTest
  @ValueSource(strings = {"taskjob-local.yaml", "taskjob-aws.yaml", "taskjob-gcp.yaml"})
  void acceptsSampleTaskJobs(String manifest) {
    assertThat(TASK_JOBS.validateCreate(load(manifest))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"instancepool-aws.yaml"})
  void acceptsSampleInstancePools(String manifest) {
    assertThat(POOLS.validateCreate(load(manifest))).isEmpty();
  }

  static Stream<Arguments> invalidTaskJobs() {
    return Stream.of(
        refused("minCpus above maxCpus", "taskjob-aws.yaml",
            set("spec/instances/minCpus", 32), "spec.instances: minCpus must be less than or equal to maxCpus"),
        refused("minMemoryGiB above maxMemoryGiB", "taskjob-gcp.yaml",
            set("spec/instances/minMemoryGiB", 64).then(set("spec/instances/maxMemoryGiB", 16.5)),
            "spec.instances: minMemoryGiB must be less than or equal to maxMemoryGiB"),
        refused("minMemoryPerCpuGiB above maxMemoryPerCpuGiB", "taskjob-aws.yaml",
            set("spec/instances/minMemoryPerCpuGiB", 8.5),
            "spec.instances: minMemoryPerCpuGiB must be less than or equal to maxMemoryPerCpuGiB"),
        refused("minInstances above maxInstances", "taskjob-aws.yaml",
            set("spec/instances/minInstances", 21),
            "spec.instances: minInstances must be less than or equal to maxInstances"),
        refused("minInstances above the default maxInstances", "taskjob-gcp.yaml",
            remove("spec/instances/maxInstances").then(set("spec/instances/minInstances", 11)),
            "spec.instances: minInstances must be less than or equal to maxInstances"),
        refused("two task sources", "taskjob-local.yaml",
            set("spec/tasks/generate", "{count: 10}"),
            "spec.tasks: spec.tasks needs exactly one of configMapRefs or generate"),
        refused("no task source", "taskjob-local.yaml",
            set("spec/tasks", "{}"), "spec.tasks: spec.tasks needs exactly one of configMapRefs or generate"),
        refused("an empty configMapRefs list", "taskjob-local.yaml",
            set("spec/tasks/configMapRefs", "[]"), "spec.tasks.configMapRefs: should have at least 1 items"),
        refused("a configMapRef without key", "taskjob-local.yaml",
            set("spec/tasks/configMapRefs", "[{name: tasks}]"),
            "spec.tasks.configMapRefs[0].key: Required value"),
        refused("generate without count or parameters", "taskjob-aws.yaml",
            remove("spec/tasks/generate/parameters"), "generate needs count, parameters, or both"),
        refused("a parameter range from above to", "taskjob-aws.yaml",
            set("spec/tasks/generate/parameters/alpha", "{from: 2, to: 1}"), "from must be less than or equal to to"),
        refused("a zero parameter step", "taskjob-aws.yaml",
            set("spec/tasks/generate/parameters/alpha/step", 0), "spec.tasks.generate.parameters.alpha.step: should be greater than 0"),
        refused("maxAttempts 0", "taskjob-local.yaml",
            set("spec/worker/retry/maxAttempts", 0), "spec.worker.retry.maxAttempts: should be greater than or equal to 1"),
        refused("a command argument over 4096 characters", "taskjob-local.yaml",
            set("spec/worker/command", List.of("python3", "x".repeat(4097))),
            "spec.worker.command[1]: may not be more than 4096 bytes"),
        refused("an empty command", "taskjob-local.yaml",
            set("spec/worker/command", "[]"), "spec.worker.command: should have at least 1 items"),
        refused("a startupScript both inline and from a ConfigMap", "taskjob-aws.yaml",
            set("spec/worker/startupScript", "{inline: 'true', configMapKeyRef: {name: boot, key: setup.sh}}"),
            "spec.worker.startupScript: startupScript needs exactly one of inline or configMapKeyRef"),
        refused("an empty startupScript", "taskjob-aws.yaml", set("spec/worker/startupScript", "{}"),
            "spec.worker.startupScript: startupScript needs exactly one of inline or configMapKeyRef"),
        refused("a maxMemoryPerTask without unit", "taskjob-aws.yaml", set("spec/worker/maxMemoryPerTask", "2048"),
            "spec.worker.maxMemoryPerTask: should match"),
        refused("a maxMemoryPerTask in GB spelled as a file size", "taskjob-aws.yaml",
            set("spec/worker/maxMemoryPerTask", "2GB"), "spec.worker.maxMemoryPerTask: should match"),
        refused("a duration without unit", "taskjob-local.yaml",
            set("spec/worker/maxRuntime", "600"), "spec.worker.maxRuntime: should match"),
        refused("a duration in words", "taskjob-aws.yaml",
            set("spec/terminationDelay", "10 minutes"), "spec.terminationDelay: should match"),
        refused("an unknown provider", "taskjob-aws.yaml",
            set("spec/provider", "azure"), "spec.provider: Unsupported value"),
        refused("aws without region", "taskjob-aws.yaml",
            remove("spec/region"), "spec: region is required for aws and gcp"),
        refused("gcp without project", "taskjob-gcp.yaml",
            remove("spec/project"), "spec: project is required for gcp"),
        refused("aws without worker image", "taskjob-aws.yaml",
            remove("spec/worker/image"), "spec: worker.image is required for aws and gcp"),
        refused("an environment variable name with a dash", "taskjob-local.yaml",
            set("spec/worker/env", "[{name: MY-VAR, value: x}]"), "spec.worker.env[0].name: should match"),
        refused("zero cpusPerTask", "taskjob-local.yaml",
            set("spec/worker/cpusPerTask", 0), "spec.worker.cpusPerTask: should be greater than 0"),
        refused("a misspelt field", "taskjob-local.yaml",
            set("spec/instances/maxInstance", 3), "spec.instances.maxInstance: unknown field"),
        refused("an unknown architecture", "taskjob-aws.yaml",
            set("spec/instances/architecture", "sparc"), "spec.instances.architecture: Unsupported value"));
  }

  @ParameterizedTest(name = "refuses {0}")
  @MethodSource("invalidTaskJobs")
  void refusesInvalidTaskJob(String description, String manifest, Manifests.Edit edit, String expected) {
    List<String> errors = TASK_JOBS.validateCreate(edit.apply(load(manifest)));
    assertNamesFieldAndReason(errors, description, expected);
  }

  static Stream<Arguments> taskJobUpdates() {
    return Stream.of(
        refused("changing spec.tasks", "taskjob-local.yaml",
            set("spec/tasks/configMapRefs/0/key", "other.json"), "spec.tasks: spec.tasks is immutable; create a new TaskJob"),
        refused("switching the task source", "taskjob-local.yaml",
            remove("spec/tasks/configMapRefs").then(set("spec/tasks/generate", "{count: 5}")),
            "spec.tasks is immutable; create a new TaskJob"),
        refused("changing the worker command", "taskjob-local.yaml",
            set("spec/worker/command", "[python3, other.py]"), "spec.worker: spec.worker is immutable; create a new TaskJob"),
        refused("changing the retry policy", "taskjob-aws.yaml",
            set("spec/worker/retry/maxAttempts", 9), "spec.worker is immutable"),
        refused("changing the provider", "taskjob-aws.yaml",
            set("spec/provider", "gcp").then(set("spec/project", "p")), "spec.provider is immutable"),
        refused("changing the region", "taskjob-aws.yaml",
            set("spec/region", "eu-west-1"), "spec: spec.region is immutable; create a new TaskJob"),
        refused("changing the project", "taskjob-gcp.yaml",
            set("spec/project", "other-project"), "spec.project is immutable"),
        accepted("raising maxInstances", "taskjob-aws.yaml", set("spec/instances/maxInstances", 40)),
        accepted("lowering maxPricePerHour", "taskjob-aws.yaml", set("spec/instances/maxPricePerHour", 3.25)),
        accepted("changing maxTotalCpus", "taskjob-aws.yaml", set("spec/instances/maxTotalCpus", 64)),
        accepted("changing minInstances", "taskjob-aws.yaml", set("spec/instances/minInstances", 0)),
        accepted("adding a budget to a job without instances", "taskjob-local.yaml",
            set("spec/instances/maxPricePerHour", 1)),
        accepted("setting a region that was unset", "taskjob-local.yaml", set("spec/region", "local-1")),
        accepted("changing the cleanup policy", "taskjob-aws.yaml", set("spec/cleanup", "delete")),
        accepted("re-applying the same manifest", "taskjob-gcp.yaml", m -> m));
  }

  @ParameterizedTest(name = "update: {0}")
  @MethodSource("taskJobUpdates")
  void judgesTaskJobUpdates(String description, String manifest, Manifests.Edit edit, String expected) {
    checkUpdate(TASK_JOBS, description, manifest, edit, expected);
  }

  @org.junit.jupiter.api.Test
  void refusesRemovingARegionOnceSet() {
    ObjectNode old = set("spec/region", "lab-1").apply(load("taskjob-local.yaml"));
    assertThat(TASK_JOBS.validateUpdate(old, load("taskjob-local.yaml")))
        .containsExactly("spec: Invalid value: \"object\": spec.region is immutable; create a new TaskJob");
  }

  static Stream<Arguments> instancePoolUpdates() {
    return Stream.of(
        accepted("scaling count", "instancepool-aws.yaml", set("spec/count", 0)),
        accepted("changing the worker environment", "instancepool-aws.yaml",
            set("spec/workerEnvironment/TASKJOB_LEASE_SECONDS", "120")),
        refused("changing the provider", "instancepool-aws.yaml",
            set("spec/provider", "local"), "spec.provider is immutable; create a new InstancePool"),
        refused("changing the region", "instancepool-aws.yaml",
            set("spec/region", "us-west-2"), "spec.region is immutable; create a new InstancePool"));
  }

  @ParameterizedTest(name = "update: {0}")
  @MethodSource("instancePoolUpdates")
  void judgesInstancePoolUpdates(String description, String manifest, Manifests.Edit edit, String expected) {
    checkUpdate(POOLS, description, manifest, edit, expected);
  }

  static Stream<Arguments> invalidInstancePools() {
    return Stream.of(
        refused("minCpus above maxCpus", "instancepool-aws.yaml",
            set("spec/instances/minCpus", 17), "spec.instances: minCpus must be less than or equal to maxCpus"),
        refused("a negative count", "instancepool-aws.yaml",
            set("spec/count", -1), "spec.count: should be greater than or equal to 0"),
        refused("no count", "instancepool-aws.yaml", remove("spec/count"), "spec.count: Required value"),
        refused("aws without region", "instancepool-aws.yaml",
            remove("spec/region"), "spec: region is required for aws and gcp"));
  }

  @Test
  void aBlockingErrorSkipsTheCelRulesWithTheApiServersNotice() {
    ObjectNode job = set("spec/provider", "azure").then(set("spec/instances/minCpus", 64))
        .apply(load("taskjob-aws.yaml"));

    assertThat(TASK_JOBS.validateCreate(job)).containsExactly(
        "spec.provider: Unsupported value: \"azure\": supported values: \"aws\", \"gcp\", \"local\"",
        SchemaValidator.RULES_NOT_CHECKED);
  }

  @Test
  void aNonBlockingErrorStillReportsTheCelRules() {
    ObjectNode job = set("spec/worker/retry/maxAttempts", 0).then(set("spec/instances/minCpus", 64))
        .apply(load("taskjob-aws.yaml"));

    assertThat(TASK_JOBS.validateCreate(job)).hasSize(2).last().asString()
        .isEqualTo("spec.instances: Invalid value: \"object\": minCpus must be less than or equal to maxCpus");
  }

  @ParameterizedTest(name = "refuses {0}")
  @MethodSource("invalidInstancePools")
  void refusesInvalidInstancePool(String description, String manifest, Manifests.Edit edit, String expected) {
    List<String> errors = POOLS.validateCreate(edit.apply(load(manifest)));
    assertNamesFieldAndReason(errors, description, expected);
  }

  private static void checkUpdate(
      SchemaValidator validator, String description, String manifest, Manifests.Edit edit, String expected) {
    ObjectNode old = load(manifest);
    List<String> errors = validator.validateUpdate(old, edit.apply(load(manifest)));
    if (expected == null) {
      assertThat(errors).as(description).isEmpty();
    } else {
      assertNamesFieldAndReason(errors, description, expected);
    }
  }

  /** {@code expected} is {@code field: reason}; the API server's message puts "Invalid value: <value>:" between them. */
  private static void assertNamesFieldAndReason(List<String> allErrors, String description, String expected) {
    List<String> errors = allErrors.stream().filter(e -> !e.equals(SchemaValidator.RULES_NOT_CHECKED)).toList();
    int colon = expected.indexOf(": ");
    if (colon < 0) {
      assertThat(errors).as(description).singleElement().asString().contains(expected);
      return;
    }
    assertThat(errors).as(description).singleElement().asString()
        .startsWith(expected.substring(0, colon) + ":").contains(expected.substring(colon + 2));
  }

  private static Arguments refused(String description, String manifest, Manifests.Edit edit, String expected) {
    return Arguments.of(description, manifest, edit, expected);
  }

  private static Arguments accepted(String description, String manifest, Manifests.Edit edit) {
    return Arguments.of(description, manifest, edit, null);
  }
}
