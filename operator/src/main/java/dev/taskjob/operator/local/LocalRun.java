package dev.taskjob.operator.local;

import dev.taskjob.core.cloud.ProviderConfig.Keys;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.TaskjobOperator;
import dev.taskjob.operator.ledger.LedgerCodec;
import dev.taskjob.operator.progress.JobSummary;
import dev.taskjob.operator.progress.PlanLines;
import dev.taskjob.operator.metrics.OperatorMetrics;
import dev.taskjob.operator.report.HtmlReport;
import dev.taskjob.operator.report.JobTimeline;
import dev.taskjob.operator.report.ReportData;
import dev.taskjob.operator.report.ReportReader;
import dev.taskjob.operator.report.TimelineSample;
import dev.taskjob.operator.validation.InformerSettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code taskjob local}: the whole product on one machine. Starts an embedded Kubernetes API, runs
 * the real reconcilers in-process, applies the given manifests, shows progress until every TaskJob
 * has finished, prints a summary per job, and cleans up. The default provider, local, runs instances
 * as worker processes and keeps queues in directories under {@code root}.
 */
public final class LocalRun {

  /** Exit codes: every job succeeded; some job failed; stopped by the user or the timeout. */
  public static final int SUCCEEDED = 0;
  public static final int JOB_FAILED = 1;
  public static final int STOPPED = 130;

  /**
   * @param manifests files or directories of manifests
   * @param root directory for the local provider (queues, instances) and the kubeconfig
   * @param namespace namespace for manifests that name none
   * @param apiPort port of the embedded API (0: any free port)
   * @param timeout stop (as Ctrl-C does) after this long; null for no limit
   * @param pollInterval how often progress is read
   * @param settings operator settings (intervals); the local root is added to its provider properties
   */
  public record Options(List<Path> manifests, Path root, String namespace, int apiPort, Duration timeout,
      Duration pollInterval, OperatorSettings settings) {

    public static Options defaults(List<Path> manifests, Path root) {
      return new Options(manifests, root, "default", 0, null, Duration.ofSeconds(1),
          OperatorSettings.defaults("local").fast());
    }
  }

  /** The mock server logs every request through java.util.logging; a local run shows progress instead. */
  private static final java.util.logging.Logger MOCK_SERVER_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private final Options options;
  private final PrintStream out;
  private final PrintStream err;
  /** Each job's counts as the run saw them, keyed by namespace/name: the time series of its HTML report. */
  private final Map<String, JobTimeline> timelines = new java.util.concurrent.ConcurrentHashMap<>();
  private final AtomicBoolean stopRequested = new AtomicBoolean();
  /** The embedded API's client while a run is going, for {@link #whatMayBeLeftRunning()}. */
  private volatile KubernetesClient activeClient;
  private final CountDownLatch finished = new CountDownLatch(1);

  public LocalRun(Options options, PrintStream out) {
    this(options, out, System.err);
  }

  /** {@code out} gets the progress table and summaries; {@code err} where each job's HTML report was written. */
  public LocalRun(Options options, PrintStream out, PrintStream err) {
    this.options = options;
    this.out = out;
    this.err = err;
  }

  /** Asks a running {@link #run()} to stop: jobs are deleted, instances terminated, queues cleaned as each job says. */
  public void requestStop() {
    stopRequested.set(true);
  }

  /** Waits until {@link #run()} has cleaned up (used by the Ctrl-C hook). */
  public boolean awaitFinished(Duration timeout) throws InterruptedException {
    return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Runs to completion and returns the exit code. Bad manifests throw IllegalArgumentException before anything starts. */
  public int run() throws IOException, InterruptedException {
    Instant started = Instant.now();
    Path root = options.root().toAbsolutePath();
    Files.createDirectories(root);
    Map<String, String> properties = new HashMap<>(options.settings().providerProperties());
    properties.put(Keys.LOCAL_ROOT, root.toString());
    OperatorSettings settings = options.settings().withProviderProperties(properties);
    Manifests.prepareSchemaChecks(options.manifests());
    try (EmbeddedApiServer api = EmbeddedApiServer.startWithTaskJobCrds(options.apiPort())) {
      KubernetesClient client = api.client();
      activeClient = client;
      Manifests manifests = Manifests.read(client, options.manifests());
      List<Manifests.Item> jobItems = manifests.ofKind("TaskJob");
      if (jobItems.isEmpty()) {
        throw new IllegalArgumentException("no TaskJob in " + options.manifests());
      }
      jobItems.forEach(item -> absolutizePaths(item.object(), item.file().toAbsolutePath().getParent()));
      Path kubeconfig = api.writeKubeconfig(root.resolve("kubeconfig"));
      out.printf("Embedded Kubernetes API at %s (local runs only); inspect with:%n  kubectl --kubeconfig %s get taskjobs,instancepools%n",
          api.url(), kubeconfig);
      try (TaskjobOperator operator = new TaskjobOperator(client, settings, Providers.available(),
          OperatorMetrics.inMemory(), InformerSettings::neverExitOnInformerError)) {
        operator.start();
        List<HasMetadata> applied = manifests.apply(client, options.namespace());
        out.printf("Applied %d object(s) from %s%n%n", applied.size(), options.manifests());
        List<TaskJob> jobs = follow(client, jobItems, started);
        out.println();
        boolean allSucceeded = true;
        for (TaskJob job : jobs) {
          out.print(JobSummary.of(client, job));
          allSucceeded &= PlanLines.planned(job)
              || job.getStatus() != null && job.getStatus().getPhase() == TaskJobPhase.SUCCEEDED;
        }
        writeReports(client, jobs, root.resolve("reports"));
        int code;
        if (stopRequested.get()) {
          stopJobs(client, jobItems);
          code = STOPPED;
        } else {
          code = allSucceeded ? SUCCEEDED : JOB_FAILED;
        }
        out.printf(Locale.ROOT, "Wall time: %.1f seconds%n", Duration.between(started, Instant.now()).toMillis() / 1000.0);
        return code;
      }
    } finally {
      activeClient = null;
      killLeftoverProcesses();
      finished.countDown();
    }
  }

  /**
   * What an exit right now could leave behind, one line each: this process's child processes (local
   * instances and their tasks) and the instances the InstancePools still list (VMs, for cloud providers).
   */
  public List<String> whatMayBeLeftRunning() {
    List<String> lines = new ArrayList<>();
    ProcessHandle.current().descendants().forEach(p -> lines.add(describe(p)));
    KubernetesClient client = activeClient;
    if (client != null) {
      try {
        for (InstancePool pool : client.resources(InstancePool.class).inAnyNamespace().list().getItems()) {
          if (pool.getStatus() == null || pool.getStatus().getInstances() == null) {
            continue;
          }
          String provider = pool.getSpec() == null || pool.getSpec().getProvider() == null ? "?"
              : pool.getSpec().getProvider().name().toLowerCase(Locale.ROOT);
          pool.getStatus().getInstances().forEach(i -> lines.add("instance " + i.getId() + " (provider " + provider
              + ", pool " + pool.getMetadata().getNamespace() + "/" + pool.getMetadata().getName()
              + (i.getState() == null ? "" : ", " + i.getState()) + ")"));
        }
      } catch (RuntimeException e) {
        lines.add("(the instance list could not be read: " + e.getMessage() + ")");
      }
    }
    return lines;
  }

  /**
   * Polls the jobs, printing a progress line whenever one changes, until all finish or a stop is requested. A
   * watch on the TaskJobs cuts the wait short when one of them reaches a finished phase, so the run ends as soon
   * as the last job does rather than up to a poll interval later.
   */
  private List<TaskJob> follow(KubernetesClient client, List<Manifests.Item> jobItems, Instant started)
      throws InterruptedException {
    Semaphore finishedSeen = new Semaphore(0);
    Watch watch;
    try {
      watch = client.resources(TaskJob.class).inAnyNamespace().watch(new Watcher<>() {
        @Override
        public void eventReceived(Action action, TaskJob job) {
          if (action == Action.DELETED || isFinished(job)) {
            finishedSeen.release();
          }
        }

        @Override
        public void onClose(WatcherException cause) {
          // The poll interval still bounds the wait.
        }
      });
    } catch (KubernetesClientException e) {
      watch = null; // polling alone
    }
    try {
      return follow(client, jobItems, started, finishedSeen);
    } finally {
      if (watch != null) {
        watch.close();
      }
    }
  }

  private static boolean isFinished(TaskJob job) {
    return job.getStatus() != null && job.getStatus().getPhase() != null && job.getStatus().getPhase().isFinished();
  }

  private List<TaskJob> follow(KubernetesClient client, List<Manifests.Item> jobItems, Instant started,
      Semaphore finishedSeen) throws InterruptedException {
    out.print(ProgressView.header());
    Map<String, String> lastLine = new HashMap<>();
    WorkerErrors workerErrors = new WorkerErrors(options.root().toAbsolutePath());
    Instant deadline = options.timeout() == null ? null : started.plus(options.timeout());
    while (true) {
      List<TaskJob> jobs = new ArrayList<>();
      boolean allFinished = true;
      for (Manifests.Item item : jobItems) {
        TaskJob job = client.resources(TaskJob.class)
            .inNamespace(namespaceOf(item.object()))
            .withName(item.object().getMetadata().getName()).get();
        if (job == null) {
          continue;
        }
        jobs.add(job);
        InstancePool pool = client.resources(InstancePool.class).inNamespace(namespaceOf(job))
            .withName(job.getMetadata().getName()).get();
        timelines.computeIfAbsent(namespaceOf(job) + "/" + job.getMetadata().getName(), k -> new JobTimeline())
            .record(TimelineSample.of(Instant.now(), job.getStatus(), pool == null ? null : pool.getStatus()));
        String line = ProgressView.line(job, workerErrors.first(namespaceOf(job), job.getMetadata().getName()));
        if (!line.equals(lastLine.put(job.getMetadata().getName(), line))) {
          out.print(line);
        }
        allFinished &= PlanLines.planned(job) || isFinished(job);
      }
      if (allFinished && !jobs.isEmpty()) {
        return jobs;
      }
      if (deadline != null && Instant.now().isAfter(deadline)) {
        out.printf("%nTimeout of %s reached: stopping.%n", options.timeout());
        stopRequested.set(true);
      }
      if (stopRequested.get()) {
        return jobs;
      }
      if (finishedSeen.tryAcquire(options.pollInterval().toMillis(), TimeUnit.MILLISECONDS)) {
        finishedSeen.drainPermits();
      }
    }
  }

  /**
   * One HTML report per job ({@code DIR/NAMESPACE-NAME.html}) from what this run sampled; the paths go to
   * stderr. A report that cannot be written is said so there and does not change the run's exit status.
   */
  private void writeReports(KubernetesClient client, List<TaskJob> jobs, Path dir) {
    for (TaskJob job : jobs) {
      String ns = namespaceOf(job);
      String name = job.getMetadata().getName();
      Path file = dir.resolve(ns + "-" + name + ".html");
      try {
        java.util.Optional<ReportData> data = ReportReader.read(client, ns, name, timelines.get(ns + "/" + name),
            Instant.now());
        if (data.isPresent()) {
          Files.createDirectories(dir);
          Files.writeString(file, HtmlReport.render(data.get()));
          err.println("Report of " + ns + "/" + name + ": " + file);
        }
      } catch (IOException | RuntimeException e) {
        err.println("Report of " + ns + "/" + name + " not written (" + file + "): " + e.getMessage());
      }
    }
  }

  /** Deletes the jobs and waits for their finalizers: instances terminated, queues deleted or kept. */
  private void stopJobs(KubernetesClient client, List<Manifests.Item> jobItems) throws InterruptedException {
    out.println("Stopping: deleting the jobs, which terminates their instances...");
    for (Manifests.Item item : jobItems) {
      client.resources(TaskJob.class).inNamespace(namespaceOf(item.object()))
          .withName(item.object().getMetadata().getName()).delete();
    }
    Instant deadline = Instant.now().plusSeconds(60);
    while (Instant.now().isBefore(deadline)) {
      boolean anyLeft = jobItems.stream().anyMatch(item -> client.resources(TaskJob.class)
          .inNamespace(namespaceOf(item.object())).withName(item.object().getMetadata().getName()).get() != null);
      if (!anyLeft) {
        out.println("Stopped: every instance terminated.");
        return;
      }
      Thread.sleep(200);
    }
    out.println("Jobs did not finish cleaning up within 60 s; remaining worker processes are killed.");
  }

  private String namespaceOf(HasMetadata object) {
    return object.getMetadata().getNamespace() == null ? options.namespace() : object.getMetadata().getNamespace();
  }

  /**
   * Local instances, and each task, run in their own working directories, so relative paths are made absolute
   * here: the program in {@code spec.worker.command} against {@code manifestDir}, the directory of the manifest
   * that names it ({@link WorkerProgram}), and {@code worker.env} values starting with {@code ./} against the
   * directory {@code taskjob local} runs in (where output usually goes). A program that cannot run is refused
   * with the reason before anything starts.
   */
  @SuppressWarnings("unchecked")
  static void absolutizePaths(HasMetadata object, Path manifestDir) {
    Map<String, Object> tree = Serialization.jsonMapper().convertValue(object, Map.class);
    Object spec = tree.get("spec");
    if (!(spec instanceof Map<?, ?> specMap) || !"local".equals(String.valueOf(specMap.get("provider")))
        || !(specMap.get("worker") instanceof Map<?, ?> workerMap)) {
      return;
    }
    Map<String, Object> worker = (Map<String, Object>) workerMap;
    boolean changed = false;
    if (worker.get("command") instanceof List<?> command && !command.isEmpty()) {
      String program = String.valueOf(command.get(0));
      WorkerProgram.Resolution resolution = WorkerProgram.resolve(program, manifestDir, System.getenv("PATH"));
      if (!resolution.ok()) {
        throw new IllegalArgumentException("TaskJob " + object.getMetadata().getName() + ": " + resolution.problem());
      }
      if (!resolution.program().equals(program)) {
        List<Object> resolved = new ArrayList<>(command);
        resolved.set(0, resolution.program());
        worker.put("command", resolved);
        changed = true;
      }
    }
    if (worker.get("env") instanceof List<?> env) {
      for (Object entry : env) {
        if (entry instanceof Map<?, ?> var && var.get("value") instanceof String value && value.startsWith("./")) {
          ((Map<String, Object>) var).put("value", Path.of(value).toAbsolutePath().normalize().toString());
          changed = true;
        }
      }
    }
    if (changed) {
      setSpec(object, specMap);
    }
  }

  @SuppressWarnings("unchecked")
  private static void setSpec(HasMetadata object, Map<?, ?> spec) {
    if (object instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource generic) {
      generic.setAdditionalProperty("spec", spec);
    } else if (object instanceof TaskJob typed) {
      typed.setSpec(Serialization.jsonMapper().convertValue(spec,
          dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec.class));
    }
  }

  /** A process as {@code process PID (program, in DIR)}; the directory tells which instance or task it is. */
  private static String describe(ProcessHandle process) {
    String program = process.info().command().map(c -> Path.of(c).getFileName().toString()).orElse("?");
    String dir;
    try {
      dir = ", in " + Files.readSymbolicLink(Path.of("/proc", Long.toString(process.pid()), "cwd"));
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      dir = "";
    }
    return "process " + process.pid() + " (" + program + dir + ")";
  }

  /** Last line of defence: no worker process outlives a local run (or a benchmark built on one). */
  public static void killLeftoverProcesses() {
    List<ProcessHandle> children = ProcessHandle.current().descendants().toList();
    children.forEach(ProcessHandle::destroy);
    for (ProcessHandle child : children) {
      try {
        child.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        child.destroyForcibly();
      }
    }
  }
}
