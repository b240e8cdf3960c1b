package dev.taskjob.operator.reliability;

import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.reconciler.job.LedgerStore;
import dev.taskjob.operator.reconciler.OperatorHarness;
import dev.taskjob.provider.local.LocalCloudProvider;
import dev.taskjob.crds.v1alpha1.shared.EnvVar;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.operator.reconciler.TaskJobs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a fault run checks once its job has finished: the ledger's counts (no task lost, each terminal
 * once), and what is left behind (worker processes of this JVM, local instances still running).
 */
public final class FaultRun {

  private FaultRun() {}

  /**
   * A local worker must report within this time of its creation. A local instance is a JVM with the whole test
   * class path; on a loaded machine its start alone can take over a minute, and the quick settings' minute
   * then made the pool give up ("workers never started") on workers that were merely slow.
   */
  public static final Duration WORKER_STARTUP_TIMEOUT = Duration.ofMinutes(4);

  /** Test settings with the local provider rooted at {@code root}. */
  public static OperatorSettings settings(String clusterId, Path root) {
    OperatorSettings fast = OperatorSettings.defaults(clusterId).fast();
    return fast.withWorkerTimeouts(WORKER_STARTUP_TIMEOUT, fast.workerHeartbeatTimeout())
        .withProviderProperties(Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString()));
  }

  /** The job's ledger as the operator saved it. */
  public static Ledger ledger(OperatorHarness harness, String jobName) {
    TaskJob job = harness.job(jobName);
    return new LedgerStore(harness.client).load(job).orElseThrow(
        () -> new AssertionError("no ledger for " + jobName)).ledger();
  }

  /** Worker processes (local instances: Java processes started by this JVM) that still run. */
  static List<ProcessHandle> liveWorkers() {
    return ProcessHandle.current().descendants()
        .filter(ProcessHandle::isAlive)
        // the test JVM starts no other Java processes; /proc's command line is cut short for long class paths
        .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
        .toList();
  }

  /** Local instances under {@code root} that are not terminated. */
  static List<Instance> liveInstances(Path root) {
    LocalCloudProvider cloud = new LocalCloudProvider(
        new ProviderConfig("local", null, List.of(), Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString())));
    return cloud.list(Map.of()).stream().filter(i -> i.state() != InstanceState.TERMINATED).toList();
  }

  /** Every instance ever created under {@code root}. */
  static List<Instance> allInstances(Path root) {
    LocalCloudProvider cloud = new LocalCloudProvider(
        new ProviderConfig("local", null, List.of(), Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString())));
    return cloud.list(Map.of());
  }

  /**
   * A local job whose tasks sleep {@code seconds} and append "id attempt" to {@code attemptsLog}, so a test
   * sees which tasks ran more than once (came back after a lost lease).
   */
  public static TaskJob sleepingJob(String name, String seconds, Path attemptsLog) {
    return sleepingJob(name, "", seconds, attemptsLog);
  }

  /**
   * {@link #sleepingJob} whose tasks first wait until {@code gate} exists, so a test decides when work
   * starts (for example once every worker is up) whatever the machine's speed. The wait counts towards
   * the max runtime, so it is raised to 5 minutes.
   */
  public static TaskJob gatedSleepingJob(String name, String seconds, Path attemptsLog, Path gate) {
    TaskJob job = sleepingJob(name, "while [ ! -e '" + gate + "' ]; do sleep 0.05; done; ", seconds, attemptsLog);
    job.getSpec().getWorker().setMaxRuntime("5m");
    return job;
  }

  private static TaskJob sleepingJob(String name, String before, String seconds, Path attemptsLog) {
    TaskJob job = TaskJobs.fromConfigMap(name, "tasks", "tasks.json", List.of("sh", "-c",
        before + "echo \"$TASK_ID $TASK_ATTEMPT\" >> \"$ATTEMPTS_LOG\"; sleep " + seconds));
    job.getSpec().getWorker().setEnv(new ArrayList<>(List.of(new EnvVar("ATTEMPTS_LOG", attemptsLog.toString()))));
    job.getSpec().getWorker().setSimultaneousTasks(4);
    job.getSpec().getWorker().setCpusPerTask(0.25);
    // the lease follows the max runtime (at least 30s): a killed worker's tasks return after about 35s
    job.getSpec().getWorker().setMaxRuntime("20s");
    job.getSpec().setTerminationDelay("2s");
    return job;
  }

  /** How many times each task id started, from the attempts log. */
  public static Map<String, Integer> runs(Path attemptsLog) {
    Map<String, Integer> runs = new HashMap<>();
    try {
      for (String line : Files.readAllLines(attemptsLog)) {
        String[] parts = line.trim().split(" ");
        if (parts.length == 2) {
          runs.merge(parts[0], 1, Integer::sum);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return runs;
  }

  /** Highest attempt each task id started with, from the attempts log. */
  public static Map<String, Integer> attempts(Path attemptsLog) {
    Map<String, Integer> highest = new HashMap<>();
    try {
      for (String line : Files.readAllLines(attemptsLog)) {
        String[] parts = line.trim().split(" ");
        if (parts.length == 2) {
          highest.merge(parts[0], Integer.parseInt(parts[1]), Math::max);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return highest;
  }

  /** A size or count for a fault test: the quick default, or the long run's system property. */
  static int size(String property, int quick) {
    return Integer.getInteger("taskjob.reliability." + property, quick);
  }

  /** How long a job of {@code tasks} tasks may take under faults (generous: the machine is shared). */
  public static Duration jobTimeout(int tasks) {
    return Duration.ofMinutes(3).plusMillis(100L * tasks);
  }

  /**
   * Appends one row of the results table (docs/reliability.md) to target/reliability-results.md:
   * scenario, faults injected, tasks, lost, duplicated (reported twice), leaked instances.
   */
  static void record(String scenario, int faults, long tasks, long lost, long duplicated, long leaked) {
    String row = String.format("| %s | %d | %d | %d | %d | %d |%n", scenario, faults, tasks, lost, duplicated, leaked);
    try {
      Files.writeString(Path.of("target", "reliability-results.md"), row, StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
