package dev.taskjob.provider.local;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.CloudException;
import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.PriceOverrides;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderConfig.Keys;
import dev.taskjob.core.cloud.StopNotice;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "VMs" that are worker processes on this machine. Each lives in {@code <root>/instances/<name>/} with its
 * state file {@code instance.json} (tags, type, pid), its working directory {@code work/} and its output in
 * {@code worker.log}. The worker is started as {@code java <WORKER_JVM_FLAGS> -cp <this JVM's class path>
 * dev.taskjob.worker.WorkerMain} ({@link #defaultWorkerCommand}), or {@link Keys#LOCAL_WORKER_COMMAND} (a JSON array or a space-separated
 * command line), with a clean environment: only the allow-listed variables of this process
 * ({@link #INHERITED_ENVIRONMENT}: search path, home, locale, time zone, temp directory), then the request's
 * worker environment, {@code TASKJOB_INSTANCE_ID} and {@code TASKJOB_LOCAL_ROOT}. Credentials and tokens in
 * this process's environment never reach a worker or a task. The request's startup script is written next
 * to the state file for reference and not run: locally the worker is started directly.
 *
 * <p>Create, list and terminate take a file lock on {@code <root>/instances/.lock}, so an operator and a
 * CLI on the same root never race.
 */
public final class LocalCloudProvider implements CloudProvider {

  /** The worker's main class, from the worker-image module. */
  public static final String WORKER_MAIN_CLASS = "dev.taskjob.worker.WorkerMain";
  /**
   * The worker image's JVM flags: a worker's hot path is fork/exec, so the client compiler and the serial
   * collector start it sooner and leave the cores to the tasks (docs/benchmarks.md, "JVM start-up").
   */
  public static final List<String> WORKER_JVM_FLAGS =
      List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m", "-XX:+ExitOnOutOfMemoryError");
  static final String STATE_FILE = "instance.json";
  /** The only variables a worker takes from this process's environment; a task program needs no more. */
  public static final java.util.Set<String> INHERITED_ENVIRONMENT =
      java.util.Set.of("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "USER", "LOGNAME");
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  /** The worker's own default when the request does not set {@code TASKJOB_SHUTDOWN_GRACE_PERIOD}. */
  static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
  /** After its grace period, the time a worker has to hand back what it could not finish and exit. */
  static final Duration HAND_BACK_TIME = Duration.ofSeconds(5);
  /** How long terminate waits for a worker with nothing left to finish, before it returns. */
  private static final Duration EXIT_WAIT = Duration.ofSeconds(2);
  private static final Duration KILL_WAIT = Duration.ofSeconds(2);
  private static final Pattern GRACE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)?");
  private static final Map<Path, Object> MONITORS = new ConcurrentHashMap<>();
  private static final Logger log = LoggerFactory.getLogger(LocalCloudProvider.class);

  private final Path root;
  private final Path instancesDir;
  private final List<String> workerCommand;
  private final InstanceCatalog catalog;
  private final Clock clock;
  /** Processes each signalled worker had when signalled, killed once it has exited (daemons it left behind). */
  private final Map<Long, List<ProcessHandle>> signalledTrees = new ConcurrentHashMap<>();

  public LocalCloudProvider(ProviderConfig config) {
    this(rootOf(config), workerCommandOf(config), PriceOverrides.fromConfig(config).apply(LocalCatalog.forThisMachine()),
        Clock.systemUTC());
  }

  LocalCloudProvider(Path root, List<String> workerCommand, InstanceCatalog catalog, Clock clock) {
    this.root = root.toAbsolutePath();
    this.instancesDir = this.root.resolve("instances");
    this.workerCommand = List.copyOf(workerCommand);
    this.catalog = catalog;
    this.clock = clock;
  }

  /** {@link Keys#LOCAL_ROOT}, else {@code ${java.io.tmpdir}/taskjob-local}. */
  public static Path rootOf(ProviderConfig config) {
    String configured = config.property(Keys.LOCAL_ROOT);
    return configured != null && !configured.isBlank()
        ? Path.of(configured)
        : Path.of(System.getProperty("java.io.tmpdir"), "taskjob-local");
  }

  /** Workers run in their own directories, so relative entries (java -jar target/taskjob.jar) are made absolute. */
  static String absoluteClassPath(String classPath) {
    return java.util.Arrays.stream(classPath.split(java.io.File.pathSeparator))
        .filter(entry -> !entry.isEmpty())
        .map(entry -> Path.of(entry).toAbsolutePath().normalize().toString())
        .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
  }

  static List<String> workerCommandOf(ProviderConfig config) {
    String configured = config.property(Keys.LOCAL_WORKER_COMMAND);
    if (configured == null || configured.isBlank()) {
      return defaultWorkerCommand(Path.of(System.getProperty("java.home")),
          absoluteClassPath(System.getProperty("java.class.path")));
    }
    String trimmed = configured.trim();
    if (trimmed.startsWith("[")) {
      try {
        List<String> command = Json.MAPPER.readValue(trimmed, new TypeReference<List<String>>() {});
        if (!command.isEmpty()) {
          return command;
        }
      } catch (IOException e) {
        throw new IllegalArgumentException(Keys.LOCAL_WORKER_COMMAND + ": not a JSON array of strings: " + trimmed, e);
      }
      throw new IllegalArgumentException(Keys.LOCAL_WORKER_COMMAND + ": the command is empty");
    }
    return List.of(trimmed.split("\\s+"));
  }

  /**
   * This JVM's java with {@link #WORKER_JVM_FLAGS} on {@code classPath}; when the class path is one jar with
   * the worker's class-data archive beside it ({@code taskjob.jar}: {@code taskjob-worker.jsa}, made by the
   * build), the worker maps its classes from the archive. The JVM checks that the archive matches the jar and
   * otherwise runs without it; its warning is turned off, since nothing is wrong but a slower start.
   */
  static List<String> defaultWorkerCommand(Path javaHome, String classPath) {
    List<String> command = new ArrayList<>();
    command.add(javaHome.resolve("bin").resolve("java").toString());
    command.addAll(WORKER_JVM_FLAGS);
    workerArchive(classPath).ifPresent(archive -> command.addAll(List.of("-XX:SharedArchiveFile=" + archive,
        "-Xlog:cds=off", "-Xlog:cds+dynamic=off")));
    command.addAll(List.of("-cp", classPath, WORKER_MAIN_CLASS));
    return List.copyOf(command);
  }

  private static Optional<Path> workerArchive(String classPath) {
    if (classPath.contains(File.pathSeparator) || !classPath.endsWith(".jar")) {
      return Optional.empty();
    }
    Path jar = Path.of(classPath);
    String name = jar.getFileName().toString();
    Path archive = jar.resolveSibling(name.substring(0, name.length() - ".jar".length()) + "-worker.jsa");
    return Files.isRegularFile(archive) ? Optional.of(archive) : Optional.empty();
  }

  @Override
  public String name() {
    return "local";
  }

  public Path root() {
    return root;
  }

  @Override
  public InstanceCatalog catalog() {
    return catalog;
  }

  @Override
  public Instance create(CreateInstanceRequest request) {
    if (!NAME.matcher(request.name()).matches()) {
      throw new IllegalArgumentException("instance name '" + request.name()
          + "' must be 1-63 lower-case letters, digits or '-', starting and ending with a letter or digit");
    }
    if (catalog.find(request.instanceType()).isEmpty()) {
      throw new IllegalArgumentException("instanceType '" + request.instanceType() + "' is not a local type; have "
          + catalog.types().stream().map(t -> t.name()).toList());
    }
    return locked(() -> {
      Optional<LocalInstanceRecord> existing = readAll().stream()
          .filter(r -> r.idempotencyKey().equals(request.idempotencyKey()))
          .findFirst();
      if (existing.isPresent()) {
        return toInstance(existing.get());
      }
      Path dir = instancesDir.resolve(request.name());
      if (Files.exists(dir.resolve(STATE_FILE))) {
        throw new CloudException("a local instance named '" + request.name()
            + "' already exists with another idempotency key", false);
      }
      Path work = Files.createDirectories(dir.resolve("work"));
      if (request.startupScript() != null) {
        Files.writeString(dir.resolve("startup-script.sh"), request.startupScript());
      }
      ProcessBuilder builder = new ProcessBuilder(workerCommand)
          .directory(work.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("worker.log").toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.environment().clear();
      builder.environment().putAll(inheritedEnvironment(System.getenv()));
      builder.environment().putAll(request.workerEnvironment());
      builder.environment().put("TASKJOB_INSTANCE_ID", request.name());
      builder.environment().put("TASKJOB_LOCAL_ROOT", root.toString());
      Process process;
      try {
        process = builder.start();
      } catch (IOException e) {
        throw new CloudException("cannot start the local worker " + workerCommand + ": " + e.getMessage(), false, e);
      }
      Instant now = clock.instant();
      LocalInstanceRecord created = new LocalInstanceRecord(request.name(), request.idempotencyKey(),
          request.instanceType(), request.spot(), request.tags(), workerCommand, process.pid(),
          process.info().startInstant().orElse(null), now, null,
          shutdownGrace(request.workerEnvironment().get("TASKJOB_SHUTDOWN_GRACE_PERIOD")));
      write(dir, created);
      log.info("started local instance {} (pid {}, type {})", request.name(), process.pid(), request.instanceType());
      return toInstance(created);
    });
  }

  @Override
  public List<Instance> list(Map<String, String> tags) {
    reap();
    return locked(() -> readAll().stream()
        .filter(r -> r.tags().entrySet().containsAll(tags.entrySet()))
        .map(this::toInstance)
        .toList());
  }

  /**
   * Writes the pool's stop notice ({@link StopNotice#localFile}) into each live instance's directory, which its
   * worker polls as a cloud worker polls the instance metadata: it takes no new task, lets its running ones
   * finish within its grace period and exits. Unknown, invalid or terminated ids are skipped.
   */
  @Override
  public void sendStopNotice(Collection<String> instanceIds) {
    locked(() -> {
      for (String id : instanceIds) {
        Path dir = instancesDir.resolve(id);
        if (!NAME.matcher(id).matches() || !Files.exists(dir.resolve(STATE_FILE))
            || read(dir).terminatedAt() != null) {
          continue;
        }
        Path notice = StopNotice.localFile(root, id);
        Path tmp = notice.resolveSibling(StopNotice.KEY + ".tmp");
        Files.writeString(tmp, StopNotice.SCALE_IN);
        Files.move(tmp, notice, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        log.info("told local instance {} to take no new task", id);
      }
      return null;
    });
  }

  /**
   * Sends SIGTERM to each worker only, as {@code docker stop} does on a VM: the worker stops taking tasks,
   * writes the stop notice, gives running ones its {@code shutdownGracePeriod} and hands back what it cannot
   * finish. Signalling the task processes too would make them exit 143 before the worker knows it is
   * stopping, and the worker would report them as failed. Returns once the worker exited or after a short
   * wait: a worker still finishing tasks is listed TERMINATING, and a later {@link #list} or terminate kills
   * it and everything it started once its grace period and {@link #HAND_BACK_TIME} have passed. Whatever an
   * exited worker left behind is killed too.
   */
  @Override
  public void terminate(Collection<String> instanceIds) {
    List<ProcessHandle> signalled = new ArrayList<>();
    // Signal and record under the lock; wait outside it, so other pools' calls are not held up.
    locked(() -> {
      for (String id : instanceIds) {
        Path dir = instancesDir.resolve(id);
        if (!NAME.matcher(id).matches() || !Files.exists(dir.resolve(STATE_FILE))) {
          continue;
        }
        LocalInstanceRecord record = read(dir);
        Optional<ProcessHandle> process = liveProcess(record);
        if (process.isPresent() && record.terminatedAt() == null) {
          // the tree as it is now, to kill whatever the worker leaves behind once it has exited
          signalledTrees.put(process.get().pid(), process.get().descendants().toList());
          process.get().destroy();
          signalled.add(process.get());
        }
        if (record.terminatedAt() == null) {
          write(dir, record.terminated(clock.instant()));
          log.info("terminated local instance {} (pid {})", id, record.pid());
        }
      }
      return null;
    });
    long deadline = System.nanoTime() + EXIT_WAIT.toNanos();
    for (ProcessHandle handle : signalled) {
      long left = deadline - System.nanoTime();
      try {
        if (left > 0) {
          handle.onExit().get(left, TimeUnit.NANOSECONDS);
        }
      } catch (Exception e) {
        // still finishing its tasks within its grace period: reaped by a later call
      }
    }
    reap();
  }

  /**
   * Kills what exited workers left behind, and every worker past its grace period and hand-back time
   * with all it started.
   */
  private void reap() {
    List<LocalInstanceRecord> records;
    try {
      records = readAll();
    } catch (IOException e) {
      log.debug("cannot read local instances to reap them: {}", e.toString());
      return;
    }
    Instant now = clock.instant();
    for (LocalInstanceRecord r : records) {
      if (r.terminatedAt() == null) {
        continue;
      }
      Optional<ProcessHandle> live = liveProcess(r);
      Duration grace = r.shutdownGracePeriod() == null ? DEFAULT_SHUTDOWN_GRACE : r.shutdownGracePeriod();
      if (live.isPresent() && !now.isBefore(r.terminatedAt().plus(grace).plus(HAND_BACK_TIME))) {
        log.info("local instance {} (pid {}) still running {} after SIGTERM: killing it", r.name(), r.pid(),
            grace.plus(HAND_BACK_TIME));
        signalledTrees.merge(r.pid(), live.get().descendants().toList(), (a, b) -> {
          List<ProcessHandle> all = new ArrayList<>(a);
          all.addAll(b);
          return all;
        });
        live.get().descendants().forEach(ProcessHandle::destroyForcibly);
        live.get().destroyForcibly();
        awaitExit(live.get(), KILL_WAIT);
        live = Optional.empty();
      }
      if (live.isEmpty()) {
        List<ProcessHandle> leftBehind = signalledTrees.remove(r.pid());
        if (leftBehind != null) {
          for (ProcessHandle p : leftBehind) {
            if (p.destroyForcibly()) {
              awaitExit(p, KILL_WAIT);
            }
          }
        }
      }
    }
  }

  /** {@code TASKJOB_SHUTDOWN_GRACE_PERIOD} as the worker reads it: seconds, or a number with ms, s, m or h. */
  static Duration shutdownGrace(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    Matcher m = GRACE.matcher(value.trim());
    if (!m.matches()) {
      return null;
    }
    double amount = Double.parseDouble(m.group(1));
    double millis = switch (m.group(2) == null ? "s" : m.group(2)) {
      case "ms" -> amount;
      case "m" -> amount * 60_000;
      case "h" -> amount * 3_600_000;
      default -> amount * 1000;
    };
    return Duration.ofMillis((long) millis);
  }

  private static void awaitExit(ProcessHandle process, Duration limit) {
    try {
      process.onExit().get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.debug("process {} still exists after SIGKILL", process.pid());
    }
  }

  private Instance toInstance(LocalInstanceRecord r) {
    InstanceState state;
    if (r.terminatedAt() != null) {
      state = liveProcess(r).isPresent() ? InstanceState.TERMINATING : InstanceState.TERMINATED;
    } else {
      // A worker that exits on its own (queue drained, crash) is gone, like a VM that shut itself down.
      state = liveProcess(r).isPresent() ? InstanceState.RUNNING : InstanceState.TERMINATED;
    }
    // terminated on request: billed until the request, as a cloud stops billing at termination
    Instant ended = state == InstanceState.TERMINATED ? r.terminatedAt() : null;
    return new Instance(r.name(), r.name(), r.instanceType(), LocalCatalog.ZONE, r.spot(), state, r.launchTime(),
        r.tags(), ended);
  }

  /** The worker process if it still runs; a different process that reused the pid does not count. */
  private static Optional<ProcessHandle> liveProcess(LocalInstanceRecord r) {
    return ProcessHandle.of(r.pid())
        .filter(ProcessHandle::isAlive)
        .filter(h -> r.processStart() == null
            || h.info().startInstant().map(s -> Math.abs(Duration.between(s, r.processStart()).toMillis()) < 1000)
                .orElse(true));
  }

  private List<LocalInstanceRecord> readAll() throws IOException {
    if (!Files.isDirectory(instancesDir)) {
      return List.of();
    }
    List<LocalInstanceRecord> records = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(instancesDir)) {
      for (Path dir : dirs.sorted().toList()) {
        if (Files.isRegularFile(dir.resolve(STATE_FILE))) {
          try {
            records.add(read(dir));
          } catch (IOException e) {
            log.warn("skipping unreadable local instance state {}: {}", dir.resolve(STATE_FILE), e.getMessage());
          }
        }
      }
    }
    return records;
  }

  private static LocalInstanceRecord read(Path dir) throws IOException {
    return Json.MAPPER.readValue(dir.resolve(STATE_FILE).toFile(), LocalInstanceRecord.class);
  }

  private static void write(Path dir, LocalInstanceRecord record) throws IOException {
    Path tmp = dir.resolve(STATE_FILE + ".tmp");
    Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), record);
    try {
      Files.move(tmp, dir.resolve(STATE_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, dir.resolve(STATE_FILE), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private interface IoAction<T> {
    T run() throws IOException;
  }

  /**
   * Runs under a per-root monitor (several providers in one JVM may share a root, and a JVM may hold a file
   * lock only once) and the root's file lock (another process may share the root).
   */
  private <T> T locked(IoAction<T> action) {
    Object monitor = MONITORS.computeIfAbsent(instancesDir, k -> new Object());
    synchronized (monitor) {
      return lockedFile(action);
    }
  }

  private <T> T lockedFile(IoAction<T> action) {
    try {
      Files.createDirectories(instancesDir);
      try (FileChannel channel = FileChannel.open(instancesDir.resolve(".lock"),
              StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = channel.lock()) {
        return action.run();
      }
    } catch (IOException e) {
      throw new CloudException("local instances under " + instancesDir + ": " + e, false, e);
    }
  }

  /** The allow-listed part of an environment (see {@link #INHERITED_ENVIRONMENT}). */
  static Map<String, String> inheritedEnvironment(Map<String, String> environment) {
    Map<String, String> kept = new java.util.TreeMap<>();
    environment.forEach((name, value) -> {
      if (INHERITED_ENVIRONMENT.contains(name)) {
        kept.put(name, value);
      }
    });
    return kept;
  }
}
