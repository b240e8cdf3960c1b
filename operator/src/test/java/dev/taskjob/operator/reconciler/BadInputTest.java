package dev.taskjob.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.shared.CredentialsRef;
import dev.taskjob.crds.v1alpha1.shared.EnvVar;
import dev.taskjob.crds.v1alpha1.shared.Provider;
import dev.taskjob.crds.v1alpha1.shared.SecretReference;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.BudgetSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.reliability.FaultRun;
import dev.taskjob.operator.cli.OperatorCommand;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each kind of bad input gets its own condition naming the field, and nothing is created: no queue,
 * no InstancePool, no VM.
 */
class BadInputTest {

  private static final List<String> COMMAND = List.of("true");

  @TempDir
  static Path root;
  static OperatorHarness harness;

  @BeforeAll
  static void start() {
    harness = new OperatorHarness(settings(root));
    harness.configMap("good", "tasks.json", TaskJobs.additionTasks(3));
    harness.configMap("malformed", "tasks.json", "[{\"id\": \"a\"}, {\"id\": \"b\", \"data\": 7}]");
    harness.configMap("duplicates", "tasks.json", "{\"id\": \"x\"}\n{\"id\": \"y\"}\n{\"id\": \"x\"}\n");
    harness.start();
  }

  static OperatorSettings settings(Path root) {
    return FaultRun.settings("test-cluster", root);
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  record Case(String name, Consumer<TaskJob> breakIt, String reason, String field, TaskJobPhase phase) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        new Case("missing ConfigMap", j -> j.getSpec().getTasks().getConfigMapRefs().get(0).setName("absent"),
            "ConfigMapNotFound", "spec.tasks.configMapRefs[0].name", TaskJobPhase.PENDING),
        new Case("missing key", j -> j.getSpec().getTasks().getConfigMapRefs().get(0).setKey("other.json"),
            "ConfigMapNotFound", "spec.tasks.configMapRefs[0].key", TaskJobPhase.PENDING),
        new Case("malformed task list", j -> j.getSpec().getTasks().getConfigMapRefs().get(0).setName("malformed"),
            "InvalidTaskList", "task 2 (line 1): \"data\" of task \"b\" must be an object", TaskJobPhase.FAILED),
        new Case("duplicate ids", j -> j.getSpec().getTasks().getConfigMapRefs().get(0).setName("duplicates"),
            "DuplicateTaskId", "task 3 (line 3): duplicate id \"x\"", TaskJobPhase.FAILED),
        new Case("min greater than max", j -> {
          j.getSpec().getInstances().setMinCpus(4);
          j.getSpec().getInstances().setMaxCpus(2);
        }, "InvalidConstraints", "spec.instances.minCpus (4) is greater than spec.instances.maxCpus (2)",
            TaskJobPhase.FAILED),
        new Case("no matching instance type", j -> {
          j.getSpec().getInstances().setMaxCpus(null);
          j.getSpec().getInstances().setMinCpus(4096);
        }, "NoMatchingInstanceType", "minCpus", TaskJobPhase.FAILED),
        new Case("zero budget", j -> j.getSpec().getInstances().setMaxPricePerHour(0.0),
            "BudgetTooLow", "maxPricePerHour", TaskJobPhase.FAILED),
        new Case("missing credentials secret",
            j -> j.getSpec().setCredentials(new CredentialsRef(new SecretReference("cloud-keys"))),
            "SecretNotFound", "spec.credentials.secretRef.name: Secret 'cloud-keys' not found", TaskJobPhase.PENDING),
        new Case("bad duration", j -> j.getSpec().getWorker().setMaxRuntime("ten minutes"),
            "InvalidSpec", "spec.worker.maxRuntime", TaskJobPhase.FAILED),
        new Case("bad expected task duration", j -> j.getSpec().getWorker().setExpectedTaskDuration("half an hour"),
            "InvalidSpec", "spec.worker.expectedTaskDuration", TaskJobPhase.FAILED),
        new Case("negative dollar budget", j -> {
          BudgetSpec budget = new BudgetSpec();
          budget.setMaxCost(-5.0);
          j.getSpec().setBudget(budget);
        }, "InvalidSpec", "spec.budget.maxCost", TaskJobPhase.FAILED),
        new Case("zero max runtime", j -> j.getSpec().getWorker().setMaxRuntime("0s"),
            "InvalidSpec", "spec.worker.maxRuntime: Invalid value: \"0s\": must be longer than 0", TaskJobPhase.FAILED),
        new Case("reserved env name", j -> j.getSpec().getWorker().setEnv(
            List.of(new EnvVar("TASKJOB_EVENT_LOG_TO_QUEUE", "false"))),
            "InvalidSpec", "spec.worker.env[0].name: Forbidden: \"TASKJOB_EVENT_LOG_TO_QUEUE\" is reserved",
            TaskJobPhase.FAILED))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void refusesBadInputWithItsOwnConditionAndCreatesNothing(Case c) throws IOException {
    String name = c.name().replace(' ', '-');
    TaskJob job = TaskJobs.fromConfigMap(name, "good", "tasks.json", COMMAND);
    c.breakIt().accept(job);
    harness.apply(job);

    TaskJob seen = harness.awaitJob(name, OperatorHarness.PATIENCE,
        j -> j.getStatus() != null && Conditions.find(j.getStatus().getConditions(), ConditionTypes.ACCEPTED)
            .filter(a -> Condition.FALSE.equals(a.getStatus())).isPresent());
    Condition accepted = Conditions.find(seen.getStatus().getConditions(), ConditionTypes.ACCEPTED).orElseThrow();
    assertThat(accepted.getReason()).isEqualTo(c.reason());
    assertThat(accepted.getMessage()).contains(c.field());
    assertThat(seen.getStatus().getPhase()).isEqualTo(c.phase());
    assertThat(Conditions.isTrue(seen.getStatus().getConditions(), ConditionTypes.FAILED))
        .isEqualTo(c.phase() == TaskJobPhase.FAILED);
    assertThat(seen.getStatus().getQueueName()).isNull();
    assertNothingCreated(name);
    assertThat(harness.client.v1().events().inNamespace(OperatorHarness.NAMESPACE).list().getItems())
        .anySatisfy(e -> {
          assertThat(e.getInvolvedObject().getName()).isEqualTo(name);
          assertThat(e.getReason()).isEqualTo(c.reason());
          assertThat(e.getType()).isEqualTo("Warning");
        });
  }

  @Test
  void missingConfigMapIsPickedUpOnceCreated() {
    harness.apply(TaskJobs.fromConfigMap("late-list", "late", "tasks.json", COMMAND));
    harness.awaitJob("late-list", OperatorHarness.PATIENCE, j -> j.getStatus() != null
        && j.getStatus().getPhase() == TaskJobPhase.PENDING);
    harness.configMap("late", "tasks.json", TaskJobs.additionTasks(2));
    TaskJob started = harness.awaitJob("late-list", OperatorHarness.PATIENCE,
        j -> j.getStatus().getQueueName() != null);
    assertThat(Conditions.isTrue(started.getStatus().getConditions(), ConditionTypes.ACCEPTED)).isTrue();
    assertThat(started.getStatus().getTotal()).isEqualTo(2);
    harness.client.resource(started).delete();
    OperatorHarness.await(OperatorHarness.PATIENCE, () -> harness.job("late-list") == null, b -> b, "deleted job");
    // Deletion runs the cleaners: their API calls too must be granted.
    assertThat(RbacRequirementsTest.notGranted(harness.operatorRequests())).isEmpty();
  }

  @Test
  void unknownProviderIsRefused(@TempDir Path otherRoot) throws IOException {
    try (OperatorHarness onlyLocal = new OperatorHarness(settings(otherRoot),
        Map.of("local", Providers.get("local")))) {
      onlyLocal.configMap("good", "tasks.json", TaskJobs.additionTasks(3));
      onlyLocal.start();
      TaskJob job = TaskJobs.fromConfigMap("on-aws", "good", "tasks.json", COMMAND);
      job.getSpec().setProvider(Provider.AWS);
      job.getSpec().setRegion("us-east-1");
      onlyLocal.apply(job);
      TaskJob seen = onlyLocal.awaitJob("on-aws", OperatorHarness.PATIENCE, j -> j.getStatus() != null
          && j.getStatus().getPhase() == TaskJobPhase.FAILED);
      Condition accepted = Conditions.find(seen.getStatus().getConditions(), ConditionTypes.ACCEPTED).orElseThrow();
      assertThat(accepted.getReason()).isEqualTo("UnknownProvider");
      assertThat(accepted.getMessage()).isEqualTo("spec.provider: no provider 'aws' in this operator (available: local)");
      assertThat(onlyLocal.pools()).isEmpty();
      // the orphan sweep may have created the empty instances directory by now; nothing may be in it
      for (String dir : List.of("queues", "instances")) {
        Path path = otherRoot.resolve(dir);
        if (Files.exists(path)) {
          try (Stream<Path> entries = Files.list(path)) {
            assertThat(entries.map(p -> p.getFileName().toString())).as(dir).allMatch(n -> n.startsWith("."));
          }
        }
      }
    }
  }

  @Test
  void aClusterOperatorRefusesTheLocalProviderAndStartsNoProcess(@TempDir Path otherRoot) throws IOException {
    Map<String, ProviderModule> clusterModules = OperatorCommand.providerModules(Providers.available(), false);
    assertThat(clusterModules).doesNotContainKey("local").containsKeys("aws", "gcp");
    assertThat(OperatorCommand.providerModules(Providers.available(), true)).containsKey("local");
    try (OperatorHarness cluster = new OperatorHarness(settings(otherRoot), clusterModules)) {
      cluster.configMap("good", "tasks.json", TaskJobs.additionTasks(3));
      cluster.start();
      cluster.apply(TaskJobs.fromConfigMap("runs-here", "good", "tasks.json", List.of("sh", "-c", "env")));

      TaskJob seen = cluster.awaitJob("runs-here", OperatorHarness.PATIENCE, j -> j.getStatus() != null
          && j.getStatus().getPhase() == TaskJobPhase.FAILED);
      Condition accepted = Conditions.find(seen.getStatus().getConditions(), ConditionTypes.ACCEPTED).orElseThrow();
      assertThat(accepted.getReason()).isEqualTo("ProviderNotAllowed");
      assertThat(accepted.getMessage()).startsWith("spec.provider: Forbidden: provider 'local' runs tasks as "
          + "processes inside the operator").contains("taskjob local", "--allow-local-provider");
      assertThat(seen.getStatus().getQueueName()).isNull();
      assertThat(cluster.pools()).isEmpty();
      try (Stream<Path> files = Files.list(otherRoot)) {
        assertThat(files).as("no local queue or instance directory").isEmpty();
      }
      assertThat(ProcessHandle.current().descendants()
          .map(p -> p.info().commandLine().orElse(""))
          .filter(line -> line.contains(otherRoot.toString()) || line.contains("WorkerMain")))
          .as("worker processes").isEmpty();
    }
  }

  /**
   * Objects written past the schema (an older CRD, or none) that the classes cannot hold: each gets a
   * condition naming its field while a healthy job next to them runs to the end.
   */
  @Test
  void unreadableObjectsAreRefusedOneByOneWhileAHealthyJobFinishes() {
    Map<String, Consumer<ObjectNode>> unreadable = new LinkedHashMap<>();
    unreadable.put("int-overflow", spec -> ((ObjectNode) spec.get("instances")).put("maxInstances", 3_000_000_000L));
    unreadable.put("newer-enum", spec -> spec.put("provider", "azure"));
    unreadable.put("unknown-field", spec -> ((ObjectNode) spec.get("worker")).put("cpusPerTsk", 2));
    Map<String, String> fields = Map.of("int-overflow", "spec.instances.maxInstances: Invalid value: 3000000000",
        "newer-enum", "spec.provider: Unsupported value: \"azure\"",
        "unknown-field", "spec.worker.cpusPerTsk: unknown field");
    unreadable.forEach((name, breakIt) -> {
      ObjectNode raw = Serialization.jsonMapper().valueToTree(
          TaskJobs.fromConfigMap(name, "good", "tasks.json", COMMAND));
      breakIt.accept((ObjectNode) raw.get("spec"));
      ((ObjectNode) raw.get("metadata")).put("namespace", OperatorHarness.NAMESPACE);
      harness.client.genericKubernetesResources("taskjob.dev/v1alpha1", "TaskJob")
          .inNamespace(OperatorHarness.NAMESPACE)
          .resource(Serialization.jsonMapper().convertValue(raw, GenericKubernetesResource.class)).create();
    });
    harness.apply(TaskJobs.fromConfigMap("healthy-neighbour", "good", "tasks.json", COMMAND));

    TaskJob healthy = harness.awaitJob("healthy-neighbour", OperatorHarness.PATIENCE, j -> j.getStatus() != null
        && j.getStatus().getPhase() != null && j.getStatus().getPhase().isFinished());
    assertThat(healthy.getStatus().getPhase()).as(healthy.getStatus().getMessage()).isEqualTo(TaskJobPhase.SUCCEEDED);
    assertThat(healthy.getStatus().getSucceeded()).isEqualTo(3);
    fields.forEach((name, field) -> {
      TaskJob bad = harness.awaitJob(name, OperatorHarness.PATIENCE, j -> j.getStatus() != null
          && j.getStatus().getPhase() == TaskJobPhase.FAILED);
      Condition accepted = Conditions.find(bad.getStatus().getConditions(), ConditionTypes.ACCEPTED).orElseThrow();
      assertThat(accepted.getReason()).isEqualTo("UnreadableField");
      assertThat(accepted.getMessage()).as(name).startsWith(field);
      assertThat(bad.getStatus().getQueueName()).isNull();
      assertThat(harness.pool(name)).isNull();
    });
  }

  private static void assertNothingCreated(String jobName) throws IOException {
    assertThat(harness.pool(jobName)).isNull();
    for (String dir : List.of("queues", "instances")) {
      Path path = root.resolve(dir);
      if (Files.exists(path)) {
        try (Stream<Path> entries = Files.list(path)) {
          assertThat(entries.map(p -> p.getFileName().toString()))
              .as(dir).noneMatch(n -> n.contains(jobName.toLowerCase()));
        }
      }
    }
  }
}
