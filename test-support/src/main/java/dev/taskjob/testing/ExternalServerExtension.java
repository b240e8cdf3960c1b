package dev.taskjob.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts a real server process on a free loopback port before a test class and stops it (and every
 * process it started) after. Register it in a {@code static} field with {@code @RegisterExtension}.
 *
 * <p>When the server's executable is missing the class is skipped with a message naming what to
 * install, unless {@code TASKJOB_REQUIRE_EMULATORS=1}, in which case it fails: CI must not pass
 * by skipping.
 */
public abstract class ExternalServerExtension implements BeforeAllCallback, AfterAllCallback {

  public static final String REQUIRE_ENV = "TASKJOB_REQUIRE_EMULATORS";

  private Process process;
  private Thread shutdownHook;
  private int port;
  private Path log;

  /** The executable looked up on PATH. */
  protected abstract String executable();

  /** What to tell a developer who lacks the executable. */
  protected abstract String installHint();

  /** The command line for a server listening on 127.0.0.1:port. */
  protected abstract List<String> command(String executablePath, int port);

  /** How long the server may take to accept connections. */
  protected Duration startupTimeout() {
    return Duration.ofSeconds(60);
  }

  /** Extra readiness check after the port accepts connections; default none. */
  protected void awaitReady(int port, Duration timeout) throws Exception {}

  /** Adjusts the server's environment (inherited from the test JVM); default no change. */
  protected void configureEnvironment(Map<String, String> environment) {}

  /** True when a missing executable must fail the tests rather than skip them. */
  protected boolean emulatorsRequired() {
    return "1".equals(System.getenv(REQUIRE_ENV));
  }

  public int port() {
    return port;
  }

  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  /** The running server and every process it started; empty when not running. */
  public List<ProcessHandle> serverProcesses() {
    if (process == null) {
      return List.of();
    }
    List<ProcessHandle> all = new ArrayList<>();
    all.add(process.toHandle());
    process.descendants().forEach(all::add);
    return all;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    String path = findOnPath(executable());
    if (path == null) {
      String message = executable() + " is not installed: " + installHint();
      if (emulatorsRequired()) {
        throw new IllegalStateException(message + " (" + REQUIRE_ENV + "=1, so this fails instead of skipping)");
      }
      Assumptions.abort(message + "; skipping " + context.getDisplayName());
    }
    port = freePort();
    log = Files.createTempFile("taskjob-" + executable() + "-", ".log");
    ProcessBuilder builder = new ProcessBuilder(command(path, port))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    configureEnvironment(builder.environment());
    process = builder.start();
    // A test JVM that is killed or exits early must not leave servers behind.
    shutdownHook = new Thread(this::stopProcesses, "stop-" + executable());
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    long deadline = System.nanoTime() + startupTimeout().toNanos();
    while (!accepts(port)) {
      if (!process.isAlive()) {
        int code = process.exitValue();
        String tail = tail();
        stop();
        throw new IllegalStateException(executable() + " exited with " + code + " at start; log:\n" + tail);
      }
      if (System.nanoTime() > deadline) {
        String tail = tail();
        stop();
        throw new IllegalStateException(executable() + " did not listen on " + hostPort() + " within "
            + startupTimeout().toSeconds() + "s; log:\n" + tail);
      }
      Thread.sleep(100);
    }
    try {
      awaitReady(port, startupTimeout());
    } catch (Exception e) {
      String tail = tail();
      stop();
      throw new IllegalStateException(executable() + " is not ready: " + e.getMessage() + "; log:\n" + tail, e);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
  }

  /**
   * Stops the server and its descendants, and waits until they are gone. The Pub/Sub emulator is a
   * Java child of the gcloud Python process that does not stop with its parent, so the whole tree
   * is signalled, not just the process we started.
   */
  public void stop() {
    if (process == null) {
      return;
    }
    stopProcesses();
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down; the hook has run or will run harmlessly
      }
      shutdownHook = null;
    }
    process = null;
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      // a stray temp file is harmless
    }
  }

  private void stopProcesses() {
    List<ProcessHandle> tree = serverProcesses();
    tree.forEach(ProcessHandle::destroy);
    if (!awaitExit(tree, Duration.ofSeconds(10))) {
      tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
      awaitExit(tree, Duration.ofSeconds(10));
    }
  }

  private static boolean awaitExit(List<ProcessHandle> processes, Duration timeout) {
    CompletableFuture<?>[] exits = processes.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(exits).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException | ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  static String findOnPath(String name) {
    String pathEnv = System.getenv("PATH");
    if (pathEnv == null) {
      return null;
    }
    for (String dir : pathEnv.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      File candidate = new File(dir, name);
      if (candidate.isFile() && candidate.canExecute()) {
        return candidate.getAbsolutePath();
      }
    }
    return null;
  }

  /** A port free on 127.0.0.1 at the time of the call. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
