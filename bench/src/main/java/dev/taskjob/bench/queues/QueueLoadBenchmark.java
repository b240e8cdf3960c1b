package dev.taskjob.bench.queues;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.provider.aws.SqsTaskQueue;
import dev.taskjob.provider.gcp.PubSubTaskQueue;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The queue loading benchmark (docs/benchmarks.md, "Queues and loading").
 *
 * <ul>
 *   <li>SQS: ElasticMQ runs in this JVM; {@code taskjob load-queue} (in a child JVM, see
 *       {@link LoaderProcess}) and {@code bench/queues/sqs_loader.py} (boto3, SendMessageBatch,
 *       16 threads) load the same JSON Lines file in alternating rounds, each into a fresh queue,
 *       and the queue's message count is checked after each run.
 *   <li>Pub/Sub: the emulator ({@code gcloud beta emulators pubsub start}); the same Java loader
 *       against {@code bench/queues/pubsub_loader.py} (REST publish, 1,000 per request, 16 threads);
 *       every run is checked by pulling all messages back and counting distinct task ids.
 *   <li>Local: {@code load-queue --generate} of a million tasks into the local queue in a JVM
 *       limited to a 64 MiB heap, against writing the same messages to one file (the disk's pace).
 * </ul>
 *
 * <p>Each loader is timed twice: its own figure (the Java loader from the command's start to its end, in
 * its JVM; the Python peer from before its imports to the end) and the whole command, from launch to
 * exit as seen from here. With {@code --before-classpath FILE} (a class path in a file, as
 * {@code bench/target/bench-classpath.txt}) an older build's loader runs in the same rounds, so a change
 * is measured side by side with the build before it.
 *
 * <p>Usage: {@code QueueLoadBenchmark [--tasks N] [--rounds R] [--local-tasks N] [--only sqs,pubsub,local]
 * [--before-classpath FILE]}.
 */
public final class QueueLoadBenchmark {

  private static final Path SCRIPTS = Path.of("bench", "queues");
  /**
   * JVM options for the loader process, as a short-lived command should run: C1 only (a load is over
   * before C2 pays off) and the serial collector (no GC threads competing with the senders).
   */
  static final List<String> CLI_JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
  /** Per loader, its results in round order. */
  private final Map<String, List<Result>> results = new java.util.LinkedHashMap<>();
  private String beforeClasspath;

  private final int tasks;
  private final int rounds;
  private final int localTasks;
  private final Path work;
  private final Path taskFile;

  private QueueLoadBenchmark(int tasks, int rounds, int localTasks) throws IOException {
    this.tasks = tasks;
    this.rounds = rounds;
    this.localTasks = localTasks;
    this.work = Files.createTempDirectory("taskjob-queue-bench");
    this.taskFile = work.resolve("tasks.jsonl");
  }

  public static void main(String[] args) throws Exception {
    int tasks = 100_000;
    int rounds = 3;
    int localTasks = 1_000_000;
    String beforeClasspath = null;
    Set<String> only = new HashSet<>(List.of("sqs", "pubsub", "local"));
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--tasks" -> tasks = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--local-tasks" -> localTasks = Integer.parseInt(args[++i]);
        case "--only" -> only = new HashSet<>(Arrays.asList(args[++i].split(",")));
        case "--before-classpath" -> beforeClasspath = Files.readString(Path.of(args[++i])).trim();
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    QueueLoadBenchmark bench = new QueueLoadBenchmark(tasks, rounds, localTasks);
    bench.beforeClasspath = beforeClasspath;
    bench.writeTaskFile();
    System.out.printf(Locale.ROOT, "machine: %d cores, %s, Java %s, load average %.1f; Java loader JVM options %s%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("java.version"),
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), CLI_JVM_OPTIONS);
    System.out.println("java loader class path: " + cliClasspath() + " " + archiveOptions(cliClasspath()));
    if (beforeClasspath != null) {
      System.out.println("before loader class path: " + beforeClasspath.split(File.pathSeparator, 2)[0] + ":... "
          + archiveOptions(beforeClasspath));
    }
    if (only.contains("sqs")) {
      bench.sqs();
    }
    if (only.contains("pubsub")) {
      bench.pubsub();
    }
    if (only.contains("local")) {
      bench.local();
    }
  }

  /** Tasks as a user would write them: an id and a small data object. */
  private void writeTaskFile() throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(taskFile, StandardCharsets.UTF_8)) {
      for (int i = 1; i <= tasks; i++) {
        out.write(String.format(Locale.ROOT,
            "{\"id\":\"task-%06d\",\"data\":{\"a\":%d,\"b\":%d,\"output\":\"gs://bucket/out/%06d.txt\"}}%n", i, i, i * 7, i));
      }
    }
  }

  // ---- SQS on ElasticMQ ----

  private void sqs() throws Exception {
    int port = freePort();
    SQSRestServer server = SQSRestServerBuilder.withInterface("127.0.0.1").withPort(port)
        .withServerAddress(new NodeAddress("http", "127.0.0.1", port, "")).start();
    server.waitUntilStarted();
    String endpoint = "http://127.0.0.1:" + port;
    ProviderConfig config = new ProviderConfig("aws", "us-east-1", null, Map.of(ProviderConfig.Keys.AWS_ENDPOINT, endpoint,
        "credentials.aws_access_key_id", "bench", "credentials.aws_secret_access_key", "bench"));
    System.out.printf(Locale.ROOT, "%nSQS (ElasticMQ 1.6.16 in-process), %,d tasks%n", tasks);
    try (SqsClient sqs = SqsTaskQueue.client(config)) {
      for (int round = 1; round <= rounds; round++) {
        for (String loader : loadersInRound(round)) {
          String name = "bench-" + loader + "-" + round;
          SqsTaskQueue queue = new SqsTaskQueue(sqs, new QueueSettings(name, Duration.ofMinutes(10), 3));
          queue.ensure();
          Result r;
          if (!loader.equals("python")) {
            r = runJava(classpath(loader), List.of("-Xmx256m"), "load-queue", "--provider", "aws", "--region", "us-east-1", "--endpoint", endpoint,
                "--queue", name, "--task-file", taskFile.toString(), "--no-progress");
          } else {
            String url = sqs.getQueueUrl(b -> b.queueName(name + "-tasks")).queueUrl();
            r = runPython("sqs_loader.py", "--endpoint", endpoint, "--queue-url", url, "--task-file", taskFile.toString());
          }
          long count = Long.parseLong(sqs.getQueueAttributes(b -> b.queueUrl(sqs.getQueueUrl(q -> q.queueName(name + "-tasks")).queueUrl())
              .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
              .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
          print(loader, round, r, count);
          record(loader, r);
          queue.delete();
        }
      }
    } finally {
      server.stopAndWait();
    }
    summary();
  }

  /** The Java loader of this build, the build before (with --before-classpath), then the Python peer. */
  private List<String> loaders() {
    return beforeClasspath == null ? List.of("java", "python") : List.of("java", "before", "python");
  }

  /** The loaders in the order they run in {@code round}: rotated, so no loader always meets a cold server first. */
  private List<String> loadersInRound(int round) {
    List<String> order = new ArrayList<>(loaders());
    java.util.Collections.rotate(order, -(round - 1));
    return order;
  }

  private String classpath(String loader) {
    return loader.equals("before") ? beforeClasspath : cliClasspath();
  }

  /**
   * This build's loader as the README's {@code taskjob} alias runs it: the CLI's shaded jar (one logback.xml, one
   * copy of each library) with {@link LoaderProcess} appended from the bench jar, so the CLI's class-data archive
   * applies (an archive accepts entries appended to the class path it was made with). Falls back to the bench's
   * own class path when either jar is missing.
   */
  private static String cliClasspath() {
    Path cli = Path.of("operator", "target", "taskjob.jar");
    Path benchJar = null;
    try (var jars = Files.list(Path.of("bench", "target"))) {
      benchJar = jars.filter(p -> p.getFileName().toString().matches("taskjob-bench-.*\\.jar")).findFirst().orElse(null);
    } catch (IOException e) {
      // no bench jar: use the class path below
    }
    if (!Files.isRegularFile(cli) || benchJar == null) {
      return System.getProperty("java.class.path");
    }
    return cli.toAbsolutePath() + File.pathSeparator + benchJar.toAbsolutePath();
  }

  /**
   * The archive flags of the README's alias when the class path starts with a {@code taskjob.jar} that has its
   * {@code taskjob.jsa} next to it (made by the operator module's {@code package} for that jar at that path).
   */
  static List<String> archiveOptions(String classpath) {
    Path first = Path.of(classpath.split(File.pathSeparator, 2)[0]);
    Path archive = first.resolveSibling("taskjob.jsa");
    if (!first.getFileName().toString().equals("taskjob.jar") || !Files.isRegularFile(archive)) {
      return List.of();
    }
    return List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
  }

  private void record(String loader, Result r) {
    results.computeIfAbsent(loader, k -> new ArrayList<>()).add(r);
  }

  /** Per round, each Java loader against the peer (and this build against the one before): rates and whole commands. */
  private void summary() {
    List<Result> peer = results.get("python");
    for (String loader : loaders()) {
      if (loader.equals("python")) {
        continue;
      }
      List<Result> mine = results.get(loader);
      printRatios(loader + "/python rate", mine, peer, Result::rate);
      printRatios(loader + "/python whole command", mine, peer, Result::wholeRate);
    }
    if (results.containsKey("before")) {
      printRatios("java/before rate", results.get("java"), results.get("before"), Result::rate);
      printRatios("java/before whole command", results.get("java"), results.get("before"), Result::wholeRate);
    }
    results.clear();
  }

  private static void printRatios(String what, List<Result> a, List<Result> b, java.util.function.ToDoubleFunction<Result> rate) {
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      ratios.add(rate.applyAsDouble(a.get(i)) / rate.applyAsDouble(b.get(i)));
    }
    List<Double> sorted = ratios.stream().sorted().toList();
    System.out.printf(Locale.ROOT, "  %-32s per round: %s; median %.2f%n", what,
        ratios.stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList(), sorted.get(sorted.size() / 2));
  }

  // ---- Pub/Sub emulator ----

  private void pubsub() throws Exception {
    int port = freePort();
    String hostPort = "127.0.0.1:" + port;
    Process emulator = new ProcessBuilder("gcloud", "beta", "emulators", "pubsub", "start", "--host-port=" + hostPort,
        "--project=bench", "--quiet").redirectErrorStream(true).redirectOutput(work.resolve("emulator.log").toFile()).start();
    try {
      awaitPort(port, Duration.ofSeconds(90));
      Thread.sleep(2000);
      ProviderConfig config = new ProviderConfig("gcp", null, null, Map.of(ProviderConfig.Keys.PROJECT, "bench",
          ProviderConfig.Keys.PUBSUB_ENDPOINT, hostPort));
      System.out.printf(Locale.ROOT, "%nPub/Sub emulator, %,d tasks%n", tasks);
      for (int round = 1; round <= rounds; round++) {
        for (String loader : loadersInRound(round)) {
          String name = "bench-" + loader + "-" + round;
          try (PubSubTaskQueue queue = PubSubTaskQueue.create(config, new QueueSettings(name, Duration.ofMinutes(10), 5))) {
            queue.ensure();
            Result r;
            if (!loader.equals("python")) {
              r = runJava(classpath(loader), List.of("-Xmx256m"), "load-queue", "--provider", "gcp", "--project", "bench", "--endpoint", hostPort,
                  "--queue", name, "--task-file", taskFile.toString(), "--no-progress");
            } else {
              r = runPython("pubsub_loader.py", "--host-port", hostPort, "--topic", "projects/bench/topics/" + name + "-tasks",
                  "--task-file", taskFile.toString());
            }
            print(loader, round, r, distinctTasks(queue));
            record(loader, r);
            queue.delete();
          }
        }
      }
      summary();
    } finally {
      emulator.descendants().forEach(ProcessHandle::destroy);
      emulator.destroy();
      emulator.waitFor(10, TimeUnit.SECONDS);
      emulator.descendants().forEach(ProcessHandle::destroyForcibly);
    }
  }

  /** Pulls everything back and counts distinct task ids: proof that every task arrived. */
  private static long distinctTasks(PubSubTaskQueue queue) {
    Set<String> ids = new HashSet<>();
    int empty = 0;
    for (int round = 0; round < 10_000 && empty < 3; round++) {
      List<LeasedTask> got = queue.receive(1000, Duration.ofSeconds(1));
      if (got.isEmpty()) {
        empty++;
      }
      got.forEach(t -> ids.add(t.task().id()));
      got.forEach(queue::ack);
    }
    return ids.size();
  }

  // ---- local queue ----

  private void local() throws Exception {
    Path root = work.resolve("local-root");
    System.out.printf(Locale.ROOT, "%nLocal queue, %,d generated tasks, loader JVM with -Xmx64m%n", localTasks);
    for (int round = 1; round <= rounds; round++) {
      Result r = runJava(System.getProperty("java.class.path"), List.of("-Xmx64m"), "load-queue", "--provider", "local", "--local-root", root.toString(),
          "--queue", "bench-local-" + round, "--generate", Integer.toString(localTasks), "--no-progress");
      long files;
      try (var list = Files.list(root.resolve("queues").resolve("bench-local-" + round).resolve("tasks").resolve("pending"))) {
        files = list.count();
      }
      long queued = countLocal(root.resolve("queues").resolve("bench-local-" + round).resolve("tasks").resolve("pending"));
      print("java", round, r, queued);
      System.out.printf(Locale.ROOT, "    segment files: %,d; peak heap used per tenth of the run (MiB): %s%n", files, r.heapProfile);
      Path floorFile = work.resolve("floor.jsonl");
      long start = System.nanoTime();
      try (BufferedWriter out = Files.newBufferedWriter(floorFile, StandardCharsets.UTF_8)) {
        var generator = dev.taskjob.core.task.TaskGenerator.ofCount(localTasks);
        for (long i = 0; i < localTasks; i++) {
          out.write(dev.taskjob.core.Json.taskToJson(generator.task(i)));
          out.write('\n');
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(Locale.ROOT, "  floor  round %d: %,10.0f tasks/s  (same messages written to one file in this JVM)%n",
          round, localTasks / seconds);
      Files.delete(floorFile);
      deleteTree(root.resolve("queues").resolve("bench-local-" + round));
    }
  }

  private static long countLocal(Path pending) throws IOException {
    long total = 0;
    try (var list = Files.list(pending)) {
      for (Path p : (Iterable<Path>) list::iterator) {
        String[] parts = p.getFileName().toString().split("~");
        total += Long.parseLong(parts[1]);
      }
    }
    return total;
  }

  // ---- running loaders ----

  /**
   * One loader run: its own time ({@code seconds}), launch to exit ({@code wholeSeconds}), tasks sent and memory.
   */
  private record Result(double seconds, double wholeSeconds, long sent, long peakHeapBytes, long peakRssKib, String heapProfile) {
    double rate() {
      return sent / seconds;
    }

    double wholeRate() {
      return sent / wholeSeconds;
    }
  }

  /** A finished process: its output and its time from launch to exit. */
  private record Run(List<String> lines, double wholeSeconds) {}

  private Result runJava(String classpath, List<String> jvmOptions, String... cliArgs) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(CLI_JVM_OPTIONS);
    command.addAll(archiveOptions(classpath));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classpath, LoaderProcess.class.getName()));
    command.addAll(List.of(cliArgs));
    Run run = run(command);
    List<String> out = run.lines();
    String[] result = line(out, "RESULT").split(" ");
    if (!result[1].equals("0")) {
      throw new IllegalStateException("java loader failed: " + out);
    }
    long sent = cliArgs[Arrays.asList(cliArgs).indexOf("--provider") + 1].equals("local") ? localTasks : tasks;
    return new Result(Double.parseDouble(result[2]), run.wholeSeconds(), sent, Long.parseLong(result[3]), Long.parseLong(result[4]),
        line(out, "HEAP").substring(5));
  }

  private Result runPython(String script, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("python3", SCRIPTS.resolve(script).toString()));
    command.addAll(List.of(args));
    Run run = run(command);
    String[] result = line(run.lines(), "RESULT").split(" ");
    return new Result(Double.parseDouble(result[2]), run.wholeSeconds(), Long.parseLong(result[1]), -1, Long.parseLong(result[3]), "");
  }

  private Run run(List<String> command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    // Any credentials satisfy ElasticMQ; the loaders read them from the environment as they would in real use.
    builder.environment().put("AWS_ACCESS_KEY_ID", "bench");
    builder.environment().put("AWS_SECRET_ACCESS_KEY", "bench");
    long launched = System.nanoTime();
    Process p = builder.start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      r.lines().forEach(lines::add);
    }
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + String.join("\n", lines));
    }
    return new Run(lines, (System.nanoTime() - launched) / 1e9);
  }

  private static String line(List<String> lines, String prefix) {
    return lines.stream().filter(l -> l.startsWith(prefix + " ")).findFirst()
        .orElseThrow(() -> new IllegalStateException("no " + prefix + " line in:\n" + String.join("\n", lines)));
  }

  private static void print(String loader, int round, Result r, long inQueue) {
    System.out.printf(Locale.ROOT,
        "  %-6s round %d: %,10.0f tasks/s  %6.2f s  whole command %6.2f s  peak heap %s  peak RSS %,d MiB  in queue: %,d%n",
        loader, round, r.sent() / r.seconds(), r.seconds(), r.wholeSeconds(),
        r.peakHeapBytes() < 0 ? "   n/a " : String.format(Locale.ROOT, "%3d MiB", r.peakHeapBytes() / (1024 * 1024)),
        r.peakRssKib() / 1024, inQueue);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void awaitPort(int port, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException("nothing listens on port " + port);
  }

  private static void deleteTree(Path root) throws IOException {
    try (var walk = Files.walk(root)) {
      walk.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }
}
