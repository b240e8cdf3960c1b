package dev.taskjob.operator.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.shared.ConfigMapTaskRef;
import dev.taskjob.crds.v1alpha1.shared.EnvVar;
import dev.taskjob.crds.v1alpha1.shared.EnvVarSource;
import dev.taskjob.crds.v1alpha1.shared.SecretKeySelector;
import dev.taskjob.crds.v1alpha1.shared.GenerateSpec;
import dev.taskjob.crds.v1alpha1.shared.ParameterRange;
import dev.taskjob.crds.v1alpha1.shared.RetrySpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.operator.reconciler.OperatorHarness;
import dev.taskjob.operator.reconciler.TaskJobs;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed TaskJobs and task lists, one operator for all of them: each gets a refused Accepted condition
 * whose reason says what kind of problem it is and whose message names the field or the task, nothing is
 * spent (no queue directory, no instance, no InstancePool), and afterwards a valid job still succeeds.
 * The mock API server does not evaluate the CRD's OpenAPI schema, so these are the operator's own checks
 * (which are what protects it when a CRD is installed without its schema, or an older one).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputTableTest {

  @TempDir
  static Path root;
  static OperatorHarness harness;

  /** A bad job: the ConfigMap content (key and bytes) its tasks come from, if any, and what to break in the spec. */
  record Case(String name, String key, byte[] content, Consumer<TaskJob> breakIt, String reason, String message) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case list(String name, String content, String reason, String message) {
    return new Case(name, "tasks.json", content.getBytes(StandardCharsets.UTF_8), j -> { }, reason, message);
  }

  static Case listBytes(String name, String key, byte[] content, String reason, String message) {
    return new Case(name, key, content, j -> { }, reason, message);
  }

  static Case spec(String name, Consumer<TaskJob> breakIt, String reason, String message) {
    return new Case(name, "tasks.json", "[{\"id\": \"a\"}]".getBytes(StandardCharsets.UTF_8), breakIt, reason, message);
  }

  static final String INVALID_LIST = "InvalidTaskList";
  static final String INVALID_SPEC = "InvalidSpec";

  static Stream<Case> cases() {
    return Stream.of(
        list("not json", "this is not a task list", INVALID_LIST, "tasks.json"),
        list("tasks are numbers", "[1, 2, 3]", INVALID_LIST, "task 1"),
        list("id is a number", "[{\"id\": 5}]", INVALID_LIST, "\"id\""),
        list("id is an object", "[{\"id\": {\"x\": 1}}]", INVALID_LIST, "\"id\""),
        list("data is a list", "[{\"id\": \"a\", \"data\": [1, 2]}]", INVALID_LIST, "\"data\""),
        list("id with a control character", "[{\"id\": \"a\\u0007b\"}]", INVALID_LIST, "\"id\""),
        list("id with a newline", "[{\"id\": \"a\\nb\"}]", INVALID_LIST, "\"id\""),
        list("id of 600 characters", "[{\"id\": \"" + "x".repeat(600) + "\"}]", INVALID_LIST, "\"id\""),
        list("empty id", "[{\"id\": \"\"}]", INVALID_LIST, "\"id\""),
        list("task without id", "[{\"data\": {\"a\": 1}}]", INVALID_LIST, "\"id\""),
        list("1 MiB ConfigMap whose last task is broken", oneMebibyteWithBrokenLastTask(), INVALID_LIST,
            "\"data\" of task \"last\""),
        list("empty task list", "[]", INVALID_LIST, "no tasks"),
        list("data fields that become one TASK_ARG_ variable", "[{\"id\": \"a\"}, {\"id\": \"twins\", \"data\": "
            + "{\"a-b\": 1, \"a_b\": 2}}]", INVALID_LIST, "task \"twins\": data fields \"a-b\" and \"a_b\" both become "
            + "TASK_ARG_A_B; rename one"),
        list("empty ConfigMap value", "", INVALID_LIST, "spec.tasks.configMapRefs: the task lists hold no tasks"),
        list("duplicate ids in a JSON array", "[{\"id\": \"a\"}, {\"id\": \"b\"}, {\"id\": \"a\"}]",
            "DuplicateTaskId", "duplicate id \"a\""),
        list("content after the array", "[{\"id\": \"a\"}] [{\"id\": \"b\"}]", INVALID_LIST, "after"),
        list("unterminated array", "[{\"id\": \"a\"}, {\"id\": ", INVALID_LIST, "tasks.json"),
        listBytes("YAML anchors and aliases", "tasks.yaml",
            "- &t {id: a, data: {n: 1}}\n- *t\n".getBytes(StandardCharsets.UTF_8), INVALID_LIST, "alias"),
        listBytes("YAML billion laughs", "tasks.yaml", billionLaughs(), INVALID_LIST, "alias"),
        listBytes("second YAML document", "tasks.yaml", "- id: a\n---\n- id: b\n".getBytes(StandardCharsets.UTF_8),
            INVALID_LIST, "YAML"),
        listBytes("non-UTF-8 bytes", "tasks.json", new byte[] {'[', '{', '"', 'i', 'd', '"', ':', '"', (byte) 0xff,
            (byte) 0xfe, '"', '}', ']'}, INVALID_LIST, "UTF-8"),
        listBytes("gzip bomb within the ConfigMap size limit", "tasks.json.gz", gzipBomb(), INVALID_LIST,
            "tasks.json.gz: task list is larger than 268435456 bytes once decompressed"),
        listBytes("corrupt gzip", "tasks.json.gz", new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7},
            INVALID_LIST, "gzip"),
        spec("min memory above max memory", j -> {
          j.getSpec().getInstances().setMinMemoryGiB(64.0);
          j.getSpec().getInstances().setMaxMemoryGiB(2.0);
        }, "InvalidConstraints", "spec.instances.minMemoryGiB"),
        spec("min instances above max instances", j -> {
          j.getSpec().getInstances().setMinInstances(5);
          j.getSpec().getInstances().setMaxInstances(2);
        }, "InvalidConstraints", "spec.instances.minInstances"),
        spec("negative budget", j -> j.getSpec().getInstances().setMaxPricePerHour(-1.0), "InvalidConstraints",
            "maxPricePerHour"),
        spec("no instance type matches the globs", j -> j.getSpec().getInstances().setTypes(List.of("m5.*")),
            "NoMatchingInstanceType", "types"),
        spec("a huge list of type globs matching nothing", j -> j.getSpec().getInstances().setTypes(
            Collections.nCopies(5000, "no-such-type-*")), INVALID_SPEC,
            "spec.instances.types: Too many: 5000: must have at most 64 items"),
        spec("zero simultaneous tasks", j -> j.getSpec().getWorker().setSimultaneousTasks(0),
            "InvalidConstraints", "simultaneousTasks must be at least 1, got 0"),
        spec("negative cpus per task", j -> j.getSpec().getWorker().setCpusPerTask(-1.0),
            "InvalidConstraints", "cpusPerTask must be a positive number, got -1.0"),
        spec("zero max attempts", j -> {
          RetrySpec retry = new RetrySpec();
          retry.setMaxAttempts(0);
          j.getSpec().getWorker().setRetry(retry);
        }, INVALID_SPEC, "spec.worker.retry.maxAttempts"),
        spec("unparseable termination delay", j -> j.getSpec().setTerminationDelay("soon"), INVALID_SPEC,
            "spec.terminationDelay"),
        spec("empty command", j -> j.getSpec().getWorker().setCommand(List.of()), INVALID_SPEC,
            "spec.worker.command"),
        spec("both a ConfigMap and generated tasks", j -> j.getSpec().getTasks().setGenerate(generate(10L)),
            INVALID_LIST, "spec.tasks needs exactly one of configMapRefs or generate"),
        spec("no task source", j -> j.getSpec().getTasks().setConfigMapRefs(null), INVALID_LIST,
            "spec.tasks needs exactly one of configMapRefs or generate"),
        spec("generate zero tasks", j -> {
          j.getSpec().getTasks().setConfigMapRefs(null);
          j.getSpec().getTasks().setGenerate(generate(0L));
        }, INVALID_SPEC, "spec.tasks.generate.count: Invalid value: 0: should be greater than or equal to 1"),
        spec("generate parameter stepping away from its end", j -> {
          j.getSpec().getTasks().setConfigMapRefs(null);
          GenerateSpec g = generate(null);
          ParameterRange range = new ParameterRange();
          range.setFrom(10.0);
          range.setTo(1.0);
          range.setStep(1.0);
          g.setParameters(Map.of("n", range));
          j.getSpec().getTasks().setGenerate(g);
        }, INVALID_LIST, "spec.tasks.generate.parameters.n: to (1.0) must be >= from (10.0)"),
        spec("ConfigMap reference without a name",
            j -> j.getSpec().getTasks().setConfigMapRefs(List.of(new ConfigMapTaskRef("", "tasks.json"))),
            INVALID_SPEC, "spec.tasks.configMapRefs[0].name"),
        spec("aws without a region", j -> j.getSpec().setProvider(dev.taskjob.crds.v1alpha1.shared.Provider.AWS),
            INVALID_SPEC, "spec.region"),
        spec("an s3 output location for a local job", j -> {
          dev.taskjob.crds.v1alpha1.taskjob.OutputSpec output = new dev.taskjob.crds.v1alpha1.taskjob.OutputSpec();
          output.setUri("s3://my-results/runs");
          j.getSpec().setOutput(output);
        }, INVALID_SPEC, "spec.output.uri: s3:// needs provider aws"),
        spec("a relative output directory", j -> {
          dev.taskjob.crds.v1alpha1.taskjob.OutputSpec output = new dev.taskjob.crds.v1alpha1.taskjob.OutputSpec();
          output.setUri("results");
          j.getSpec().setOutput(output);
        }, INVALID_SPEC, "spec.output.uri"),
        // env: names that would fail at VM creation, switch off the worker's own settings, or carry secrets
        spec("env name with a dash", env("BAD-NAME", "x"), INVALID_SPEC,
            "spec.worker.env[0].name: Invalid value: \"BAD-NAME\": must be letters, digits and '_'"),
        spec("env name starting with a digit", env("1ST", "x"), INVALID_SPEC, "spec.worker.env[0].name"),
        spec("env name twice", j -> j.getSpec().getWorker().setEnv(List.of(new EnvVar("A", "1"), new EnvVar("A", "2"))),
            INVALID_SPEC, "spec.worker.env[1].name: Duplicate value: \"A\""),
        spec("env switching off result reporting", env("TASKJOB_EVENT_LOG_TO_QUEUE", "false"), INVALID_SPEC,
            "spec.worker.env[0].name: Forbidden: \"TASKJOB_EVENT_LOG_TO_QUEUE\" is reserved"),
        spec("env overriding the task id", env("TASK_ID", "x"), INVALID_SPEC, "\"TASK_ID\" is reserved"),
        spec("env overriding a task argument", env("TASK_ARG_N", "1"), INVALID_SPEC, "\"TASK_ARG_N\" is reserved"),
        spec("env password", env("DB_PASSWORD", "hunter2"), INVALID_SPEC,
            "spec.worker.env[0].name: Forbidden: \"DB_PASSWORD\" looks like a credential"),
        spec("env cloud secret key", env("AWS_SECRET_ACCESS_KEY", "abc"), INVALID_SPEC,
            "give it with valueFrom.secretKeyRef"),
        // secrets by reference: missing Secret or key, values no environment can hold, providers without a store
        spec("env from a Secret that does not exist", secretEnv("DB_PASSWORD", "no-such-secret", "password"),
            "SecretNotFound", "spec.worker.env[0].valueFrom.secretKeyRef.name: Secret 'no-such-secret' not found"),
        spec("env from a key the Secret lacks", secretEnv("DB_PASSWORD", "db-creds", "passwd"), "SecretNotFound",
            "spec.worker.env[0].valueFrom.secretKeyRef.key: Secret 'db-creds' has no key 'passwd'"),
        spec("env from a Secret not labelled for tasks", secretEnv("DB_PASSWORD", "not-for-tasks", "password"),
            "SecretNotAllowed", "spec.worker.env[0].valueFrom.secretKeyRef.name: Forbidden: Secret 'not-for-tasks' "
                + "is not labelled taskjob.dev/task-env=true"),
        spec("env from a Secret value with a NUL", secretEnv("DB_PASSWORD", "db-creds", "with-nul"), INVALID_SPEC,
            "spec.worker.env[0].valueFrom.secretKeyRef: Invalid value: the value of key 'with-nul' in Secret "
                + "'db-creds' holds a NUL character"),
        spec("env with both a value and a Secret", j -> {
          EnvVar both = new EnvVar("DB_PASSWORD", "hunter2");
          both.setValueFrom(new EnvVarSource(new SecretKeySelector("db-creds", "password")));
          j.getSpec().getWorker().setEnv(List.of(both));
        }, INVALID_SPEC, "spec.worker.env[0].value: Invalid value: give value or valueFrom, not both"),
        spec("env from a Secret value larger than the secret store holds", secretEnv("DB_PASSWORD", "db-creds",
            "too-big"), INVALID_SPEC, "spec.worker.env[0].valueFrom.secretKeyRef: Invalid value: the value of key "
                + "'too-big' in Secret 'db-creds' takes 70000 bytes, over the"),
        spec("env token in lower case", env("github_token", "ghp_x"), INVALID_SPEC, "looks like a credential"),
        spec("env value with a NUL", env("GREETING", "a\u0000b"), INVALID_SPEC,
            "spec.worker.env[0].value: Invalid value: contains a NUL character"),
        spec("env value of 40000 characters", env("BIG", "x".repeat(40_000)), INVALID_SPEC,
            "spec.worker.env[0].value: Too long: may not be more than 32768 bytes"),
        spec("command argument with a NUL", j -> j.getSpec().getWorker().setCommand(List.of("echo", "a\u0000b")),
            INVALID_SPEC, "spec.worker.command[1]: Invalid value: contains a NUL character"),
        spec("command argument of 5000 characters", j -> j.getSpec().getWorker().setCommand(List.of("x".repeat(5000))),
            INVALID_SPEC, "spec.worker.command[0]: Too long"),
        // worker and instance numbers: refused, not silently changed, and never beyond the schema's maxima
        spec("image with spaces", j -> j.getSpec().getWorker().setImage("my image"), INVALID_SPEC,
            "spec.worker.image: Invalid value: \"my image\": not an image reference"),
        spec("image in upper case", j -> j.getSpec().getWorker().setImage("Python:3.12"), INVALID_SPEC,
            "spec.worker.image"),
        spec("zero max runtime", j -> j.getSpec().getWorker().setMaxRuntime("0s"), INVALID_SPEC,
            "spec.worker.maxRuntime: Invalid value: \"0s\": must be longer than 0"),
        spec("zero cpus per task", j -> j.getSpec().getWorker().setCpusPerTask(0.0), INVALID_SPEC,
            "spec.worker.cpusPerTask: Invalid value: 0.0: should be greater than 0"),
        spec("a million attempts", j -> {
          RetrySpec retry = new RetrySpec();
          retry.setMaxAttempts(1_000_000);
          j.getSpec().getWorker().setRetry(retry);
        }, INVALID_SPEC, "spec.worker.retry.maxAttempts: Invalid value: 1000000: should be less than or equal to 1000"),
        spec("more instances than the schema allows", j -> j.getSpec().getInstances().setMaxInstances(20_000),
            INVALID_SPEC, "spec.instances.maxInstances: Invalid value: 20000: should be less than or equal to 10000"),
        spec("more vCPUs per instance than any VM", j -> {
          j.getSpec().getInstances().setMaxCpus(null);
          j.getSpec().getInstances().setMinCpus(5000);
        }, INVALID_SPEC, "spec.instances.minCpus: Invalid value: 5000"),
        spec("a petabyte per task", j -> j.getSpec().getWorker().setMemoryPerTaskGiB(1e6), INVALID_SPEC,
            "spec.worker.memoryPerTaskGiB"),
        spec("zero boot disk", j -> j.getSpec().getInstances().setBootDiskGiB(0), "InvalidConstraints",
            "spec.instances: bootDiskGiB must be at least 1, got 0"),
        spec("negative ttl", j -> j.getSpec().setTtlSecondsAfterFinished(-1), INVALID_SPEC,
            "spec.ttlSecondsAfterFinished"),
        spec("parameters that become one variable", j -> {
          j.getSpec().getTasks().setConfigMapRefs(null);
          GenerateSpec g = generate(4L);
          ParameterRange range = new ParameterRange();
          range.setFrom(1.0);
          range.setTo(2.0);
          g.setParameters(Map.of("a-b", range, "a_b", range));
          j.getSpec().getTasks().setGenerate(g);
        }, INVALID_SPEC, "both become TASK_ARG_A_B"),
        // regions: named as region problems, not as prices
        spec("aws region without its number", j -> {
          j.getSpec().setProvider(dev.taskjob.crds.v1alpha1.shared.Provider.AWS);
          j.getSpec().setRegion("us-east");
        }, "UnknownRegion", "spec.region: Invalid value: \"us-east\": not a region name of provider aws"),
        spec("gcp region spelt the aws way", j -> {
          j.getSpec().setProvider(dev.taskjob.crds.v1alpha1.shared.Provider.GCP);
          j.getSpec().setProject("my-project");
          j.getSpec().setRegion("us-central-1");
        }, "UnknownRegion", "spec.region"));
  }

  @BeforeAll
  static void start() {
    harness = new OperatorHarness(FaultRun.settings("bad-inputs", root));
    harness.configMap("good", "tasks.json", TaskJobs.additionTasks(5));
    harness.client.secrets().inNamespace(OperatorHarness.NAMESPACE).resource(new SecretBuilder()
        .withNewMetadata().withName("db-creds").addToLabels("taskjob.dev/task-env", "true").endMetadata()
        .withStringData(Map.of("password", "hunter2", "with-nul", "a\u0000b", "too-big", "x".repeat(70_000))).build())
        .create();
    harness.client.secrets().inNamespace(OperatorHarness.NAMESPACE).resource(new SecretBuilder()
        .withNewMetadata().withName("not-for-tasks").endMetadata()
        .withStringData(Map.of("password", "hunter2")).build()).create();
    harness.start();
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @Order(1)
  void badInputGetsAClearConditionAndSpendsNothing(Case c) throws IOException {
    String name = "bad-" + Integer.toHexString(c.name().hashCode() & 0xfffffff);
    harness.client.configMaps().inNamespace(OperatorHarness.NAMESPACE).resource(new ConfigMapBuilder()
        .withNewMetadata().withName(name).endMetadata()
        .addToBinaryData(c.key(), Base64.getEncoder().encodeToString(c.content())).build()).create();
    TaskJob job = TaskJobs.fromConfigMap(name, name, c.key(), List.of("true"));
    c.breakIt().accept(job);
    harness.apply(job);

    TaskJob seen = harness.awaitJob(name, Duration.ofMinutes(3), j -> j.getStatus() != null
        && Conditions.find(j.getStatus().getConditions(), ConditionTypes.ACCEPTED)
            .filter(a -> Condition.FALSE.equals(a.getStatus())).isPresent());
    Condition accepted = Conditions.find(seen.getStatus().getConditions(), ConditionTypes.ACCEPTED).orElseThrow();
    assertThat(accepted.getReason()).as(accepted.getMessage()).isEqualTo(c.reason());
    assertThat(accepted.getMessage()).contains(c.message());
    assertThat(seen.getStatus().getPhase()).isIn(TaskJobPhase.FAILED, TaskJobPhase.PENDING);
    assertThat(seen.getStatus().getQueueName()).isNull();
    assertThat(harness.pool(name)).isNull();
    assertThat(entries(root.resolve("queues"))).noneMatch(n -> n.contains(name));
    assertThat(entries(root.resolve("instances"))).noneMatch(n -> n.contains(name));
  }

  @Test
  @Order(2)
  void operatorStaysHealthyAndRunsAValidJobAfterwards() {
    harness.apply(TaskJobs.fromConfigMap("good-after-bad", "good", "tasks.json", List.of("true")));
    TaskJob done = harness.awaitJob("good-after-bad", FaultRun.jobTimeout(5).plus(FaultRun.WORKER_STARTUP_TIMEOUT),
        j -> j.getStatus() != null
        && (j.getStatus().getPhase() == TaskJobPhase.SUCCEEDED || j.getStatus().getPhase() == TaskJobPhase.FAILED));
    assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(TaskJobPhase.SUCCEEDED);
    assertThat(done.getStatus().getSucceeded()).isEqualTo(5);
  }

  private static List<String> entries(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).toList();
    }
  }

  private static Consumer<TaskJob> env(String name, String value) {
    return j -> j.getSpec().getWorker().setEnv(List.of(new EnvVar(name, value)));
  }

  private static Consumer<TaskJob> secretEnv(String name, String secret, String key) {
    return j -> {
      EnvVar v = new EnvVar();
      v.setName(name);
      v.setValueFrom(new EnvVarSource(new SecretKeySelector(secret, key)));
      j.getSpec().getWorker().setEnv(List.of(v));
    };
  }

  private static GenerateSpec generate(Long count) {
    GenerateSpec g = new GenerateSpec();
    g.setCount(count);
    return g;
  }

  private static String oneMebibyteWithBrokenLastTask() {
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; json.length() < (1 << 20) - 100; i++) {
      json.append("{\"id\": \"task-").append(i).append("\", \"data\": {\"n\": ").append(i).append("}},\n");
    }
    return json.append("{\"id\": \"last\", \"data\": 7}]").toString();
  }

  private static byte[] billionLaughs() {
    StringBuilder yaml = new StringBuilder("- id: a\n  data:\n    l0: &l0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (int i = 1; i < 10; i++) {
      yaml.append("    l").append(i).append(": &l").append(i).append(" [");
      List<String> refs = new ArrayList<>();
      for (int k = 0; k < 9; k++) {
        refs.add("*l" + (i - 1));
      }
      yaml.append(String.join(",", refs)).append("]\n");
    }
    return yaml.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** 300 MiB of spaces inside a JSON array: about 300 KiB compressed, beyond the 256 MiB decompressed limit. */
  private static byte[] gzipBomb() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write('[');
      byte[] spaces = new byte[1 << 20];
      java.util.Arrays.fill(spaces, (byte) ' ');
      for (int i = 0; i < 300; i++) {
        gz.write(spaces);
      }
      gz.write("{\"id\": \"a\"}]".getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
