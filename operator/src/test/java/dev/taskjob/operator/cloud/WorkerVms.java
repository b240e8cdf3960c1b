package dev.taskjob.operator.cloud;

import dev.taskjob.provider.local.LocalCloudProvider;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Cloud VMs played on this machine: a VM boots by running its startup script (the user data or
 * {@code startup-script} metadata the operator rendered) with bash, in a scratch root of its own: the
 * script's directories ({@code /etc/taskjob}, {@code /var/lib/taskjob}, {@code /mnt/taskjob-scratch},
 * {@code /dev/disk/by-id}) are moved under the VM's directory, and stand-ins on its PATH play the machine:
 * {@code curl} answers as the metadata endpoint with the VM's zone, {@code systemctl}, {@code mount},
 * {@code shutdown} and the registry helpers succeed, {@code docker} pulls, fills the worker volume and passes
 * the job image's checks, and its run of the worker starts the real worker supervisor with the environment
 * file the script wrote, plus what a VM's surroundings provide (API endpoints, the
 * instance identity's credentials). Stopping a VM sends SIGTERM to its worker, as {@code docker stop} does
 * on a VM that shuts down; the script then runs to its end.
 */
final class WorkerVms implements AutoCloseable {

  private static final long STOP_GRACE_SECONDS = 20;
  private static final List<String> RELOCATED = List.of("/etc/taskjob", "/var/lib/taskjob", "/mnt/taskjob-scratch",
      "/dev/disk/by-id");
  private static final String RECORD = "line=$(basename \"$0\"); for a in \"$@\"; do line+=$'\\t'\"$a\"; done; "
      + "echo \"$line\" >> \"$VM_DIR/calls.log\"\n";
  /** Commands that would act on this machine: each only records its call (and succeeds). */
  private static final Map<String, String> STAND_INS = Map.of(
      "systemctl", "",
      "mount", "",
      "mkfs.ext4", "",
      "mdadm", "",
      "shutdown", "",
      "cos-extensions", "",
      "aws", "",
      "docker-credential-gcr", "",
      "curl", """
          case "$*" in
            *latest/api/token*) printf 'token-%s' "$$" ;;
            *placement/availability-zone*) printf '%s' "$VM_ZONE" ;;
            *computeMetadata/v1/instance/zone*) printf 'projects/1/zones/%s' "$VM_ZONE" ;;
            *) exit 22 ;;
          esac
          """,
      "docker", """
          case "$1 $2" in
            "volume inspect") echo "$VM_DIR/worker-volume"; exit 0 ;;
            "image inspect") case "$(uname -m)" in aarch64) echo arm64 ;; *) echo amd64 ;; esac; exit 0 ;;
          esac
          # Only the worker's own run is played; pulls, the volume fill and the image checks succeed.
          case " $* " in *" --name taskjob-worker "*) ;; *) exit 0 ;; esac
          env_file=""
          while [ $# -gt 0 ]; do [ "$1" = --env-file ] && env_file=$2; shift; done
          while IFS= read -r entry; do export "${entry?}"; done < "$env_file"
          echo "$$" > "$VM_DIR/worker.pid"
          exec "$WORKER_JAVA" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$WORKER_CLASSPATH" "$WORKER_MAIN_CLASS"
          """);

  private final Path root;
  private final Map<String, Process> scripts = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> surroundingsOf = new ConcurrentHashMap<>();
  private final Set<String> stopped = ConcurrentHashMap.newKeySet();

  WorkerVms(Path root) {
    this.root = root;
  }

  /**
   * Boots VM {@code id} unless it was booted before (a VM boots once): runs {@code startupScript}.
   *
   * @param zone the VM's zone, which the metadata endpoint reports
   * @param surroundings what the VM has besides its startup script (endpoints, credentials)
   */
  synchronized void boot(String id, String zone, String startupScript, Map<String, String> surroundings) {
    if (scripts.containsKey(id)) {
      return;
    }
    Path dir = root.resolve(id);
    try {
      Path bin = Files.createDirectories(dir.resolve("bin"));
      Files.createDirectories(dir.resolve("dev/disk/by-id"));
      for (Map.Entry<String, String> standIn : STAND_INS.entrySet()) {
        Path file = bin.resolve(standIn.getKey());
        Files.writeString(file, "#!/bin/bash\n" + RECORD + standIn.getValue());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      Path script = Files.writeString(dir.resolve("startup-script.sh"), relocated(startupScript, dir));
      ProcessBuilder builder = new ProcessBuilder("bash", script.toString())
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("worker.log").toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      Map<String, String> env = builder.environment();
      env.putAll(surroundings);
      env.put("PATH", bin + File.pathSeparator + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
      env.put("VM_DIR", dir.toString());
      env.put("VM_ZONE", zone == null ? "" : zone);
      env.put("WORKER_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
      env.put("WORKER_CLASSPATH", System.getProperty("java.class.path"));
      env.put("WORKER_MAIN_CLASS", LocalCloudProvider.WORKER_MAIN_CLASS);
      env.put("TASKJOB_WORK_DIR", dir.resolve("work").toString());
      surroundingsOf.put(id, Map.copyOf(surroundings));
      scripts.put(id, builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot boot VM " + id, e);
    }
  }

  /** The script with its host directories moved under the VM's own directory. */
  private static String relocated(String script, Path dir) {
    String relocated = script;
    for (String hostDir : RELOCATED) {
      String assignment = "=" + hostDir + "\n";
      if (!relocated.contains(assignment)) {
        throw new AssertionError("the startup script sets no " + hostDir + ":\n" + script);
      }
      relocated = relocated.replace(assignment, "=" + dir + hostDir + "\n");
    }
    return relocated;
  }

  /**
   * Sends SIGTERM to the workers of these VMs, once per VM as a shutting-down VM does (the worker takes a
   * second SIGTERM as "stop at once"); a VM whose script has not started its worker yet is stopped whole.
   * Does not wait.
   */
  void stop(Collection<String> ids) {
    for (String id : ids) {
      Process script = scripts.get(id);
      if (script == null || !script.isAlive() || !stopped.add(id)) {
        continue;
      }
      Optional<ProcessHandle> worker = worker(id);
      if (worker.isPresent()) {
        worker.get().destroy();
      } else {
        script.descendants().forEach(ProcessHandle::destroy);
        script.destroy();
      }
    }
  }

  private Optional<ProcessHandle> worker(String id) {
    Path pidFile = root.resolve(id).resolve("worker.pid");
    try {
      return Files.exists(pidFile) ? ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()))
          : Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * VMs booted so far, with the environment their worker was started with: the env file the startup script
   * wrote, then the VM's surroundings (empty while the script has not written it yet).
   */
  Map<String, Map<String, String>> booted() {
    Map<String, Map<String, String>> booted = new LinkedHashMap<>();
    for (String id : scripts.keySet()) {
      Map<String, String> env = new LinkedHashMap<>();
      Path envFile = root.resolve(id).resolve("etc/taskjob/worker.env");
      try {
        if (Files.exists(envFile)) {
          for (String line : Files.readAllLines(envFile)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
              env.put(line.substring(0, eq), line.substring(eq + 1));
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      env.putAll(surroundingsOf.get(id));
      booted.put(id, env);
    }
    return booted;
  }

  /** How many VMs have started their worker (their {@code docker run} of it has begun). */
  int workersStarted() {
    return (int) scripts.keySet().stream().filter(id -> Files.exists(root.resolve(id).resolve("worker.pid"))).count();
  }

  /** The commands each VM's startup script ran through the stand-ins, one line per call, tab-separated. */
  List<String> calls(String id) {
    Path log = root.resolve(id).resolve("calls.log");
    try {
      return Files.exists(log) ? Files.readAllLines(log) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** VMs whose startup script (and so its worker) still runs. */
  List<String> running() {
    List<String> alive = new ArrayList<>();
    scripts.forEach((id, p) -> {
      if (p.isAlive()) {
        alive.add(id);
      }
    });
    return alive;
  }

  /** The last lines of every VM's output (script and worker), for failure messages. */
  String logTails() {
    StringBuilder out = new StringBuilder();
    for (String id : scripts.keySet()) {
      Path log = root.resolve(id).resolve("worker.log");
      try {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        out.append("--- VM ").append(id).append(":\n")
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()))).append('\n');
      } catch (IOException e) {
        out.append("--- VM ").append(id).append(": ").append(e).append('\n');
      }
    }
    return out.toString();
  }

  /** Stops every VM still running, killing what does not exit within the grace period. */
  @Override
  public void close() {
    stop(List.copyOf(scripts.keySet()));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_GRACE_SECONDS);
    for (Process script : scripts.values()) {
      try {
        script.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (script.isAlive()) {
        script.descendants().forEach(ProcessHandle::destroyForcibly);
        script.destroyForcibly();
      }
    }
  }
}
