import dev.taskjob.core.Json;
import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The worker benchmark: the taskjob worker next to xargs and GNU parallel on the same task lists, in
 * the same run, rounds interleaved so that load from elsewhere hits every tool alike. Started by
 * bench/worker/run.sh with the worker's jar on the class path (java source-file mode); prints a
 * Markdown report.
 *
 * <ol>
 *   <li>throughput: N tasks of {@code true} at 8 at a time;</li>
 *   <li>latency: M tasks of {@code sleep 0.2} at 100 at a time: makespan against the ideal
 *       M x 0.2 / 100, and the per-task overhead (reported elapsed time minus 0.2 s) from the event log;</li>
 *   <li>the supervisor's peak resident memory during the latency run (100 tasks at once).</li>
 * </ol>
 *
 * Wall time, CPU time (user + system, children included) and peak RSS come from GNU time.
 */
public class WorkerBench {

  record Run(double wall, double cpu, long maxRssKb) {}

  static Path jar;
  /** An earlier build of the worker, run in the same rounds for a before/after comparison (optional). */
  static Path beforeJar;
  static Path work;
  static List<String> jvmFlags = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m");

  public static void main(String[] args) throws Exception {
    int rounds = 3;
    int trueTasks = 10_000;
    int sleepTasks = 2_000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--jar" -> jar = Path.of(args[++i]).toAbsolutePath();
        case "--before-jar" -> beforeJar = Path.of(args[++i]).toAbsolutePath();
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--true-tasks" -> trueTasks = Integer.parseInt(args[++i]);
        case "--sleep-tasks" -> sleepTasks = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (jar == null) {
      throw new IllegalArgumentException("--jar PATH of taskjob-worker-*-all.jar is required");
    }
    work = Files.createTempDirectory("taskjob-worker-bench-");
    Path trueList = taskList("true", trueTasks);
    Path trueIds = idList("true", trueTasks);
    Path sleepList = taskList("sleep", sleepTasks);
    Path sleepIds = idList("sleep", sleepTasks);
    String started = Instant.now().toString();
    String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();

    List<Run> worker = new ArrayList<>();
    List<Run> workerNoGroup = new ArrayList<>();
    List<Run> workerBefore = new ArrayList<>();
    List<Run> xargs = new ArrayList<>();
    List<Run> parallel = new ArrayList<>();
    for (int r = 1; r <= rounds; r++) {
      log("round %d/%d: %d x true at 8", r, rounds, trueTasks);
      worker.add(workerRun("true-" + r, trueList, 8, List.of(), "true"));
      xargs.add(timed(List.of("sh", "-c", "xargs -P 8 -n 1 true < " + trueIds)));
      parallel.add(timed(List.of("sh", "-c", "parallel --will-cite -j 8 true :::: " + trueIds)));
      workerNoGroup.add(workerRun("true-nogroup-" + r, trueList, 8, List.of("--no-process-group"), "true"));
      if (beforeJar != null) {
        workerBefore.add(workerRun(beforeJar, "true-before-" + r, trueList, 8, List.of(), "true"));
      }
    }

    List<Run> sleepWorker = new ArrayList<>();
    List<Run> sleepXargs = new ArrayList<>();
    List<double[]> overheads = new ArrayList<>();
    List<Double> reportedWall = new ArrayList<>();
    for (int r = 1; r <= rounds; r++) {
      log("round %d/%d: %d x sleep 0.2 at 100", r, rounds, sleepTasks);
      String name = "sleep-" + r;
      sleepWorker.add(workerRun(name, sleepList, 100, List.of(), "sleep", "0.2"));
      overheads.add(overheads(work.resolve(name).resolve("events.log"), 0.2));
      reportedWall.add(reportedWall(work.resolve(name + ".log")));
      sleepXargs.add(timed(List.of("sh", "-c", "xargs -P 100 -I{} sleep 0.2 < " + sleepIds)));
    }
    String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();

    double ideal = sleepTasks * 0.2 / 100;
    Run w = median(worker);
    Run wng = median(workerNoGroup);
    Run x = median(xargs);
    Run p = median(parallel);
    Run sw = median(sleepWorker);
    Run sx = median(sleepXargs);
    double[] allOverheads = overheads.stream().flatMapToDouble(Arrays::stream).sorted().toArray();
    double reported = median(reportedWall.stream().mapToDouble(Double::doubleValue).toArray());

    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Run %s on %d vCPUs (load average before: %s; after: %s), %d rounds, "
        + "medians shown.%n%n", started, Runtime.getRuntime().availableProcessors(), loadBefore, loadAfter, rounds));
    out.append(String.format(Locale.ROOT, "**%,d tasks of `true`, 8 at a time**%n%n", trueTasks));
    out.append("| runner | wall (s) | tasks/s | CPU (s, incl. tasks) | rate vs xargs | rate vs GNU parallel |\n");
    out.append("|---|---:|---:|---:|---:|---:|\n");
    row(out, "taskjob worker (default: each task's processes tagged)", w, trueTasks, x, p);
    row(out, "taskjob worker `--no-process-group`", wng, trueTasks, x, p);
    if (beforeJar != null) {
      row(out, "taskjob worker (default), earlier build " + beforeJar.getFileName(), median(workerBefore), trueTasks, x, p);
    }
    row(out, "`xargs -P 8`", x, trueTasks, x, p);
    row(out, "GNU `parallel -j 8`", p, trueTasks, x, p);
    out.append(String.format(Locale.ROOT, "%n**%,d tasks of `sleep 0.2`, 100 at a time** (ideal makespan %.1f s)%n%n",
        sleepTasks, ideal));
    out.append("| runner | wall (s) | vs ideal | CPU (s) | peak RSS of the runner |\n|---|---:|---:|---:|---:|\n");
    out.append(String.format(Locale.ROOT, "| taskjob worker, whole command (JVM start, reading the list) | %.2f | %+.1f%% | %.1f | %d MiB |%n",
        sw.wall(), 100 * (sw.wall() / ideal - 1), sw.cpu(), sw.maxRssKb() / 1024));
    out.append(String.format(Locale.ROOT, "| taskjob worker, first task start to last task end | %.2f | %+.1f%% | | |%n",
        reported, 100 * (reported / ideal - 1)));
    out.append(String.format(Locale.ROOT, "| `xargs -P 100` | %.2f | %+.1f%% | %.1f | |%n",
        sx.wall(), 100 * (sx.wall() / ideal - 1), sx.cpu()));
    out.append(String.format(Locale.ROOT, "%nPer-task overhead of the worker (reported elapsed time minus 0.2 s, "
        + "over %,d tasks): median %.1f ms, p90 %.1f ms, p99 %.1f ms.%n", allOverheads.length,
        1000 * percentile(allOverheads, 50), 1000 * percentile(allOverheads, 90), 1000 * percentile(allOverheads, 99)));
    System.out.println(out);
    deleteTree(work);
  }

  static void row(StringBuilder out, String name, Run r, int tasks, Run xargs, Run parallel) {
    out.append(String.format(Locale.ROOT, "| %s | %.2f | %,.0f | %.1f | %.2fx | %.2fx |%n", name, r.wall(),
        tasks / r.wall(), r.cpu(), xargs.wall() / r.wall(), parallel.wall() / r.wall()));
  }

  static Run workerRun(String name, Path tasks, int slots, List<String> extra, String... command) throws Exception {
    return workerRun(jar, name, tasks, slots, extra, command);
  }

  static Run workerRun(Path jar, String name, Path tasks, int slots, List<String> extra, String... command)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmFlags);
    cmd.addAll(List.of("-jar", jar.toString(), "--task-file", tasks.toString(), "--num-simultaneous-tasks",
        Integer.toString(slots), "--work-dir", work.resolve(name).toString(), "--heartbeat-interval", "0"));
    cmd.addAll(extra);
    cmd.add("--");
    cmd.addAll(List.of(command));
    Run run = timed(cmd, work.resolve(name + ".log"));
    return run;
  }

  static Run timed(List<String> command) throws Exception {
    return timed(command, Path.of("/dev/null"));
  }

  /** Runs under GNU time; the command's output goes to {@code output}. */
  static Run timed(List<String> command, Path output) throws Exception {
    Path times = Files.createTempFile(work, "time-", ".txt");
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/time", "-o", times.toString(), "-f", "%e %U %S %M"));
    cmd.addAll(command);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("failed (" + (p.isAlive() ? "timeout" : "exit " + p.exitValue()) + "): " + command);
    }
    String[] f = Files.readAllLines(times).get(Files.readAllLines(times).size() - 1).trim().split(" ");
    return new Run(Double.parseDouble(f[0]), Double.parseDouble(f[1]) + Double.parseDouble(f[2]), Long.parseLong(f[3]));
  }

  static Path taskList(String name, int count) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= count; i++) {
      sb.append(String.format("{\"id\": \"%s-%06d\", \"data\": {\"n\": %d}}%n", name, i, i));
    }
    return Files.writeString(work.resolve(name + ".jsonl"), sb);
  }

  static Path idList(String name, int count) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= count; i++) {
      sb.append(String.format("%s-%06d%n", name, i));
    }
    return Files.writeString(work.resolve(name + ".ids"), sb);
  }

  /** elapsed_time - taskSeconds of every task_completed event. */
  static double[] overheads(Path events, double taskSeconds) throws IOException {
    return Files.readAllLines(events).stream().filter(l -> !l.isBlank()).map(Json::eventFromJson)
        .filter(e -> e.eventType() == EventType.TASK_COMPLETED).mapToDouble(TaskEvent::elapsedTime)
        .map(e -> e - taskSeconds).toArray();
  }

  /** The seconds of "Tasks finished: N in S seconds" in the worker's summary. */
  static double reportedWall(Path log) throws IOException {
    for (String line : Files.readAllLines(log)) {
      int at = line.indexOf("Tasks finished: ");
      if (at >= 0) {
        String rest = line.substring(line.indexOf(" in ", at) + 4);
        return Double.parseDouble(rest.substring(0, rest.indexOf(' ')));
      }
    }
    throw new IllegalStateException("no summary in " + log);
  }

  static Run median(List<Run> runs) {
    List<Run> sorted = new ArrayList<>(runs);
    sorted.sort((a, b) -> Double.compare(a.wall(), b.wall()));
    return sorted.get(sorted.size() / 2);
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return percentile(v, 50);
  }

  static double percentile(double[] sorted, double p) {
    double rank = p / 100 * (sorted.length - 1);
    int lo = (int) Math.floor(rank);
    int hi = (int) Math.ceil(rank);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
  }

  static void log(String format, Object... args) {
    System.err.printf("%s %s%n", Instant.now(), String.format(format, args));
  }

  static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
    }
  }
}
