package dev.taskjob.operator.cloud;

import dev.taskjob.provider.local.LocalCloudProvider;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Real worker supervisor processes standing in for cloud VMs. A VM "boots" by running what its startup
 * script would run: the worker, with the environment file the script writes (parsed from the script the
 * operator rendered), plus what a VM's surroundings provide (API endpoints, the instance identity's
 * credentials). Stopping a VM sends SIGTERM, as {@code docker stop} does on a VM that shuts down.
 */
final class WorkerVms implements AutoCloseable {

  private static final String ENV_FILE_START = "<<'TASKJOB_WORKER_ENV' || return\n";
  private static final String ENV_FILE_END = "\nTASKJOB_WORKER_ENV\n";
  private static final long STOP_GRACE_SECONDS = 20;

  private final Path root;
  private final Map<String, Process> processes = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> environments = new ConcurrentHashMap<>();
  private final Set<String> stopped = ConcurrentHashMap.newKeySet();

  WorkerVms(Path root) {
    this.root = root;
  }

  /**
   * The worker environment a startup script writes to {@code /etc/taskjob/worker.env}.
   *
   * @throws AssertionError when the script has no such file
   */
  static Map<String, String> environmentOf(String startupScript) {
    int start = startupScript.indexOf(ENV_FILE_START);
    int end = startupScript.indexOf(ENV_FILE_END, start);
    if (start < 0 || end < 0) {
      throw new AssertionError("the startup script writes no worker environment file:\n" + startupScript);
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : startupScript.substring(start + ENV_FILE_START.length(), end).split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        env.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return env;
  }

  /**
   * Starts the worker of VM {@code id} unless it was started before (a VM boots once).
   *
   * @param scriptEnvironment the environment from the VM's startup script
   * @param surroundings what the VM has besides its startup script (endpoints, credentials)
   */
  synchronized void boot(String id, Map<String, String> scriptEnvironment, Map<String, String> surroundings) {
    if (environments.containsKey(id)) {
      return;
    }
    Path dir = root.resolve(id);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        LocalCloudProvider.WORKER_MAIN_CLASS)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("worker.log").toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Map<String, String> env = new LinkedHashMap<>(scriptEnvironment);
    env.putAll(surroundings);
    env.put("TASKJOB_WORK_DIR", dir.resolve("work").toString());
    builder.environment().putAll(env);
    environments.put(id, Map.copyOf(env));
    try {
      processes.put(id, builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the worker of VM " + id, e);
    }
  }

  /**
   * Sends SIGTERM to the workers of these VMs (and what they started), once per VM as a shutting-down VM
   * does: the worker takes a second SIGTERM as "stop at once". Does not wait.
   */
  void stop(Collection<String> ids) {
    for (String id : ids) {
      Process process = processes.get(id);
      if (process != null && process.isAlive() && stopped.add(id)) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
      }
    }
  }

  /** VMs booted so far, with the environment each worker was started with. */
  Map<String, Map<String, String>> booted() {
    return Map.copyOf(environments);
  }

  /** VMs whose worker process still runs. */
  List<String> running() {
    List<String> alive = new ArrayList<>();
    processes.forEach((id, p) -> {
      if (p.isAlive()) {
        alive.add(id);
      }
    });
    return alive;
  }

  /** The last lines of every worker's output, for failure messages. */
  String logTails() {
    StringBuilder out = new StringBuilder();
    for (String id : environments.keySet()) {
      Path log = root.resolve(id).resolve("worker.log");
      try {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        out.append("--- worker of ").append(id).append(":\n")
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()))).append('\n');
      } catch (IOException e) {
        out.append("--- worker of ").append(id).append(": ").append(e).append('\n');
      }
    }
    return out.toString();
  }

  /** Stops every worker still running, killing what does not exit within the grace period. */
  @Override
  public void close() {
    stop(List.copyOf(processes.keySet()));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_GRACE_SECONDS);
    for (Process process : processes.values()) {
      try {
        process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (process.isAlive()) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    }
  }
}
