package dev.taskjob.operator.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.taskjob.crds.schema.SchemaValidator;
import dev.taskjob.operator.cli.TaskjobCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code taskjob local} checks TaskJobs against the CRD schema before it applies anything, as
 * {@code kubectl apply --validate=strict} and the API server do: one kubectl-style line per bad object
 * naming the field and the reason, exit code 2, no stack trace, no worker started.
 */
class LocalBadInputTest {

  private static final YAMLMapper YAML = new YAMLMapper();

  @TempDir
  Path dir;

  /** A manifest edit and the start of the line it must produce after {@code The TaskJob "job" is invalid: }. */
  record Case(String name, Consumer<ObjectNode> breakIt, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("zero cpus per task", j -> worker(j).put("cpusPerTask", 0),
            "spec.worker.cpusPerTask: Invalid value: 0: should be greater than 0"),
        new Case("misspelt field", j -> worker(j).put("cpusPerTsk", 2),
            "spec.worker.cpusPerTsk: unknown field \"spec.worker.cpusPerTsk\""),
        new Case("int beyond 2^31", j -> instances(j).put("maxInstances", 3_000_000_000L),
            "spec.instances.maxInstances: Invalid value: 3000000000: should be less than or equal to 10000"),
        new Case("provider from a newer CRD", j -> spec(j).put("provider", "azure"),
            "spec.provider: Unsupported value: \"azure\": supported values: \"aws\", \"gcp\", \"local\""),
        new Case("unknown architecture", j -> instances(j).put("architecture", "sparc"),
            "spec.instances.architecture: Unsupported value: \"sparc\""),
        new Case("number as a word", j -> instances(j).put("maxInstances", "ten"),
            "spec.instances.maxInstances: Invalid value: \"ten\": must be of type integer"),
        new Case("fraction in an integer field", j -> instances(j).put("maxInstances", 2.5),
            "spec.instances.maxInstances: Invalid value: 2.5: must be of type integer"),
        new Case("env name with a dash", j -> worker(j).putArray("env").addObject().put("name", "BAD-NAME"),
            "spec.worker.env[0].name: Invalid value: \"BAD-NAME\": should match"),
        new Case("env entry without a name", j -> worker(j).putArray("env").addObject().put("value", "x"),
            "spec.worker.env[0].name: Required value"),
        new Case("empty command", j -> worker(j).putArray("command"),
            "spec.worker.command: Invalid value: []: should have at least 1 items"),
        new Case("command as a string", j -> worker(j).put("command", "python3 add.py"),
            "spec.worker.command: Invalid value: \"python3 add.py\": must be of type array"),
        new Case("duration in words", j -> worker(j).put("maxRuntime", "10 minutes"),
            "spec.worker.maxRuntime: Invalid value: \"10 minutes\": should match"),
        new Case("no worker", j -> spec(j).remove("worker"), "spec.worker: Required value"),
        new Case("zero simultaneous tasks", j -> worker(j).put("simultaneousTasks", 0),
            "spec.worker.simultaneousTasks: Invalid value: 0: should be greater than or equal to 1"),
        new Case("a million attempts", j -> worker(j).putObject("retry").put("maxAttempts", 1_000_000),
            "spec.worker.retry.maxAttempts: Invalid value: 1000000: should be less than or equal to 1000"),
        new Case("image name of 600 characters", j -> worker(j).put("image", "x".repeat(600)),
            "spec.worker.image: Too long: may not be more than 512 bytes"),
        new Case("300 env entries", j -> {
          ArrayNode env = worker(j).putArray("env");
          for (int i = 0; i < 300; i++) {
            env.addObject().put("name", "V" + i).put("value", "x");
          }
        }, "spec.worker.env: Too many: 300: must have at most 256 items"),
        new Case("no task list reference", j -> ((ObjectNode) spec(j).get("tasks")).putArray("configMapRefs"),
            "spec.tasks.configMapRefs: Invalid value: []: should have at least 1 items"),
        new Case("misspelt top-level field", j -> j.putObject("spek"), "spek: unknown field \"spek\""),
        new Case("negative budget", j -> instances(j).put("maxPricePerHour", -5),
            "spec.instances.maxPricePerHour: Invalid value: -5: should be greater than or equal to 0"),
        new Case("2000 instance type globs", j -> {
          ArrayNode types = instances(j).putArray("types");
          Collections.nCopies(2000, "m5.*").forEach(types::add);
        }, "spec.instances.types: Too many: 2000"),
        new Case("two task sources (CEL)",
            j -> ((ObjectNode) spec(j).get("tasks")).putObject("generate").put("count", 3),
            "spec.tasks: Invalid value: \"object\": spec.tasks needs exactly one of configMapRefs or generate"),
        new Case("aws without a region (CEL)", j -> {
          spec(j).put("provider", "aws");
          worker(j).put("image", "busybox");
        },
            "spec: Invalid value: \"object\": region is required for aws and gcp"),
        new Case("minCpus above maxCpus (CEL)", j -> instances(j).put("minCpus", 8).put("maxCpus", 2),
            "spec.instances: Invalid value: \"object\": minCpus must be less than or equal to maxCpus"),
        new Case("env value and valueFrom (CEL)", j -> worker(j).putArray("env").addObject().put("name", "A")
            .put("value", "x").putObject("valueFrom").putObject("secretKeyRef").put("name", "s").put("key", "k"),
            "spec.worker.env[0]: Invalid value: \"object\": give value or valueFrom, not both"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void schemaViolationsAreNamedKubectlStyle(Case c) throws IOException {
    ObjectNode job = validJob();
    c.breakIt().accept(job);
    Path file = Files.writeString(dir.resolve("job.yaml"), YAML.writeValueAsString(job));

    // A blocking error comes with the API server's notice that the CEL rules were skipped, in brackets.
    assertThat(Manifests.schemaErrors(file)).singleElement().asString()
        .satisfiesAnyOf(
            line -> assertThat(line).startsWith("The TaskJob \"job\" is invalid: " + c.expected()),
            line -> assertThat(line).startsWith("The TaskJob \"job\" is invalid: [" + c.expected())
                .endsWith(", " + SchemaValidator.RULES_NOT_CHECKED + "]"));
  }

  @Test
  void taskjobLocalExitsWithTwoAndAKubectlMessageBeforeStartingAnything() throws IOException {
    ObjectNode job = validJob();
    worker(job).put("cpusPerTask", 0);
    worker(job).put("cpusPerTsk", 2);
    Path file = Files.writeString(dir.resolve("job.yaml"), YAML.writeValueAsString(job));
    Path root = dir.resolve("root");

    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream originalErr = System.err;
    PrintStream originalOut = System.out;
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code = TaskjobCli.commandLine().execute("local", "--root", root.toString(), file.toString());
    } finally {
      System.setErr(originalErr);
      System.setOut(originalOut);
    }

    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo("The TaskJob \"job\" is invalid: ["
        + "spec.worker.cpusPerTask: Invalid value: 0: should be greater than 0, "
        + "spec.worker.cpusPerTsk: unknown field \"spec.worker.cpusPerTsk\"]");
    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("Applied");
    assertThat(root.resolve("instances")).doesNotExist();
    assertThat(root.resolve("queues")).doesNotExist();
  }

  /** YAML that does not parse gets the file, the reason and its line, exit 2 and no stack trace. */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
      "two manifests run together without ---|apiVersion: v1\\nkind: ConfigMap\\napiVersion: v1\\n|found duplicate key apiVersion",
      "an unclosed flow sequence|apiVersion: v1\\nkind: [ConfigMap\\n|line 3"})
  void yamlThatDoesNotParseIsNamedWithItsLine(String name, String yaml, String reason) throws IOException {
    Path file = Files.writeString(dir.resolve("job.yaml"), yaml.replace("\\n", "\n"));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream originalErr = System.err;
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = TaskjobCli.commandLine().execute("local", "--root", dir.resolve("root").toString(), file.toString());
    } finally {
      System.setErr(originalErr);
    }

    String message = err.toString(StandardCharsets.UTF_8);
    assertThat(code).isEqualTo(2);
    assertThat(message).startsWith("taskjob local: " + file + ": not a valid manifest: ").contains(reason)
        .doesNotContain("\tat ");
    assertThat(dir.resolve("root").resolve("instances")).doesNotExist();
  }

  @Test
  void theSampleManifestsPass() throws IOException {
    Path samples = Path.of("..", "samples").toAbsolutePath().normalize();
    try (Stream<Path> files = Files.walk(samples)) {
      List<Path> manifests = files.filter(f -> f.toString().endsWith(".yaml")).toList();
      assertThat(manifests).isNotEmpty();
      for (Path manifest : manifests) {
        assertThat(Manifests.schemaErrors(manifest)).as(manifest.toString()).isEmpty();
      }
    }
  }

  private static ObjectNode validJob() throws IOException {
    return (ObjectNode) YAML.readTree("""
        apiVersion: taskjob.dev/v1alpha1
        kind: TaskJob
        metadata:
          name: job
        spec:
          provider: local
          tasks:
            configMapRefs:
              - name: tasks
                key: tasks.json
          worker:
            command: ["true"]
          instances:
            maxInstances: 2
        """);
  }

  private static ObjectNode spec(JsonNode job) {
    return (ObjectNode) job.get("spec");
  }

  private static ObjectNode worker(JsonNode job) {
    return (ObjectNode) spec(job).get("worker");
  }

  private static ObjectNode instances(JsonNode job) {
    return (ObjectNode) spec(job).get("instances");
  }
}
