package dev.taskjob.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails the test class when a server process watched during the tests is still alive after the
 * server extension stopped. Register it with a lower {@code @Order} than the server extension:
 * after-all callbacks run in reverse order, so this one checks after the server's has stopped it.
 */
final class ServerProcessesGone implements AfterAllCallback {

  private final List<ProcessHandle> watched = new ArrayList<>();

  /** Remembers the server's processes as they are now (the server and every child it started). */
  List<ProcessHandle> watch(ExternalServerExtension server) {
    List<ProcessHandle> processes = server.serverProcesses();
    watched.addAll(processes);
    return processes;
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    for (ProcessHandle process : watched) {
      try {
        process.onExit().get(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // reported below with the command line
      }
      assertThat(process.isAlive())
          .as("process %d (%s) outlived its test class", process.pid(), process.info().commandLine().orElse("?"))
          .isFalse();
    }
  }
}
