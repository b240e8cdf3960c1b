package dev.taskjob.bench.worker;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.worker.WorkerMain;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;

/**
 * How long a worker takes to exit after SIGTERM while it waits on an empty queue (the common case when
 * a VM is scaled in): a worker JVM per round and queue, started with the image's JVM flags, signalled
 * once it has sent {@code worker_started} and is inside its long poll; the time is from the signal to
 * the process's exit. Queues: the local directory queue, SQS (ElasticMQ in this JVM) and the Pub/Sub
 * emulator ({@code gcloud beta emulators pubsub start}); rounds interleave the queues.
 *
 * <pre>bench/worker/stop.sh [--rounds 5] [--queues local,sqs,pubsub]</pre>
 */
public final class WorkerStopBenchmark {

  private static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m");
  /** Time in the long poll before the signal; the worker's poll waits 5 s. */
  private static final Duration IN_POLL = Duration.ofSeconds(1);

  private final Path work;
  private final int rounds;
  private final Map<String, List<Double>> seconds = new LinkedHashMap<>();
  /** Per provider and round: signal to handler, handler to summary, summary to exit (s), from the worker's log. */
  private final Map<String, List<double[]>> splits = new LinkedHashMap<>();

  private WorkerStopBenchmark(Path work, int rounds) {
    this.work = work;
    this.rounds = rounds;
  }

  public static void main(String[] args) throws Exception {
    int rounds = 5;
    List<String> queues = List.of("local", "sqs", "pubsub");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--queues" -> queues = Arrays.asList(args[++i].split(","));
        default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--rounds N, --queues local,sqs,pubsub)");
      }
    }
    Path work = Files.createTempDirectory("taskjob-stop-bench");
    new WorkerStopBenchmark(work, rounds).run(queues);
  }

  private void run(List<String> queues) throws Exception {
    List<Target> targets = new ArrayList<>();
    SQSRestServer sqs = null;
    Process emulator = null;
    try {
      for (String q : queues) {
        switch (q) {
          case "local" -> targets.add(new Target("local", new ProviderConfig("local", null, null,
              Map.of(ProviderConfig.Keys.LOCAL_ROOT, work.resolve("local").toString())),
              List.of("--local-root", work.resolve("local").toString())));
          case "sqs" -> {
            int port = freePort();
            sqs = SQSRestServerBuilder.withInterface("127.0.0.1").withPort(port)
                .withServerAddress(new NodeAddress("http", "127.0.0.1", port, "")).start();
            sqs.waitUntilStarted();
            String endpoint = "http://127.0.0.1:" + port;
            targets.add(new Target("aws", new ProviderConfig("aws", "us-east-1", null, Map.of(
                ProviderConfig.Keys.AWS_ENDPOINT, endpoint, "credentials.aws_access_key_id", "bench",
                "credentials.aws_secret_access_key", "bench")),
                List.of("--region", "us-east-1", "--aws-endpoint-url", endpoint)));
          }
          case "pubsub" -> {
            int port = freePort();
            String hostPort = "127.0.0.1:" + port;
            emulator = new ProcessBuilder("gcloud", "beta", "emulators", "pubsub", "start", "--host-port=" + hostPort,
                "--project=bench", "--quiet").redirectErrorStream(true)
                .redirectOutput(work.resolve("emulator.log").toFile()).start();
            awaitPort(port, Duration.ofSeconds(90));
            targets.add(new Target("gcp", new ProviderConfig("gcp", null, null, Map.of(ProviderConfig.Keys.PROJECT,
                "bench", ProviderConfig.Keys.PUBSUB_ENDPOINT, hostPort)),
                List.of("--project", "bench", "--pubsub-emulator-host", hostPort)));
          }
          default -> throw new IllegalArgumentException("unknown queue " + q);
        }
      }
      for (Target t : targets) {
        try (TaskQueue queue = Providers.get(t.provider()).queue(t.config(), settings(t))) {
          queue.ensure();
        }
      }
      for (int round = 1; round <= rounds; round++) {
        for (Target t : targets) {
          double s = stopOnce(t, round);
          seconds.computeIfAbsent(t.provider(), k -> new ArrayList<>()).add(s);
          System.err.printf(Locale.ROOT, "%s round %d: %.3f s%n", t.provider(), round, s);
        }
      }
    } finally {
      if (sqs != null) {
        sqs.stopAndWait();
      }
      if (emulator != null) {
        emulator.descendants().forEach(ProcessHandle::destroy);
        emulator.destroy();
        emulator.waitFor(10, TimeUnit.SECONDS);
        emulator.descendants().forEach(ProcessHandle::destroyForcibly);
      }
    }
    System.out.println("| queue | exit after SIGTERM, s (rounds) | median | signal to handler | handler to summary | summary to exit |");
    System.out.println("|---|---|---:|---:|---:|---:|");
    seconds.forEach((provider, list) -> {
      List<double[]> parts = splits.getOrDefault(provider, List.of());
      System.out.printf(Locale.ROOT, "| %s | %s | %.3f | %s | %s | %s |%n", provider,
          String.join(", ", list.stream().map(x -> String.format(Locale.ROOT, "%.3f", x)).toList()),
          median(list), medianOf(parts, 0), medianOf(parts, 1), medianOf(parts, 2));
    });
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  private static String medianOf(List<double[]> parts, int index) {
    return parts.isEmpty() ? "" : String.format(Locale.ROOT, "%.3f", median(parts.stream().map(p -> p[index]).toList()));
  }

  private static QueueSettings settings(Target t) {
    return new QueueSettings("stop-bench-" + t.provider(), Duration.ofMinutes(10), 3);
  }

  /** Seconds from SIGTERM to the worker's exit. */
  private double stopOnce(Target t, int round) throws Exception {
    Path dir = work.resolve(t.provider() + "-" + round);
    Files.createDirectories(dir);
    Path events = dir.resolve("events.log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_FLAGS);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), WorkerMain.class.getName(),
        "--provider", t.provider(), "--queue-name", settings(t).name(), "--work-dir", dir.resolve("work").toString(),
        "--event-log-file", events.toString(), "--heartbeat-interval", "0", "--preemption-check", "none"));
    command.addAll(t.workerArgs());
    command.addAll(List.of("--", "true"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("worker.log").toFile());
    builder.environment().put("AWS_ACCESS_KEY_ID", "bench");
    builder.environment().put("AWS_SECRET_ACCESS_KEY", "bench");
    Process worker = builder.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!(Files.exists(events) && Files.readString(events).contains("worker_started"))) {
      if (!worker.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("the worker did not start; see " + dir.resolve("worker.log"));
      }
      Thread.sleep(20);
    }
    Thread.sleep(IN_POLL.toMillis());
    long signalledMillis = System.currentTimeMillis();
    long signalled = System.nanoTime();
    worker.destroy();
    worker.onExit().get(120, TimeUnit.SECONDS);
    double s = (System.nanoTime() - signalled) / 1e9;
    if (worker.exitValue() != 143) {
      throw new IllegalStateException("the worker exited " + worker.exitValue() + "; see " + dir.resolve("worker.log"));
    }
    split(t.provider(), Files.readAllLines(dir.resolve("worker.log")), signalledMillis, signalledMillis + (long) (s * 1000));
    return s;
  }

  /**
   * Splits a round by the worker's own log (millisecond timestamps, same clock): signal to the worker's
   * "Received SIG" line, that line to its last line (the run summary), and the last line to the exit.
   */
  private void split(String provider, List<String> log, long signalledMillis, long exitedMillis) {
    long received = -1;
    long last = -1;
    for (String line : log) {
      long at = logMillis(line);
      if (at < 0) {
        continue;
      }
      if (received < 0 && line.contains("Received SIG")) {
        received = at;
      }
      last = at;
    }
    if (received < 0 || last < 0) {
      return;
    }
    double[] parts = {(received - signalledMillis) / 1e3, (last - received) / 1e3, (exitedMillis - last) / 1e3};
    splits.computeIfAbsent(provider, k -> new ArrayList<>()).add(parts);
    System.err.printf(Locale.ROOT, "%s: signal to handler %.3f s, handler to summary %.3f s, summary to exit %.3f s%n",
        provider, parts[0], parts[1], parts[2]);
  }

  private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

  /** The epoch milliseconds of a worker log line ("2026-12-02 17:45:19.580 INFO - ..."), or -1. */
  private static long logMillis(String line) {
    if (line.length() < 23) {
      return -1;
    }
    try {
      return LocalDateTime.parse(line.substring(0, 23), LOG_TIME).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      return -1;
    }
  }

  private record Target(String provider, ProviderConfig config, List<String> workerArgs) {}

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
}
