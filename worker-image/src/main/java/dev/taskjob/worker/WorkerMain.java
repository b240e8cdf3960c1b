package dev.taskjob.worker;

import ch.qos.logback.classic.Level;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.cloud.SecretStore;
import dev.taskjob.core.cloud.StopNotice;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.worker.WorkerSetting;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.Task;
import dev.taskjob.core.task.TaskGenerator;
import dev.taskjob.core.task.TaskListException;
import dev.taskjob.core.task.TaskListReader;
import dev.taskjob.worker.events.EventPublisher;
import dev.taskjob.worker.process.ProcessTree;
import dev.taskjob.worker.process.TaskCommand;
import dev.taskjob.worker.process.TaskLauncher;
import dev.taskjob.worker.process.TaskScratch;
import dev.taskjob.worker.source.ListTaskSource;
import dev.taskjob.worker.source.QueueTaskSource;
import dev.taskjob.worker.source.TaskSource;
import dev.taskjob.worker.spot.MetadataFlavor;
import dev.taskjob.worker.spot.PreemptionMonitor;
import dev.taskjob.worker.spot.PreemptionNotice;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The worker: runs tasks from a task file, a generator or a job's queue, each as its own process.
 * Every option {@code --foo-bar} can also be set as environment variable {@code TASKJOB_FOO_BAR}
 * (the operator configures VMs only through the environment). See worker-image/README.md.
 */
@Command(name = "taskjob-worker", mixinStandardHelpOptions = true, version = "taskjob-worker 0.1.0",
    sortOptions = false, usageHelpAutoWidth = true,
    description = "Runs tasks, each as its own process, from a task file, a generator or a job's queue.%n"
        + "Every option --foo-bar can also be given as environment variable TASKJOB_FOO_BAR.",
    footer = {"%nExamples:",
        "  taskjob-worker --task-file tasks.json --num-simultaneous-tasks 10 -- ./addition.sh",
        "  taskjob-worker --generate-count 1000 -- python3 task.py",
        "  TASKJOB_PROVIDER=aws TASKJOB_QUEUE_NAME=tj-default-addition-1a2b3c4d taskjob-worker -- ./addition.sh"})
public final class WorkerMain implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerMain.class);
  /** What the machine is, set by the operator on the VM: passed to every task (rms-cloud-tasks does the same). */
  static final List<String> MACHINE_VARIABLES = WorkerSetting.writtenBy(WorkerSetting.Writer.MACHINE);
  /** In the work directory: appears when the worker is told to stop (TASKJOB_NOTICE_FILE). */
  static final String NOTICE_FILE_NAME = "stop-notice.json";

  // ---- task source ----
  @Option(names = "--task-file", paramLabel = "FILE", defaultValue = "${env:TASKJOB_TASK_FILE}",
      description = "Task list: JSON array, JSON Lines or YAML, plain or gzip; '-' reads stdin.")
  Path taskFile;

  @Option(names = {"--start-task", "--tasks-to-skip"}, paramLabel = "N", defaultValue = "${env:TASKJOB_START_TASK}",
      description = "Skip the first N tasks of the file or generator (0-based index of the first task to run).")
  Long startTask;

  @Option(names = {"--max-tasks", "--max-num-tasks"}, paramLabel = "N", defaultValue = "${env:TASKJOB_MAX_TASKS}",
      description = "Run at most N tasks, then exit.")
  Long maxTasks;

  @Option(names = "--generate-count", paramLabel = "N", defaultValue = "${env:TASKJOB_GENERATE_COUNT}",
      description = "Generate tasks instead of reading them: N tasks with data {\"n\": index}, or a cap on the parameter product.")
  Long generateCount;

  @Option(names = "--generate-param", paramLabel = "NAME=FROM:TO[:STEP]", split = ",",
      defaultValue = "${env:TASKJOB_GENERATE_PARAM}",
      description = "Generate the product of parameter ranges (repeatable; the last varies fastest).")
  List<String> generateParams;

  @Option(names = "--id-prefix", paramLabel = "PREFIX", defaultValue = "${env:TASKJOB_ID_PREFIX:-task-}",
      description = "Id prefix of generated tasks (default: ${DEFAULT-VALUE}).")
  String idPrefix;

  // ---- queue ----
  @Option(names = "--provider", paramLabel = "aws|gcp|local", defaultValue = "${env:TASKJOB_PROVIDER}",
      description = "Take tasks from this provider's queue.")
  String provider;

  @Option(names = "--region", defaultValue = "${env:TASKJOB_REGION}", description = "Cloud region of the queue.")
  String region;

  @Option(names = {"--project", "--project-id"}, defaultValue = "${env:TASKJOB_PROJECT}", description = "GCP project.")
  String project;

  @Option(names = "--queue-name", paramLabel = "NAME", defaultValue = "${env:TASKJOB_QUEUE_NAME}",
      description = "The job's queue base name (the operator derives it from the TaskJob).")
  String queueName;

  @Option(names = "--lease-seconds", paramLabel = "DURATION", converter = DurationText.class,
      defaultValue = "${env:TASKJOB_LEASE_SECONDS}",
      description = "Queue lease (visibility timeout / ack deadline); default from the maximum runtime.")
  Duration lease;

  @Option(names = "--secret-scope", paramLabel = "SCOPE", defaultValue = "${env:TASKJOB_SECRET_SCOPE}",
      description = "Read the job's secret env values from the provider's secret store under SCOPE (with this "
          + "machine's own identity) and give them to tasks only; needs --provider.")
  String secretScope;

  private ProviderModule providerModule;
  private ProviderConfig providerConfig;

  @Option(names = "--local-root", paramLabel = "DIR", defaultValue = "${env:TASKJOB_LOCAL_ROOT}",
      description = "Root directory of the local provider's queues.")
  String localRoot;

  @Option(names = "--aws-endpoint-url", paramLabel = "URL", defaultValue = "${env:AWS_ENDPOINT_URL}",
      description = "AWS API endpoint override (e.g. a local SQS emulator); default from AWS_ENDPOINT_URL.")
  String awsEndpointUrl;

  @Option(names = "--pubsub-emulator-host", paramLabel = "HOST:PORT", defaultValue = "${env:PUBSUB_EMULATOR_HOST}",
      description = "Pub/Sub emulator to use instead of Google's service; default from PUBSUB_EMULATOR_HOST.")
  String pubsubEmulatorHost;

  @Option(names = {"--exit-when-empty", "--exit-when-queue-empty"}, paramLabel = "DURATION",
      converter = DurationText.class,
      defaultValue = "${env:TASKJOB_EXIT_WHEN_EMPTY:-${env:TASKJOB_EXIT_WHEN_QUEUE_EMPTY}}",
      description = "Exit once the queue gave no task and none ran for this long (default: keep polling).")
  Duration exitWhenEmpty;

  @Option(names = {"--job", "--job-id"}, defaultValue = "${env:TASKJOB_JOB}",
      description = "Job name put in events (namespace/name).")
  String job;

  @Option(names = "--instance-id", defaultValue = "${env:TASKJOB_INSTANCE_ID}", description = "VM id put in events.")
  String instanceId;

  @Option(names = "--startup-failure", paramLabel = "REASON", defaultValue = "${env:TASKJOB_STARTUP_FAILURE}",
      description = "Run no task: send worker_stopping with this reason as the only event and exit 3 (the VM's "
          + "startup script uses it when the machine cannot run the job's tasks).")
  String startupFailure;

  // ---- running tasks ----
  @Option(names = "--num-simultaneous-tasks", paramLabel = "N", defaultValue = "${env:TASKJOB_NUM_SIMULTANEOUS_TASKS}",
      description = "Tasks run at once (default: vCPUs / cpus-per-task, else the vCPU count).")
  Integer simultaneousTasks;

  @Option(names = "--cpus-per-task", paramLabel = "X", defaultValue = "${env:TASKJOB_CPUS_PER_TASK}",
      description = "vCPUs each task needs, to derive the default number of simultaneous tasks.")
  BigDecimal cpusPerTask;

  @Option(names = "--memory-per-task", paramLabel = "GIB", defaultValue = "${env:TASKJOB_MEMORY_PER_TASK}",
      description = "Memory (GiB) each task needs, to cap the default number of simultaneous tasks.")
  BigDecimal memoryPerTask;

  @Option(names = "--num-cpus", paramLabel = "N", defaultValue = "${env:TASKJOB_NUM_CPUS}",
      description = "vCPUs to assume instead of the detected count.")
  Integer numCpus;

  @Option(names = "--max-runtime", paramLabel = "DURATION", converter = DurationText.class,
      defaultValue = "${env:TASKJOB_MAX_RUNTIME:-0}",
      description = "Kill a task's process tree after this long (seconds or 10m/1h30m; default 0: no limit, as a TaskJob without maxRuntime).")
  Duration maxRuntime;

  @Option(names = {"--retry-on-failure", "--retry-on-exit", "--retry-on-exception"}, arity = "0..1",
      fallbackValue = "true", defaultValue = "${env:TASKJOB_RETRY_ON_FAILURE:-false}",
      description = "Retry a task that exits with a non-zero code (up to --max-attempts).")
  boolean retryOnFailure;

  @Option(names = "--retry-on-timeout", arity = "0..1", fallbackValue = "true",
      defaultValue = "${env:TASKJOB_RETRY_ON_TIMEOUT:-false}",
      description = "Retry a task killed at the maximum runtime (up to --max-attempts).")
  boolean retryOnTimeout;

  @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "${env:TASKJOB_MAX_ATTEMPTS:-3}",
      description = "Attempts per task, first run included (default: ${DEFAULT-VALUE}).")
  int maxAttempts;

  @Option(names = "--max-interruptions", paramLabel = "N",
      defaultValue = "${env:TASKJOB_MAX_INTERRUPTIONS:-" + QueueSettings.DEFAULT_MAX_INTERRUPTIONS + "}",
      description = "Queue mode: times one attempt may be interrupted (stop, spot notice, lost VM) before the "
          + "queue dead-letters the task (default: ${DEFAULT-VALUE}). Interruptions do not use up --max-attempts.")
  int maxInterruptions;

  @Option(names = "--retry-exit-codes", paramLabel = "CODES", defaultValue = "${env:TASKJOB_RETRY_EXIT_CODES}",
      description = "Exit codes that always mean 'try again', e.g. 75,100-110 (like AWS Batch evaluateOnExit).")
  String retryExitCodes;

  @Option(names = "--retry-delay", paramLabel = "DURATION", converter = DurationText.class,
      defaultValue = "${env:TASKJOB_RETRY_DELAY:-2}",
      description = "A task that failed within 30 seconds is retried after this long, doubled for each earlier "
          + "attempt, at most 5 minutes; its slot runs other tasks meanwhile (default: 2; 0: retry at once).")
  Duration retryDelay;

  @Option(names = "--shutdown-grace-period", paramLabel = "DURATION", converter = DurationText.class,
      defaultValue = "${env:TASKJOB_SHUTDOWN_GRACE_PERIOD:-30}",
      description = "After SIGTERM/SIGINT, how long running tasks may finish before they are killed (default: 30).")
  Duration shutdownGracePeriod;

  @Option(names = "--kill-grace-period", paramLabel = "DURATION", converter = DurationText.class,
      defaultValue = "${env:TASKJOB_KILL_GRACE_PERIOD:-10}",
      description = "A task the worker stops (maximum runtime, end of the shutdown grace) gets SIGTERM, then SIGKILL after this long (default: 10).")
  Duration killGracePeriod;

  @Option(names = "--max-memory-per-task", paramLabel = "SIZE", converter = MemorySize.class,
      defaultValue = "${env:TASKJOB_MAX_MEMORY_PER_TASK}",
      description = "Kill a task whose processes hold more resident memory than this (GiB, or 512Mi, 2Gi); it fails with reason 'memory limit' and is not retried.")
  Long maxMemoryPerTask;

  @Option(names = "--command", paramLabel = "JSON|TEXT", defaultValue = "${env:TASKJOB_COMMAND}",
      description = "The task command as a JSON array of strings (or one shell command line), when no '-- CMD' is given.")
  String commandText;

  @Option(names = "--work-dir", paramLabel = "DIR", defaultValue = "${env:TASKJOB_WORK_DIR:-taskjob-work}",
      description = "Holds tasks/<id>/ (working directory, task.json, stdout/stderr logs) and events.log (default: ${DEFAULT-VALUE}).")
  Path workDir;

  @Option(names = "--keep-task-dirs", paramLabel = "all|failed|none", defaultValue = "${env:TASKJOB_KEEP_TASK_DIRS:-all}",
      description = "Task directories kept after the task's final result (default: ${DEFAULT-VALUE}).")
  String keepTaskDirs;

  @Option(names = "--process-group", arity = "0..1", fallbackValue = "true", negatable = true,
      defaultValue = "${env:TASKJOB_PROCESS_GROUP:-true}",
      description = "Tag each task's processes (environment variable TASKJOB_TASK_TREE) so a timeout, and the task's end, kill all it started (default: true; deprecated: turning it off saves nothing).")
  boolean processGroup;

  // ---- events ----
  @Option(names = {"--event-log-file", "--event-log"}, paramLabel = "FILE",
      defaultValue = "${env:TASKJOB_EVENT_LOG:-${env:TASKJOB_EVENT_LOG_FILE}}",
      description = "Append events as JSON Lines to FILE (default for file/generator runs: <work-dir>/events.log).")
  Path eventLogFile;

  @Option(names = "--event-names", paramLabel = "taskjob|rms", defaultValue = "${env:TASKJOB_EVENT_NAMES:-taskjob}",
      description = "Event type names in the event log file: taskjob's, or rms-cloud-tasks' (task_exited, keep_alive,"
          + " spot_termination) for scripts written for that tool; the event queue always gets taskjob's (default: taskjob).")
  EventNames eventNames;

  /** Which names the event log file uses. */
  enum EventNames { taskjob, rms }

  @Option(names = "--event-log-to-file", arity = "0..1", fallbackValue = "true", negatable = true,
      defaultValue = "${env:TASKJOB_EVENT_LOG_TO_FILE}",
      description = "Write the event log file (default: true for file/generator runs or when a file is named).")
  Boolean eventLogToFile;

  @Option(names = "--event-log-to-queue", arity = "0..1", fallbackValue = "true", negatable = true,
      defaultValue = "${env:TASKJOB_EVENT_LOG_TO_QUEUE}",
      description = "Send events to the job's event queue (default: true when tasks come from a queue).")
  Boolean eventLogToQueue;

  @Option(names = "--heartbeat-interval", paramLabel = "DURATION", converter = DurationText.class,
      defaultValue = "${env:TASKJOB_HEARTBEAT_INTERVAL:-60}",
      description = "Time between worker_heartbeat events; 0 for none (default: 60).")
  Duration heartbeatInterval;

  // ---- spot interruption ----
  @Option(names = "--preemption-check", paramLabel = "aws|gcp|local|none", defaultValue = "${env:TASKJOB_PREEMPTION_CHECK}",
      description = "Which metadata service to poll for spot interruption (default: from --provider).")
  String preemptionCheck;

  @Option(names = "--metadata-url", paramLabel = "URL", defaultValue = "${env:TASKJOB_METADATA_URL}",
      description = "Base URL of the instance metadata service (default: the cloud's).")
  String metadataUrl;

  @Option(names = "--preemption-poll-interval", paramLabel = "DURATION", converter = DurationText.class,
      defaultValue = "${env:TASKJOB_PREEMPTION_POLL_INTERVAL:-5}",
      description = "Time between spot-interruption polls (default: 5).")
  Duration preemptionPollInterval;

  // ---- output ----
  @Option(names = {"-v", "--verbose"}, defaultValue = "${env:TASKJOB_VERBOSE:-false}", description = "Debug logging.")
  boolean verbose;

  @Option(names = {"-q", "--quiet"}, defaultValue = "${env:TASKJOB_QUIET:-false}",
      description = "No line per started/completed task (failures are still logged).")
  boolean quiet;

  @Parameters(paramLabel = "CMD", arity = "0..*", description = "The task command and its arguments, after '--'.")
  List<String> command = new ArrayList<>();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private Supervisor supervisor;

  public static void main(String[] args) {
    // vfork execs the task directly, where the default posix_spawn execs the jspawnhelper program first:
    // one exec per task instead of two. JDK 25 deprecates VFORK and a later release removes it (JDK-8357179,
    // JDK-8357089), so it is asked for only on the runtimes that support it.
    if (System.getProperty("jdk.lang.Process.launchMechanism") == null && Runtime.version().feature() < 25
        && System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
      System.setProperty("jdk.lang.Process.launchMechanism", "VFORK");
    }
    WorkerMain worker = new WorkerMain();
    CommandLine cli = commandLine(worker);
    Signals.onTermination((name, exit) -> {
      Supervisor s = worker.supervisor;
      if (s != null) {
        s.signal(name, exit);
      } else {
        System.exit(exit);
      }
    });
    System.exit(cli.execute(args));
  }

  /** Runs the worker in this JVM (tests); returns its exit code. Signals are not handled. */
  public static int execute(String... args) {
    return commandLine(new WorkerMain()).execute(args);
  }

  static CommandLine commandLine(WorkerMain worker) {
    CommandLine cli = new CommandLine(worker);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof CommandLine.ParameterException p) {
        throw p;
      }
      LOG.error("Worker failed: {}", e.toString(), e);
      return Supervisor.EXIT_WORKER_ERROR;
    });
    return cli;
  }

  @Override
  public Integer call() throws Exception {
    configureLogging();
    try {
      return run();
    } catch (CommandLine.ParameterException | StartupException e) {
      reportStartupError(e.getMessage());
      throw e;
    }
  }

  /** A failure before the first task could start; reported like a usage error. */
  static final class StartupException extends RuntimeException {
    StartupException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * In queue mode, tells the operator why this worker could not start, as a {@code worker_stopping} event
   * whose message starts with {@link TaskEvent#STARTUP_ERROR_PREFIX}; the TaskJob shows it as a condition,
   * rather than a worker that never reported.
   */
  private void reportStartupError(String reason) {
    if (provider == null || queueName == null) {
      return;
    }
    try {
      ProviderModule module = providerModule != null ? providerModule : Providers.get(provider);
      ProviderConfig config = providerConfig != null ? providerConfig : queueConfig();
      try (TaskQueue queue = module.queue(config, new QueueSettings(queueName, Duration.ofMinutes(1),
          QueueSettings.deliveriesFor(QueueSettings.DEFAULT_MAX_INTERRUPTIONS)))) {
        EventPublisher events = new EventPublisher(null, queue);
        events.publish(TaskEvent.builder(EventType.WORKER_STOPPING).job(job).instanceId(instanceId)
            .hostname(hostname()).message(TaskEvent.STARTUP_ERROR_PREFIX + reason).build());
        events.close(Duration.ofSeconds(30));
      }
    } catch (RuntimeException | IOException e) {
      LOG.warn("Could not report the start-up error to the job's event queue: {}", e.toString());
    }
  }

  private Integer run() throws Exception {
    TaskCommand taskCommand = taskCommand();
    RetryPolicy retry = retryPolicy();
    MetadataFlavor flavor = preemptionFlavor();
    WorkerSettings.KeepTaskDirs keep = keepTaskDirs();
    boolean queueMode = queueName != null || provider != null;
    int sources = (taskFile != null ? 1 : 0) + (generateCount != null || hasParams() ? 1 : 0) + (queueMode ? 1 : 0);
    if (sources != 1) {
      throw usage(sources == 0
          ? "no task source: give --task-file FILE, --generate-count N / --generate-param, or --provider with --queue-name"
          + " (or TASKJOB_TASK_FILE / TASKJOB_PROVIDER + TASKJOB_QUEUE_NAME)"
          : "give only one task source: --task-file, --generate-count/--generate-param, or --provider/--queue-name");
    }
    if (startTask != null && startTask < 0) {
      throw usage("--start-task must be >= 0, was " + startTask);
    }
    if (maxTasks != null && maxTasks < 1) {
      throw usage("--max-tasks must be >= 1, was " + maxTasks);
    }
    if (queueMode && startTask != null && startTask > 0) {
      throw usage("--start-task applies to --task-file and generated tasks, not to a queue");
    }
    int slots = slots();
    Path work = workDir.toAbsolutePath().normalize();
    Files.createDirectories(work.resolve("tasks"));

    TaskSource source = queueMode ? queueSource() : listSource();
    try {
      boolean toQueue = eventLogToQueue != null ? eventLogToQueue : queueMode;
      if (toQueue && !queueMode) {
        throw usage("--event-log-to-queue needs tasks from a queue (--provider and --queue-name)");
      }
      boolean toFile = eventLogToFile != null ? eventLogToFile : (eventLogFile != null || !queueMode);
      Path eventFile = toFile ? (eventLogFile != null ? eventLogFile : work.resolve("events.log")) : null;
      if (startupFailure != null && !startupFailure.isBlank()) {
        return reportStartupFailure(source, eventFile, toQueue);
      }

      boolean trackTrees = processGroup && ProcessTree.procAvailable();
      if (processGroup && !trackTrees) {
        LOG.warn("/proc is not available: a timeout kills the task's live descendants only");
      }
      Map<String, String> extraEnv = new HashMap<>();
      if (job != null) {
        extraEnv.put("TASKJOB_JOB", job);
      }
      for (String name : MACHINE_VARIABLES) {
        String value = System.getenv(name);
        if (value != null) {
          extraEnv.put(name, value);
        }
      }
      extraEnv.putAll(secretEnvironment());
      Path noticeFile = work.resolve(NOTICE_FILE_NAME);
      Files.deleteIfExists(noticeFile); // a previous run's notice must not stop this run's tasks
      extraEnv.put("TASKJOB_NOTICE_FILE", noticeFile.toString());
      TaskLauncher launcher = new TaskLauncher(taskCommand, work.resolve("tasks"), trackTrees, extraEnv);
      String scratchRoot = System.getenv(TaskScratch.DIR_VARIABLE);
      if (scratchRoot != null && !scratchRoot.isBlank()) {
        launcher.withScratch(new TaskScratch(Path.of(scratchRoot), slots));
      }
      WorkerSettings settings = new WorkerSettings(slots, maxRuntime, shutdownGracePeriod, retry, heartbeatInterval,
          queueMode ? exitWhenEmpty : null, maxTasks == null ? Long.MAX_VALUE : maxTasks, keep, job, instanceId,
          hostname(), receiveWait(), 2048, killGracePeriod, maxMemoryPerTask, noticeFile, retryBackoff());
      logConfiguration(source, settings, taskCommand, eventFile, toQueue, flavor, trackTrees);

      EventPublisher events = new EventPublisher(eventFile, eventNames == EventNames.rms,
          toQueue ? ((QueueTaskSource) source).queue() : null);
      PreemptionMonitor[] monitor = new PreemptionMonitor[1];
      if (flavor != MetadataFlavor.NONE) {
        Supervisor[] self = new Supervisor[1];
        Consumer<PreemptionNotice> onNotice = notice -> self[0].preemptionHandler().accept(notice);
        monitor[0] = flavor == MetadataFlavor.LOCAL
            ? PreemptionMonitor.localStopFile(localStopFile(), preemptionPollInterval, onNotice)
            : new PreemptionMonitor(flavor, metadataUrl, preemptionPollInterval, onNotice);
        supervisor = new Supervisor(settings, source, launcher, events, monitor[0]);
        self[0] = supervisor;
      } else {
        supervisor = new Supervisor(settings, source, launcher, events, null);
      }
      return supervisor.run();
    } catch (RuntimeException | IOException e) {
      source.close();
      throw e;
    }
  }

  /** The job hears why this machine runs none of its tasks, in the worker's first and only event. */
  private int reportStartupFailure(TaskSource source, Path eventFile, boolean toQueue) throws IOException {
    LOG.error("Not starting: {}", startupFailure);
    EventPublisher events = new EventPublisher(eventFile, toQueue ? ((QueueTaskSource) source).queue() : null);
    events.publish(TaskEvent.builder(EventType.WORKER_STOPPING).job(job).instanceId(instanceId).hostname(hostname())
        .runningTasks(0).completedTasks(0L).message(TaskEvent.STARTUP_FAILED + startupFailure).build());
    events.close(Duration.ofSeconds(30));
    source.close();
    return Supervisor.EXIT_WORKER_ERROR;
  }

  private Duration receiveWait() {
    Duration wait = Duration.ofSeconds(5);
    if (exitWhenEmpty != null && exitWhenEmpty.compareTo(wait) < 0) {
      wait = exitWhenEmpty.isZero() ? Duration.ofMillis(200) : exitWhenEmpty;
    }
    return wait;
  }

  // ---- sources ----

  private TaskSource listSource() throws IOException {
    long skip = startTask == null ? 0 : startTask;
    long limit = maxTasks == null ? Long.MAX_VALUE : maxTasks;
    if (taskFile != null) {
      return fileSource(skip, limit);
    }
    TaskGenerator generator;
    try {
      generator = new TaskGenerator(idPrefix, generateCount, generatorParams());
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw usage("generated tasks: " + e.getMessage());
    }
    if (skip >= generator.size() && generator.size() > 0) {
      LOG.warn("--start-task {} is past the last of {} generated tasks; nothing to run", skip, generator.size());
    }
    return new ListTaskSource(generator.iterator(Math.min(skip, generator.size())), limit,
        "generated tasks: " + generator.size() + " with id prefix \"" + idPrefix + "\"", null);
  }

  private TaskSource fileSource(long skip, long limit) throws IOException {
    String name = taskFile.toString();
    if (name.equals("-")) {
      List<Task> tasks = new ArrayList<>();
      try (TaskListReader reader = TaskListReader.open(System.in, TaskListReader.Options.named("stdin"))) {
        reader.forEachRemaining(tasks::add);
      } catch (TaskListException e) {
        throw usage("task list: " + e.getMessage());
      }
      Iterator<Task> it = tasks.subList((int) Math.min(skip, tasks.size()), tasks.size()).iterator();
      return new ListTaskSource(it, limit, "local tasks from stdin (" + tasks.size() + " tasks)", null);
    }
    if (!Files.isReadable(taskFile)) {
      throw usage("--task-file " + name + ": no such readable file");
    }
    // Read the whole list once first: a bad element is reported before any task runs.
    long total = 0;
    try (TaskListReader reader = TaskListReader.open(taskFile)) {
      while (reader.hasNext()) {
        reader.next();
        total++;
      }
    } catch (TaskListException e) {
      throw usage("task list " + e.getMessage());
    }
    TaskListReader reader = TaskListReader.open(taskFile);
    for (long i = 0; i < skip && reader.hasNext(); i++) {
      reader.next();
    }
    LOG.info("Read {} tasks from \"{}\"", total, name);
    return new ListTaskSource(reader, limit, "local tasks file \"" + name + "\" (" + total + " tasks)", reader);
  }

  private boolean hasParams() {
    return generateParams != null && !generateParams.isEmpty();
  }

  private Map<String, TaskGenerator.Range> generatorParams() {
    Map<String, TaskGenerator.Range> params = new LinkedHashMap<>();
    if (!hasParams()) {
      return params;
    }
    for (String p : generateParams) {
      String spec = p.trim();
      int eq = spec.indexOf('=');
      String[] parts = eq > 0 ? spec.substring(eq + 1).split(":") : new String[0];
      if (eq <= 0 || parts.length < 2 || parts.length > 3) {
        throw usage("--generate-param '" + p + "' must look like NAME=FROM:TO or NAME=FROM:TO:STEP");
      }
      try {
        params.put(spec.substring(0, eq).trim(), new TaskGenerator.Range(new BigDecimal(parts[0].trim()),
            new BigDecimal(parts[1].trim()), parts.length == 3 ? new BigDecimal(parts[2].trim()) : null));
      } catch (NumberFormatException e) {
        throw usage("--generate-param '" + p + "': FROM, TO and STEP must be numbers");
      } catch (IllegalArgumentException e) {
        throw usage("--generate-param '" + p + "': " + e.getMessage());
      }
    }
    return params;
  }

  /** Where the job's queue is: the provider, its region and the endpoint overrides. */
  private ProviderConfig queueConfig() {
    Map<String, String> props = new HashMap<>();
    if (project != null) {
      props.put(ProviderConfig.Keys.PROJECT, project);
    }
    if (awsEndpointUrl != null && !awsEndpointUrl.isBlank()) {
      props.put(ProviderConfig.Keys.AWS_ENDPOINT, awsEndpointUrl);
    }
    if (pubsubEmulatorHost != null && !pubsubEmulatorHost.isBlank()) {
      props.put(ProviderConfig.Keys.PUBSUB_ENDPOINT, pubsubEmulatorHost);
    }
    if (localRoot != null) {
      props.put(ProviderConfig.Keys.LOCAL_ROOT, localRoot);
    }
    return new ProviderConfig(provider, region, List.of(), props);
  }

  private TaskSource queueSource() {
    if (provider == null) {
      throw usage("--queue-name needs --provider (or TASKJOB_PROVIDER): aws, gcp or local");
    }
    if (queueName == null) {
      throw usage("--provider " + provider + " needs --queue-name (or TASKJOB_QUEUE_NAME)");
    }
    ProviderModule module;
    try {
      module = Providers.get(provider);
    } catch (IllegalArgumentException e) {
      throw usage("--provider: " + e.getMessage());
    }
    Duration leaseDuration = lease != null ? lease
        : QueueSettings.leaseFor(maxRuntime == null || maxRuntime.isZero() ? Duration.ofHours(1) : maxRuntime);
    QueueSettings settings;
    try {
      settings = new QueueSettings(queueName, leaseDuration, QueueSettings.deliveriesFor(maxInterruptions));
    } catch (IllegalArgumentException e) {
      throw usage("--max-interruptions: " + e.getMessage());
    }
    providerModule = module;
    providerConfig = queueConfig();
    TaskQueue queue = module.queue(providerConfig, settings);
    if (!queue.exists()) {
      queue.close();
      throw usage("queue '" + queueName + "' does not exist for provider " + provider
          + (region == null ? "" : " in " + region) + " (the operator creates it when the TaskJob starts loading)");
    }
    return new QueueTaskSource(queue, provider + " queue \"" + queueName + "\"");
  }

  /**
   * The job's secret env values, for tasks only: never set in the worker's own environment, never logged
   * (the names are).
   */
  private Map<String, String> secretEnvironment() {
    if (secretScope == null || secretScope.isBlank()) {
      return Map.of();
    }
    if (providerModule == null) {
      throw usage("--secret-scope needs tasks from a queue (--provider and --queue-name)");
    }
    SecretStore store = providerModule.secrets(providerConfig).orElseThrow(() ->
        usage("--secret-scope: provider " + provider + " has no secret store"));
    try (store) {
      Map<String, String> values;
      try {
        values = store.read(secretScope);
      } catch (RuntimeException e) {
        throw new StartupException("cannot read the job's secret env values: " + e.getMessage(), e);
      }
      if (values.isEmpty()) {
        // The operator sets a scope only for a job with secrets: none means they were deleted or are not readable.
        throw new StartupException("no secret env values under '" + secretScope + "' in the " + provider
            + " secret store; tasks that need them cannot run", null);
      }
      LOG.info("Secret env values for tasks: {}", String.join(", ", new java.util.TreeSet<>(values.keySet())));
      return values;
    }
  }

  // ---- validation ----

  private TaskCommand taskCommand() {
    TaskCommand c;
    if (command != null && !command.isEmpty()) {
      c = TaskCommand.ofArguments(command);
    } else if (commandText != null && !commandText.isBlank()) {
      try {
        c = TaskCommand.parse(commandText);
      } catch (IllegalArgumentException e) {
        throw usage("--command / TASKJOB_COMMAND: " + e.getMessage());
      }
    } else {
      throw usage("no task command: give it after '--' (e.g. -- python3 task.py) or as TASKJOB_COMMAND "
          + "(a JSON array such as [\"python3\", \"task.py\"])");
    }
    try {
      return c.resolved();
    } catch (IllegalArgumentException e) {
      throw usage("task command: " + e.getMessage());
    }
  }

  private RetryPolicy retryPolicy() {
    try {
      return new RetryPolicy(retryOnFailure, retryOnTimeout, maxAttempts, RetryPolicy.parseExitCodes(retryExitCodes));
    } catch (IllegalArgumentException e) {
      throw usage((maxAttempts < 1 ? "--max-attempts: " : "--retry-exit-codes: ") + e.getMessage());
    }
  }

  private RetryBackoff retryBackoff() {
    if (retryDelay.isNegative()) {
      throw usage("--retry-delay must be >= 0, was " + DurationText.format(retryDelay));
    }
    return RetryBackoff.defaults(retryDelay);
  }

  /** Where the local provider writes this instance's stop notice. */
  private Path localStopFile() {
    return StopNotice.localFile(Path.of(localRoot), instanceId);
  }

  private MetadataFlavor preemptionFlavor() {
    MetadataFlavor flavor = chosenPreemptionFlavor();
    // a local worker the provider did not start (no instance, no root) has nobody to send it a notice
    return flavor == MetadataFlavor.LOCAL && (instanceId == null || localRoot == null) ? MetadataFlavor.NONE : flavor;
  }

  private MetadataFlavor chosenPreemptionFlavor() {
    if (preemptionCheck == null || preemptionCheck.isBlank()) {
      return MetadataFlavor.forProvider(provider);
    }
    try {
      return MetadataFlavor.parse(preemptionCheck);
    } catch (IllegalArgumentException e) {
      throw usage("--preemption-check: " + e.getMessage());
    }
  }

  private WorkerSettings.KeepTaskDirs keepTaskDirs() {
    try {
      return WorkerSettings.KeepTaskDirs.valueOf(keepTaskDirs.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw usage("--keep-task-dirs: '" + keepTaskDirs + "' is not one of all, failed, none");
    }
  }

  private int slots() {
    if (simultaneousTasks != null) {
      if (simultaneousTasks < 1) {
        throw usage("--num-simultaneous-tasks must be >= 1, was " + simultaneousTasks);
      }
      return simultaneousTasks;
    }
    int cpus = numCpus != null ? numCpus : Runtime.getRuntime().availableProcessors();
    if (cpus < 1) {
      throw usage("--num-cpus must be >= 1, was " + cpus);
    }
    int slots = cpus;
    if (cpusPerTask != null) {
      if (cpusPerTask.signum() <= 0) {
        throw usage("--cpus-per-task must be > 0, was " + cpusPerTask);
      }
      slots = Math.max(1, BigDecimal.valueOf(cpus).divideToIntegralValue(cpusPerTask).intValue());
    }
    if (memoryPerTask != null) {
      if (memoryPerTask.signum() <= 0) {
        throw usage("--memory-per-task must be > 0, was " + memoryPerTask);
      }
      long bytes = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
          .getTotalMemorySize();
      BigDecimal gib = BigDecimal.valueOf(bytes).divide(BigDecimal.valueOf(1L << 30), 3, java.math.RoundingMode.DOWN);
      slots = Math.min(slots, Math.max(1, gib.divideToIntegralValue(memoryPerTask).intValue()));
    }
    return slots;
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  private static String hostname() {
    String h = System.getenv("HOSTNAME");
    if (h != null && !h.isBlank()) {
      return h;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  // ---- output ----

  private void configureLogging() {
    if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext ctx) {
      if (verbose) {
        ctx.getLogger("dev.taskjob").setLevel(Level.DEBUG);
      }
      if (quiet) {
        ctx.getLogger(Supervisor.TASK_LOG.getName()).setLevel(Level.WARN);
      }
    }
  }

  private void logConfiguration(TaskSource source, WorkerSettings s, TaskCommand taskCommand, Path eventFile,
      boolean toQueue, MetadataFlavor flavor, boolean groups) {
    LOG.info("Configuration:");
    LOG.info("  Task source: {}", source.description());
    LOG.info("  Tasks to skip: {}", startTask == null ? "None" : startTask);
    LOG.info("  Maximum number of tasks: {}", maxTasks == null ? "None" : maxTasks);
    LOG.info("  Provider: {}", provider == null ? "None" : provider);
    LOG.info("  Region: {}", region == null ? "None" : region);
    LOG.info("  Project ID: {}", project == null ? "None" : project);
    LOG.info("  Job ID: {}", job == null ? "None" : job);
    LOG.info("  Queue name: {}", queueName == null ? "None" : queueName);
    if (source.leaseDuration() != null) {
      LOG.info("  Queue lease: {}", DurationText.format(source.leaseDuration()));
      LOG.info("  Exit when the queue is empty for: {}",
          s.exitWhenEmpty() == null ? "never (keep polling)" : DurationText.format(s.exitWhenEmpty()));
    }
    LOG.info("  Instance ID: {}", instanceId == null ? "None" : instanceId);
    LOG.info("  Event log to file: {}", eventFile != null);
    LOG.info("  Event log file: {}", eventFile == null ? "None" : eventFile);
    LOG.info("  Event log to queue: {}", toQueue);
    LOG.info("  Heartbeat interval: {}", s.heartbeatInterval() == null || s.heartbeatInterval().isZero()
        ? "None" : DurationText.format(s.heartbeatInterval()));
    LOG.info("  Num CPUs: {}", numCpus != null ? numCpus : Runtime.getRuntime().availableProcessors()
        + " (detected)");
    LOG.info("  Num simultaneous tasks{}: {}", simultaneousTasks == null ? " (default)" : "", s.slots());
    LOG.info("  Maximum runtime: {}", s.maxRuntime() == null ? "None" : DurationText.format(s.maxRuntime()));
    LOG.info("  Shutdown grace period: {}", DurationText.format(s.shutdownGracePeriod()));
    LOG.info("  Kill grace period (SIGTERM to SIGKILL): {}", DurationText.format(s.killGracePeriod()));
    LOG.info("  Maximum memory per task: {}", s.maxMemoryPerTaskBytes() == null ? "None"
        : (s.maxMemoryPerTaskBytes() >> 20) + " MiB (resident memory of the task's processes)");
    LOG.info("  Retry on failure: {}", s.retry().retryOnFailure());
    LOG.info("  Retry on timeout: {}", s.retry().retryOnTimeout());
    LOG.info("  Retry exit codes: {}", s.retry().retryExitCodes().isEmpty() ? "None"
        : new java.util.TreeSet<>(s.retry().retryExitCodes()));
    LOG.info("  Max attempts: {}", s.retry().maxAttempts());
    LOG.info("  Spot interruption check: {}", flavor == MetadataFlavor.NONE ? "None"
        : flavor == MetadataFlavor.LOCAL ? "local stop notice at " + localStopFile()
        : flavor.name().toLowerCase(Locale.ROOT) + " at " + (metadataUrl == null ? flavor.defaultBaseUrl() : metadataUrl));
    LOG.info("  Task command: {}{}", taskCommand, taskCommand.viaShell() ? " (via /bin/sh -c)" : "");
    LOG.info("  Task directories: {} (kept: {})", workDir.toAbsolutePath().normalize().resolve("tasks"),
        s.keepTaskDirs().name().toLowerCase(Locale.ROOT));
    LOG.info("  Whole process tree per task (tagged): {}", groups);
  }
}
