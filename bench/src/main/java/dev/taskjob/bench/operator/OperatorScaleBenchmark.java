package dev.taskjob.bench.operator;

import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.ProviderConfig.Keys;
import dev.taskjob.core.event.EventType;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.TaskjobOperator;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.ledger.LedgerCodec;
import dev.taskjob.operator.local.EmbeddedApiServer;
import dev.taskjob.operator.local.LocalRun;
import dev.taskjob.operator.metrics.OperatorMetrics;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * The operator scale benchmark (docs/benchmarks.md, "Operator scale"): the real operator in this JVM
 * against the embedded Kubernetes API of {@code taskjob local}, with the local provider, so every
 * instance is a worker process on this machine and every task a process it starts.
 *
 * <p>It applies {@code --jobs} TaskJobs of {@code --tasks} tasks each (from gzip ConfigMaps, or with
 * {@code --source generate} from {@code spec.tasks.generate}), waits until all have finished or
 * {@code --time-limit} passes, and reports: this JVM's heap (peak after GC) and CPU by thread group,
 * the workers' and task processes' CPU, per job the latency from apply to Loading and from the last
 * task's end (the workers' logs) to Succeeded, makespan efficiency, TaskJob status writes per minute
 * and the ledger ConfigMap's serialized size. The JVM also holds the embedded API server, which is
 * counted in its heap and CPU.
 *
 * <p>Usage: {@code OperatorScaleBenchmark [--jobs 20] [--tasks 10000] [--source configmap|generate]
 * [--command true] [--slots 8] [--instances 1] [--time-limit 15m] [--timings local|cluster]
 * [--worker-jvm "-Xmx128m -XX:+UseSerialGC"] [--root bench/target/operator-scale]}.
 */
public final class OperatorScaleBenchmark {

  private static final String NAMESPACE = "default";
  /** Tasks per ConfigMap: a gzip list of 50,000 small tasks stays far below the 1 MiB object limit. */
  private static final int TASKS_PER_CONFIGMAP = 50_000;
  private static final Pattern TASK_LINE =
      Pattern.compile("^(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}) \\w+ - Slot #\\d+: (Started|Completed|Task)");
  private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
  /** How much of each end of a worker log is read for the first and last task lines. */
  private static final int LOG_EDGE_BYTES = 256 * 1024;
  private static final Duration CLEANUP_LIMIT = Duration.ofSeconds(90);
  /**
   * The mock server logs every request at INFO through java.util.logging. Held in a field: the logging
   * framework keeps loggers weakly, and a collected logger would forget its level.
   */
  private static final java.util.logging.Logger MOCK_SERVER_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  record Options(int jobs, int tasks, String source, List<String> command, int slots, int instances,
      Duration timeLimit, String timings, List<String> workerJvmOptions, Path root) {

    static Options parse(String[] args) {
      int jobs = 20;
      int tasks = 10_000;
      String source = "configmap";
      List<String> command = List.of("true");
      int slots = 8;
      int instances = 1;
      Duration timeLimit = Duration.ofMinutes(15);
      String timings = "local";
      List<String> workerJvm = List.of("-Xmx128m", "-XX:+UseSerialGC");
      Path root = Path.of("bench", "target", "operator-scale");
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--jobs" -> jobs = Integer.parseInt(args[++i]);
          case "--tasks" -> tasks = Integer.parseInt(args[++i]);
          case "--source" -> source = args[++i];
          case "--command" -> command = List.of(args[++i].trim().split("\\s+"));
          case "--slots" -> slots = Integer.parseInt(args[++i]);
          case "--instances" -> instances = Integer.parseInt(args[++i]);
          case "--time-limit" -> timeLimit = parseDuration(args[++i]);
          case "--timings" -> timings = args[++i];
          case "--worker-jvm" -> workerJvm = List.of(args[++i].trim().split("\\s+"));
          case "--root" -> root = Path.of(args[++i]);
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
      }
      if (!source.equals("configmap") && !source.equals("generate")) {
        throw new IllegalArgumentException("--source must be configmap or generate");
      }
      if (!timings.equals("local") && !timings.equals("cluster")) {
        throw new IllegalArgumentException("--timings must be local (taskjob local's intervals) or cluster (defaults)");
      }
      if (jobs < 1 || jobs > 100 || tasks < 1 || tasks > 5_000_000 || slots < 1 || instances < 1) {
        throw new IllegalArgumentException("need 1-100 jobs, 1-5,000,000 tasks, slots and instances >= 1");
      }
      return new Options(jobs, tasks, source, command, slots, instances, timeLimit, timings, workerJvm, root);
    }

    private static Duration parseDuration(String text) {
      char unit = text.charAt(text.length() - 1);
      long value = Long.parseLong(text.substring(0, text.length() - 1));
      return switch (unit) {
        case 's' -> Duration.ofSeconds(value);
        case 'm' -> Duration.ofMinutes(value);
        case 'h' -> Duration.ofHours(value);
        default -> throw new IllegalArgumentException("time limit like 90s, 15m or 1h: " + text);
      };
    }
  }

  /** What one job's run showed. */
  record JobResult(String name, TaskJobStatus status, Instant applied, Instant loading, Instant running,
      Instant finished, Instant firstTaskStarted, Instant lastTaskFinished, long statusWrites, long ledgerBytes,
      double meanTaskSeconds) {}

  private final Options options;
  private final Path root;

  private OperatorScaleBenchmark(Options options) {
    this.options = options;
    this.root = options.root().toAbsolutePath();
  }

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    System.exit(new OperatorScaleBenchmark(options).run());
  }

  private int run() throws Exception {
    deleteRecursively(root);
    Files.createDirectories(root);
    System.out.printf(Locale.ROOT, "machine: %d cores, %s, Java %s, max heap %d MiB, load average %.1f at start%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20,
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.printf(Locale.ROOT, "run: %d job(s) x %,d tasks (%s), command %s, %d slot(s) x %d instance(s) per job, "
            + "%s timings, worker JVM %s, time limit %s%n", options.jobs(), options.tasks(), options.source(),
        options.command(), options.slots(), options.instances(), options.timings(), options.workerJvmOptions(),
        options.timeLimit());

    ApiTraffic traffic = new ApiTraffic();
    List<JobResult> results = new ArrayList<>();
    ResourceSampler.Figures figures;
    boolean complete;
    Instant started;
    Instant ended;
    try (EmbeddedApiServer api = EmbeddedApiServer.startWithTaskJobCrds(0)) {
      api.onRequest(traffic::record);
      KubernetesClient client = api.client();
      List<TaskJob> jobs = new ArrayList<>();
      for (int j = 1; j <= options.jobs(); j++) {
        jobs.add(prepareJob(client, String.format(Locale.ROOT, "scale-%02d", j)));
      }
      try (JobTimeline timeline = new JobTimeline(client, NAMESPACE);
          ResourceSampler sampler = new ResourceSampler();
          TaskjobOperator operator = new TaskjobOperator(client, settings(), OperatorMetrics.inMemory())) {
        sampler.start();
        started = Instant.now();
        operator.start();
        for (TaskJob job : jobs) {
          client.resource(job).create();
          timeline.applied(job.getMetadata().getName(), Instant.now());
        }
        complete = awaitFinished(timeline, jobs, started.plus(options.timeLimit()));
        ended = Instant.now();
        figures = sampler.figures(Duration.between(started, ended));
        for (TaskJob job : jobs) {
          results.add(result(client, timeline, traffic, job.getMetadata().getName()));
        }
        deleteJobs(client, jobs);
      }
    } finally {
      LocalRun.killLeftoverProcesses();
    }
    report(results, figures, traffic, started, ended, complete);
    return complete ? 0 : 1;
  }

  private OperatorSettings settings() {
    OperatorSettings base = OperatorSettings.defaults("bench");
    if (options.timings().equals("local")) {
      base = base.fast();
    }
    List<String> workerCommand = new ArrayList<>();
    workerCommand.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    workerCommand.addAll(options.workerJvmOptions());
    workerCommand.add("-cp");
    workerCommand.add(absoluteClassPath());
    workerCommand.add("dev.taskjob.worker.WorkerMain");
    Map<String, String> properties = new HashMap<>(base.providerProperties());
    properties.put(Keys.LOCAL_ROOT, root.toString());
    properties.put(Keys.LOCAL_WORKER_COMMAND, Json.MAPPER.valueToTree(workerCommand).toString());
    return base.withProviderProperties(properties);
  }

  private static String absoluteClassPath() {
    return Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .filter(entry -> !entry.isEmpty())
        .map(entry -> Path.of(entry).toAbsolutePath().normalize().toString())
        .reduce((a, b) -> a + java.io.File.pathSeparator + b).orElse("");
  }

  /** Creates the job's ConfigMaps (setup, not measured) and returns the TaskJob to apply. */
  private TaskJob prepareJob(KubernetesClient client, String name) throws IOException {
    StringBuilder tasksYaml = new StringBuilder();
    if (options.source().equals("generate")) {
      tasksYaml.append("    generate:\n      count: ").append(options.tasks()).append('\n');
    } else {
      tasksYaml.append("    configMapRefs:\n");
      for (int first = 0, part = 1; first < options.tasks(); first += TASKS_PER_CONFIGMAP, part++) {
        int count = Math.min(TASKS_PER_CONFIGMAP, options.tasks() - first);
        String mapName = name + "-tasks-" + part;
        ConfigMap map = new ConfigMapBuilder().withNewMetadata().withName(mapName).withNamespace(NAMESPACE)
            .endMetadata()
            .addToBinaryData("tasks.jsonl.gz", Base64.getEncoder().encodeToString(taskList(first, count)))
            .build();
        client.resource(map).create();
        tasksYaml.append("      - name: ").append(mapName).append("\n        key: tasks.jsonl.gz\n");
      }
    }
    String command = Json.MAPPER.valueToTree(options.command()).toString();
    String yaml = """
        apiVersion: taskjob.dev/v1alpha1
        kind: TaskJob
        metadata:
          name: %s
          namespace: %s
        spec:
          provider: local
          tasks:
        %s  worker:
            command: %s
            cpusPerTask: 0.25
            simultaneousTasks: %d
            maxRuntime: 60s
          instances:
            maxInstances: %d
          terminationDelay: 30s
        """.formatted(name, NAMESPACE, tasksYaml, command, options.slots(), options.instances());
    return Serialization.unmarshal(yaml, TaskJob.class);
  }

  /** Tasks {@code first+1 .. first+count} as gzip JSON Lines, the shape a user's list has. */
  private static byte[] taskList(int first, int count) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      for (int i = first + 1; i <= first + count; i++) {
        gz.write(String.format(Locale.ROOT, "{\"id\":\"t-%07d\",\"data\":{\"n\":%d}}%n", i, i)
            .getBytes(StandardCharsets.UTF_8));
      }
    }
    return bytes.toByteArray();
  }

  /** Waits until every job has finished or the deadline passes, printing progress every 30 seconds. */
  private boolean awaitFinished(JobTimeline timeline, List<TaskJob> jobs, Instant deadline)
      throws InterruptedException {
    Instant nextProgress = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(deadline)) {
      if (jobs.stream().allMatch(job -> timeline.finished(job.getMetadata().getName()))) {
        return true;
      }
      if (Instant.now().isAfter(nextProgress)) {
        nextProgress = Instant.now().plusSeconds(30);
        long done = 0;
        long loaded = 0;
        for (TaskJob job : jobs) {
          TaskJob seen = timeline.latest(job.getMetadata().getName());
          if (seen != null && seen.getStatus() != null) {
            done += orZero(seen.getStatus().getSucceeded()) + orZero(seen.getStatus().getFailed());
            loaded += orZero(seen.getStatus().getLoaded());
          }
        }
        System.out.printf(Locale.ROOT, "  %s: %,d of %,d tasks loaded, %,d finished%n", Instant.now(), loaded,
            (long) options.jobs() * options.tasks(), done);
      }
      Thread.sleep(200);
    }
    System.out.println("Time limit reached: reporting what finished so far.");
    return false;
  }

  private JobResult result(KubernetesClient client, JobTimeline timeline, ApiTraffic traffic, String name) {
    TaskJob job = client.resources(TaskJob.class).inNamespace(NAMESPACE).withName(name).get();
    TaskJobStatus status = job == null || job.getStatus() == null ? new TaskJobStatus() : job.getStatus();
    ConfigMap ledger = client.configMaps().inNamespace(NAMESPACE).withName(name + "-ledger").get();
    long ledgerBytes = ledger == null ? 0 : Serialization.asJson(ledger).getBytes(StandardCharsets.UTF_8).length;
    double meanTaskSeconds = Double.NaN;
    if (ledger != null && ledger.getData() != null && ledger.getData().get(LedgerCodec.SUMMARY_KEY) != null) {
      try {
        JsonNode summary = Json.MAPPER.readTree(ledger.getData().get(LedgerCodec.SUMMARY_KEY));
        meanTaskSeconds = summary.path("elapsedSeconds").path("mean").asDouble(Double.NaN);
      } catch (IOException e) {
        meanTaskSeconds = Double.NaN;
      }
    }
    Instant[] taskSpan = job == null ? new Instant[2] : taskSpan(job);
    return new JobResult(name, status, timeline.appliedAt(name), timeline.reached(name, TaskJobPhase.LOADING),
        timeline.reached(name, TaskJobPhase.RUNNING), timeline.finishedAt(name), taskSpan[0], taskSpan[1],
        traffic.statusWrites(name), ledgerBytes, meanTaskSeconds);
  }

  /** First task started and last task ended, from the logs of the job's worker processes. */
  private Instant[] taskSpan(TaskJob job) {
    // Instances are named tj-<pool name>-<8 characters of the pool's uid>-<n>; the pool has the job's name.
    Pattern instance = Pattern.compile("tj-" + Pattern.quote(job.getMetadata().getName()) + "-[0-9a-z]{1,8}-\\d+");
    Instant first = null;
    Instant last = null;
    try (Stream<Path> dirs = Files.list(root.resolve("instances"))) {
      for (Path dir : dirs.filter(d -> instance.matcher(d.getFileName().toString()).matches()).toList()) {
        Path log = dir.resolve("worker.log");
        if (!Files.exists(log)) {
          continue;
        }
        List<Instant> times = taskLineTimes(log);
        if (times.isEmpty()) {
          continue;
        }
        Instant firstHere = times.get(0);
        Instant lastHere = times.get(times.size() - 1);
        first = first == null || firstHere.isBefore(first) ? firstHere : first;
        last = last == null || lastHere.isAfter(last) ? lastHere : last;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Instant[] {first, last};
  }

  /** Times of the task lines ("Slot #n: ...") at the head and the tail of a worker log, in file order. */
  private static List<Instant> taskLineTimes(Path log) throws IOException {
    List<Instant> times = new ArrayList<>();
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long length = file.length();
      List<String> lines = new ArrayList<>(readLines(file, 0, (int) Math.min(length, LOG_EDGE_BYTES)));
      if (length > LOG_EDGE_BYTES) {
        long from = Math.max(LOG_EDGE_BYTES, length - LOG_EDGE_BYTES);
        lines.addAll(readLines(file, from, (int) (length - from)));
      }
      for (String line : lines) {
        Matcher m = TASK_LINE.matcher(line);
        if (m.find()) {
          times.add(LocalDateTime.parse(m.group(1), LOG_TIME).atZone(ZoneId.systemDefault()).toInstant());
        }
      }
    }
    return times;
  }

  private static List<String> readLines(RandomAccessFile file, long from, int length) throws IOException {
    byte[] bytes = new byte[length];
    file.seek(from);
    file.readFully(bytes);
    return List.of(new String(bytes, StandardCharsets.UTF_8).split("\n"));
  }

  /** Deletes the jobs (their finalizers terminate instances and delete queues) and waits for them to go. */
  private static void deleteJobs(KubernetesClient client, List<TaskJob> jobs) throws InterruptedException {
    for (TaskJob job : jobs) {
      client.resources(TaskJob.class).inNamespace(NAMESPACE).withName(job.getMetadata().getName()).delete();
    }
    Instant deadline = Instant.now().plus(CLEANUP_LIMIT);
    while (Instant.now().isBefore(deadline)) {
      if (client.resources(TaskJob.class).inNamespace(NAMESPACE).list().getItems().isEmpty()) {
        return;
      }
      Thread.sleep(250);
    }
    System.out.println("Jobs were not cleaned up within " + CLEANUP_LIMIT.toSeconds() + " s; worker processes are killed.");
  }

  // ---- report -------------------------------------------------------------------------------------

  private void report(List<JobResult> results, ResourceSampler.Figures f, ApiTraffic traffic, Instant started,
      Instant ended, boolean complete) {
    double wall = seconds(Duration.between(started, ended));
    long finished = results.stream().mapToLong(r -> orZero(r.status().getSucceeded()) + orZero(r.status().getFailed()))
        .sum();
    long total = (long) options.jobs() * options.tasks();
    System.out.printf(Locale.ROOT, "%n== Operator scale: %d job(s) x %,d tasks, %s ==%n", options.jobs(),
        options.tasks(), complete ? "every job finished" : "stopped at the time limit");
    System.out.printf(Locale.ROOT, "wall time (first apply to last job finished or the limit): %.1f s%n", wall);
    System.out.printf(Locale.ROOT, "tasks finished: %,d of %,d (%.1f tasks/s over the wall time)%n", finished, total,
        finished / wall);
    Instant firstStart = results.stream().map(JobResult::firstTaskStarted).filter(java.util.Objects::nonNull)
        .min(Comparator.naturalOrder()).orElse(null);
    Instant lastEnd = results.stream().map(JobResult::lastTaskFinished).filter(java.util.Objects::nonNull)
        .max(Comparator.naturalOrder()).orElse(null);
    if (firstStart != null && lastEnd != null) {
      double span = seconds(Duration.between(firstStart, lastEnd));
      System.out.printf(Locale.ROOT, "worker throughput: %,d tasks in %.1f s from the first task start to the last "
          + "task end = %.1f tasks/s; task events (task_started + task_completed) %.0f/s%n", finished, span,
          finished / span, 2 * finished / span);
    }
    System.out.printf(Locale.ROOT, "operator JVM (operator + embedded API + this driver): peak heap after GC %.1f MiB, "
            + "peak heap used %.1f MiB, %d GCs%n", mib(f.peakHeapAfterGcBytes()), mib(f.peakHeapUsedBytes()),
        f.gcCount());
    System.out.printf(Locale.ROOT, "operator JVM CPU: %.1f s = %.2f cores on average%n", seconds(f.processCpu()),
        seconds(f.processCpu()) / wall);
    f.cpuByThreadGroup().forEach((group, cpu) -> System.out.printf(Locale.ROOT, "    %-55s %8.1f s%n", group,
        seconds(cpu)));
    System.out.printf(Locale.ROOT, "worker processes (%d JVMs): %.1f s CPU; task processes they ran: %.1f s CPU%n",
        f.workerProcesses(), seconds(f.workerCpu()), seconds(f.taskProcessCpu()));
    double benchCpu = seconds(f.processCpu()) + seconds(f.workerCpu()) + seconds(f.taskProcessCpu());
    System.out.printf(Locale.ROOT, "CPU shares of this run: operator JVM %.0f%%, workers %.0f%%, tasks %.0f%%; machine "
            + "busy %.2f of %d cores on average (this run %.2f, other users the rest)%n",
        100 * seconds(f.processCpu()) / benchCpu, 100 * seconds(f.workerCpu()) / benchCpu,
        100 * seconds(f.taskProcessCpu()) / benchCpu, f.machineBusyCores(), Runtime.getRuntime().availableProcessors(),
        benchCpu / wall);
    System.out.printf(Locale.ROOT, "API: %,d requests (%.1f/s), %.1f MiB of request bodies; TaskJob status writes %,d, "
            + "InstancePool status writes %,d, ledger writes %,d (largest body %.1f KiB)%n", traffic.requests(),
        traffic.requests() / wall, mib(traffic.requestBodyBytes()), traffic.statusWrites(), traffic.poolStatusWrites(),
        traffic.ledgerWrites(), traffic.largestLedgerWrite() / 1024.0);
    System.out.println("TaskJob status writes per minute of the run (all jobs): " + traffic.statusWritesPerMinute());

    System.out.printf(Locale.ROOT, "%n%-9s %-9s %9s %9s %10s %10s %10s %10s %8s %8s %10s %9s%n", "job", "phase",
        "finished", "apply->", "apply->", "last task", "makespan", "ideal", "effic.", "status", "writes/", "ledger");
    System.out.printf(Locale.ROOT, "%-9s %-9s %9s %9s %10s %10s %10s %10s %8s %8s %10s %9s%n", "", "", "",
        "Loading", "Running", "->Succ.", "actual", "", "", "writes", "min", "KiB");
    List<Double> loadingLatencies = new ArrayList<>();
    List<Double> finishLatencies = new ArrayList<>();
    List<Double> efficiencies = new ArrayList<>();
    for (JobResult r : results) {
      long done = orZero(r.status().getSucceeded()) + orZero(r.status().getFailed());
      Double toLoading = between(r.applied(), r.loading());
      Double toRunning = between(r.applied(), r.running());
      Double lastToFinished = r.finished() == null ? null : between(r.lastTaskFinished(), r.finished());
      Double makespan = between(r.applied(), r.lastTaskFinished());
      double ideal = done * r.meanTaskSeconds() / ((double) options.slots() * options.instances());
      Double efficiency = makespan == null || makespan <= 0 || Double.isNaN(ideal) ? null : ideal / makespan;
      Instant writesEnd = r.finished() != null ? r.finished() : ended;
      Double activeMinutes = between(r.applied(), writesEnd);
      Double writesPerMinute = activeMinutes == null || activeMinutes <= 0 ? null : r.statusWrites() / (activeMinutes / 60);
      add(loadingLatencies, toLoading);
      add(finishLatencies, lastToFinished);
      add(efficiencies, efficiency);
      System.out.printf(Locale.ROOT, "%-9s %-9s %9d %9s %10s %10s %10s %10s %8s %8d %10s %9.1f%n", r.name(),
          r.status().getPhase() == null ? "-" : r.status().getPhase().displayName(), done, fmt(toLoading, "%.2f s"),
          fmt(toRunning, "%.1f s"), fmt(lastToFinished, "%.2f s"), fmt(makespan, "%.1f s"), fmt(ideal, "%.1f s"),
          fmt(efficiency, "%.3f"), r.statusWrites(), fmt(writesPerMinute, "%.1f"), r.ledgerBytes() / 1024.0);
    }
    System.out.printf(Locale.ROOT, "%napply->Loading: %s; last task->Succeeded: %s; makespan efficiency: %s%n",
        stats(loadingLatencies, "%.2f s"), stats(finishLatencies, "%.2f s"), stats(efficiencies, "%.3f"));
    System.out.printf(Locale.ROOT, "ideal makespan = tasks x mean task time (ledger) / (slots x instances per job); "
        + "actual = apply to the job's last task end%n");
    worstCaseLedger(options.tasks());
  }

  /**
   * The ledger ConfigMap's size for this job size in the worst case for compression: a random half of
   * the tasks finished, a tenth failed with 200-character reasons (up to the failed-list cap), and a
   * full replay window. Measured by encoding such a ledger, not estimated.
   */
  private static void worstCaseLedger(int tasks) {
    Ledger ledger = new Ledger(tasks);
    Random random = new Random(42);
    String reason = "x".repeat(Ledger.MAX_REASON_LENGTH - 40);
    long at = 0;
    for (int i = 0; i < tasks; i++) {
      if (random.nextBoolean()) {
        boolean failed = random.nextInt(5) == 0;
        dev.taskjob.core.event.TaskEvent.Builder event = dev.taskjob.core.event.TaskEvent.builder(
                failed ? EventType.TASK_FAILED : EventType.TASK_COMPLETED)
            .timestamp(Instant.ofEpochMilli(1_700_000_000_000L + at++)).job("default/worst").instanceId("vm-1")
            .taskId(String.format(Locale.ROOT, "t-%07d", i + 1)).taskIndex(i).attempt(1).finalAttempt(true)
            .exitCode(failed ? 1 : 0).elapsedTime(random.nextDouble() * 10);
        if (failed) {
          event.result(reason);
        }
        ledger.apply(event.build());
      }
      if (i % 2_000 == 1_999) {
        ledger.checkpoint();
      }
    }
    Map<String, String> binary = new HashMap<>();
    LedgerCodec.encodeBinary(ledger).forEach((k, v) -> binary.put(k, Base64.getEncoder().encodeToString(v)));
    ConfigMap map = new ConfigMapBuilder().withNewMetadata().withName("worst-ledger").withNamespace(NAMESPACE)
        .endMetadata().withBinaryData(binary).addToData(LedgerCodec.SUMMARY_KEY, LedgerCodec.summary(ledger)).build();
    long bytes = Serialization.asJson(map).getBytes(StandardCharsets.UTF_8).length;
    System.out.printf(Locale.ROOT, "worst-case ledger ConfigMap for %,d tasks (random half finished, a fifth of "
        + "those failed): %.1f KiB serialized (limit 1024 KiB)%n", tasks, bytes / 1024.0);
  }

  private static String stats(List<Double> values, String format) {
    if (values.isEmpty()) {
      return "-";
    }
    List<Double> sorted = values.stream().sorted().toList();
    return String.format(Locale.ROOT, "median " + format + ", min " + format + ", max " + format,
        sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1));
  }

  private static void add(List<Double> list, Double value) {
    if (value != null && !value.isNaN()) {
      list.add(value);
    }
  }

  private static Double between(Instant from, Instant to) {
    return from == null || to == null ? null : Duration.between(from, to).toNanos() / 1e9;
  }

  private static String fmt(Double value, String format) {
    return value == null || value.isNaN() ? "-" : String.format(Locale.ROOT, format, value);
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }

  /** Removes a previous run's directory (only the benchmark's own root). */
  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
