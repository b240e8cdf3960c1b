package dev.taskjob.operator.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the parallel-addition samples (samples/parallel-addition/local and local-failures) through
 * {@code taskjob local} with their own TaskJob manifests and a shorter task list, on real worker
 * processes and the directory queue.
 */
class LocalSampleTest {

  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final Path SAMPLE = REPO.resolve("samples/parallel-addition");
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final Pattern COUNTS =
      Pattern.compile("Tasks: (\\d+) total, (\\d+) succeeded, (\\d+) failed, (\\d+) not finished");

  /** The sample's TaskJob with an absolute program path and output dir, and a ConfigMap of its first tasks. */
  private static Path sampleWithTasks(Path dir, String variant, int tasks, String extraEnvValue) throws IOException {
    return sampleWithTasks(dir, variant, tasks, extraEnvValue, false);
  }

  /** With {@code rmsFormat}, the task list is JSON Lines with rms-cloud-tasks' {@code task_id} for the id. */
  private static Path sampleWithTasks(Path dir, String variant, int tasks, String extraEnvValue, boolean rmsFormat)
      throws IOException {
    ObjectNode job = (ObjectNode) YAML.readTree(SAMPLE.resolve(variant).resolve("taskjob.yaml").toFile());
    ObjectNode worker = (ObjectNode) job.path("spec").path("worker");
    ArrayNode command = (ArrayNode) worker.path("command");
    // The sample names its program relative to its own directory; these manifests are written elsewhere.
    command.set(0, YAML.getNodeFactory().textNode(
        SAMPLE.resolve(variant).resolve(command.get(0).asText()).normalize().toString()));
    for (JsonNode env : worker.path("env")) {
      if (env.path("name").asText().equals("ADDITION_OUTPUT_DIR")) {
        ((ObjectNode) env).put("value", dir.resolve("results").toString());
      }
      if (extraEnvValue != null && env.path("name").asText().equals("ADDITION_TASK_DELAY")) {
        ((ObjectNode) env).put("value", extraEnvValue);
      }
    }
    String configMapName = job.path("spec").path("tasks").path("configMapRefs").get(0).path("name").asText();
    String key = job.path("spec").path("tasks").path("configMapRefs").get(0).path("key").asText();
    ArrayNode list = YAML.createArrayNode();
    JsonNode all = new ObjectMapper().readTree(SAMPLE.resolve("addition_tasks.json").toFile());
    for (int i = 0; i < tasks; i++) {
      list.add(all.get(i));
    }
    ObjectNode configMap = YAML.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
    configMap.putObject("metadata").put("name", configMapName);
    StringBuilder rmsLines = new StringBuilder();
    for (JsonNode task : list) {
      ObjectNode rms = YAML.createObjectNode().put("task_id", task.path("id").asText());
      rms.set("data", task.path("data"));
      rmsLines.append(rms).append('\n');
    }
    configMap.putObject("data").put(key.replace(".gz", ""), rmsFormat ? rmsLines.toString() : list.toString());
    ((ObjectNode) job.path("spec").path("tasks").path("configMapRefs").get(0)).put("key", key.replace(".gz", ""));
    Path manifests = Files.createDirectories(dir.resolve("manifests"));
    YAML.writeValue(manifests.resolve("tasks.yaml").toFile(), configMap);
    YAML.writeValue(manifests.resolve("taskjob.yaml").toFile(), job);
    return manifests;
  }

  private static String run(Path manifests, Path root, int expectedExit) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    LocalRun.Options options = LocalRun.Options.defaults(List.of(manifests), root);
    int code = new LocalRun(new LocalRun.Options(options.manifests(), root, "default", 0, Duration.ofMinutes(4),
        Duration.ofMillis(500), options.settings()), new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();
    String output = bytes.toString(StandardCharsets.UTF_8);
    assertThat(code).as(output).isEqualTo(expectedExit);
    return output;
  }

  @Test
  void parallelAdditionSampleSucceedsWithEveryResultWritten(@TempDir Path dir) throws Exception {
    Path manifests = sampleWithTasks(dir, "local", 40, "0.01");

    String output = run(manifests, dir.resolve("root"), LocalRun.SUCCEEDED);

    assertThat(output).contains("Summary of default/parallel-addition: Succeeded",
        "Tasks: 40 total, 40 succeeded, 0 failed, 0 not finished", "Elapsed time statistics:", "Median:");
    assertThat(output).containsPattern("(?m)^  Cost per completed task: \\$[0-9.]+ \\(the task's own share: p50 \\$")
        .containsPattern("(?m)^  Where the cost went: tasks \\$[0-9.]+ \\(\\d+%\\), boot .*, idle slots .*, drain .*,"
            + " interrupted \\$[0-9.]+ \\(\\d+%\\)$");
    JsonNode tasks = new ObjectMapper().readTree(SAMPLE.resolve("addition_tasks.json").toFile());
    for (int i = 0; i < 40; i++) {
      JsonNode task = tasks.get(i);
      Path result = dir.resolve("results").resolve(task.path("id").asText() + ".txt");
      long sum = task.path("data").path("num1").asLong() + task.path("data").path("num2").asLong();
      assertThat(Files.readString(result).strip()).isEqualTo(Long.toString(sum));
    }
    assertThat(workerProcessesUnder(dir)).isEmpty();
    String report = Files.readString(dir.resolve("root/reports/default-parallel-addition.html"));
    assertThat(report).contains("TaskJob default/parallel-addition: Succeeded", "id=\"chart-tasks\"",
        "Sampled from the job&#39;s status every second", "id=\"chart-elapsed\"", "<td>local-");
  }

  @Test
  void rmsCloudTasksTaskFileWithTaskIdRunsUnchanged(@TempDir Path dir) throws Exception {
    Path manifests = sampleWithTasks(dir, "local", 20, "0.01", true);
    assertThat(Files.readString(manifests.resolve("tasks.yaml"))).contains("task_id").doesNotContain("\"id\"");

    String output = run(manifests, dir.resolve("root"), LocalRun.SUCCEEDED);

    assertThat(output).contains("Tasks: 20 total, 20 succeeded, 0 failed, 0 not finished");
    JsonNode tasks = new ObjectMapper().readTree(SAMPLE.resolve("addition_tasks.json").toFile());
    for (int i = 0; i < 20; i++) {
      assertThat(dir.resolve("results").resolve(tasks.get(i).path("id").asText() + ".txt")).exists();
    }
  }

  @Test
  void refusesAProgramThatIsNotThereBeforeStartingAnything(@TempDir Path dir) throws Exception {
    Path manifests = sampleWithTasks(dir, "local", 5, "0.01");
    Path job = manifests.resolve("taskjob.yaml");
    ObjectNode tree = (ObjectNode) YAML.readTree(job.toFile());
    ((ArrayNode) tree.path("spec").path("worker").path("command")).set(0, YAML.getNodeFactory().textNode("bin/add.sh"));
    YAML.writeValue(job.toFile(), tree);
    LocalRun.Options options = LocalRun.Options.defaults(List.of(manifests), dir.resolve("root"));

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LocalRun(options,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).run())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("TaskJob parallel-addition: spec.worker.command[0] 'bin/add.sh': "
            + manifests.toRealPath().resolve("bin/add.sh") + " does not exist (relative paths are read against the"
            + " manifest's directory " + manifests.toRealPath() + ")");
    assertThat(workerProcessesUnder(dir)).isEmpty();
  }

  @Test
  void failureVariantEndsFailedWithCountsThatAddUpAndReasons(@TempDir Path dir) throws Exception {
    Path manifests = sampleWithTasks(dir, "local-failures", 60, null);

    String output = run(manifests, dir.resolve("root"), LocalRun.JOB_FAILED);

    Matcher counts = COUNTS.matcher(output);
    assertThat(counts.find()).as(output).isTrue();
    long total = Long.parseLong(counts.group(1));
    long succeeded = Long.parseLong(counts.group(2));
    long failed = Long.parseLong(counts.group(3));
    assertThat(total).isEqualTo(60);
    assertThat(succeeded + failed).isEqualTo(total);
    assertThat(failed).isPositive();
    assertThat(output).contains("Summary of default/parallel-addition-failures: Failed", "Failed tasks (" + failed + "):")
        .containsPattern("addition-task-\\d{6}: (failed with exit code \\d|timed out)")
        .containsPattern("(?m)^  first worker error: \\S+: Slot #\\d+: Task addition-task-\\d{6} (failed|timed out)");
    assertThat(Files.readString(dir.resolve("root/reports/default-parallel-addition-failures.html")))
        .contains("Failed tasks (" + failed + ")").containsPattern("<td>addition-task-\\d{6}</td><td>(failed|timed out)");
    assertThat(workerProcessesUnder(dir)).isEmpty();
  }

  @Test
  void interruptStopsCleanlyAndLeavesNoWorkerProcess(@TempDir Path dir) throws Exception {
    Path manifests = sampleWithTasks(dir, "local", 400, "0.5");
    Path root = dir.resolve("root");
    Path log = dir.resolve("local.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process local = new ProcessBuilder(interruptible(java, "-cp", System.getProperty("java.class.path"),
        "dev.taskjob.operator.cli.TaskjobCli", "local", "--root", root.toString(), manifests.toString()))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (workerProcessesUnder(dir).isEmpty() || !Files.readString(log).contains(" Running ")) {
        assertThat(local.isAlive()).as(Files.readString(log)).isTrue();
        assertThat(System.nanoTime()).as("workers did not start: " + Files.readString(log)).isLessThan(deadline);
        Thread.sleep(200);
      }
      new ProcessBuilder("kill", "-INT", Long.toString(local.pid())).start().waitFor();

      assertThat(local.waitFor(120, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
      assertThat(local.exitValue()).as(Files.readString(log)).isEqualTo(LocalRun.STOPPED);
      assertThat(Files.readString(log)).contains("Stopping", "Wall time");
      assertThat(workerProcessesUnder(dir)).isEmpty();
    } finally {
      local.descendants().forEach(ProcessHandle::destroyForcibly);
      local.destroyForcibly();
    }
  }

  /**
   * The command with SIGINT back to its default: a suite started in the background by a non-interactive shell
   * hands its children SIGINT ignored, and a JVM never handles a signal that was ignored when it started.
   */
  private static List<String> interruptible(String... command) {
    List<String> line = new ArrayList<>(List.of("env", "--default-signal=INT"));
    line.addAll(List.of(command));
    return line;
  }

  @Test
  void secondInterruptExitsAtOnceListingWhatMayBeLeftRunning(@TempDir Path dir) throws Exception {
    // 60 s tasks and a long grace period: the clean stop started by the first Ctrl-C cannot finish first.
    Path manifests = sampleWithTasks(dir, "local", 20, "60");
    Path job = manifests.resolve("taskjob.yaml");
    ObjectNode tree = (ObjectNode) YAML.readTree(job.toFile());
    ((ObjectNode) tree.path("spec").path("worker")).put("shutdownGracePeriod", "300s");
    YAML.writeValue(job.toFile(), tree);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process local = new ProcessBuilder(interruptible(java, "-cp", System.getProperty("java.class.path"),
        "dev.taskjob.operator.cli.TaskjobCli", "local", "--root", dir.resolve("root").toString(), manifests.toString()))
        .redirectErrorStream(true).start();
    java.util.concurrent.LinkedBlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> new java.io.BufferedReader(new java.io.InputStreamReader(local.getInputStream(),
        StandardCharsets.UTF_8)).lines().forEach(lines::add));
    reader.setDaemon(true);
    reader.start();
    try {
      awaitLine(lines, "(?s).* Running .*\\s[1-9]\\d*/\\d+\\s+local-.*");
      new ProcessBuilder("kill", "-INT", Long.toString(local.pid())).start().waitFor();
      awaitLine(lines, "Interrupted: stopping cleanly.*");
      new ProcessBuilder("kill", "-INT", Long.toString(local.pid())).start().waitFor();

      assertThat(local.waitFor(60, TimeUnit.SECONDS)).as("exited after the second Ctrl-C").isTrue();
      assertThat(local.exitValue()).isEqualTo(LocalRun.STOPPED);
      reader.join(TimeUnit.SECONDS.toMillis(60));
      List<String> rest = new ArrayList<>(lines);
      assertThat(rest).anyMatch(l -> l.startsWith("Exiting at once without cleaning up. These may still be running"));
      assertThat(rest).anyMatch(l -> l.matches("  process \\d+ \\(java, in .*/root/instances/tj-parallel-addition-.*\\)"));
      assertThat(rest).anyMatch(l -> l.matches("  instance \\S+ \\(provider local, pool default/parallel-addition.*"));
    } finally {
      local.destroyForcibly();
      for (long pid : workerProcessesUnder(dir)) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  /** Takes lines until one matches {@code regex}, failing with what was read if none does within 180 s. */
  private static String awaitLine(java.util.concurrent.LinkedBlockingQueue<String> lines, String regex)
      throws InterruptedException {
    List<String> seen = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (true) {
      String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      assertThat(line).as("no line matching %s; read: %s", regex, seen).isNotNull();
      seen.add(line);
      if (line.matches(regex)) {
        return line;
      }
    }
  }

  /** Processes whose working directory is inside {@code dir}: local instances and their tasks. */
  static List<Long> workerProcessesUnder(Path dir) throws IOException {
    List<Long> pids = new ArrayList<>();
    String prefix = dir.toRealPath().toString();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          if (Files.readSymbolicLink(proc.resolve("cwd")).toString().startsWith(prefix)) {
            pids.add(Long.parseLong(proc.getFileName().toString()));
          }
        } catch (IOException | SecurityException gone) {
          // exited meanwhile, or not ours to read
        }
      }
    }
    return pids;
  }
}
