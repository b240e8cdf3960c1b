package dev.taskjob.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

  public int port() {
    return port;
  }

  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    String path = findOnPath(executable());
    if (path == null) {
      String message = executable() + " is not installed: " + installHint();
      if ("1".equals(System.getenv(REQUIRE_ENV))) {
        throw new IllegalStateException(message + " (" + REQUIRE_ENV + "=1, so this fails instead of skipping)");
      }
      Assumptions.abort(message + "; skipping " + context.getDisplayName());
    }
    port = freePort();
    log = Files.createTempFile("taskjob-" + executable() + "-", ".log");
    process = new ProcessBuilder(command(path, port))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    long deadline = System.nanoTime() + startupTimeout().toNanos();
    while (!accepts(port)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(executable() + " exited with " + process.exitValue() + "; log:\n" + tail());
      }
      if (System.nanoTime() > deadline) {
        stop();
        throw new IllegalStateException(executable() + " did not listen on " + hostPort() + " within "
            + startupTimeout().toSeconds() + "s; log:\n" + tail());
      }
      Thread.sleep(100);
    }
    awaitReady(port, startupTimeout());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
  }

  /** Stops the server and its descendants (the Pub/Sub emulator runs as a child of gcloud). */
  public void stop() {
    if (process == null) {
      return;
    }
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    descendants.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    process = null;
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
      File candidate = new File(dir, name);
      if (candidate.isFile() && candidate.canExecute()) {
        return candidate.getAbsolutePath();
      }
    }
    return null;
  }

  /** A port free on 127.0.0.1 at the time of the call. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
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
