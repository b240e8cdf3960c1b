package dev.taskjob.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.abortedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * What a test class sees when its server is missing, dies at start or never listens. The fixture
 * classes below are run in-process with JUnit's test kit (Surefire does not run nested classes).
 */
class ExternalServerExtensionTest {

  private static final String MISSING = "taskjob-no-such-server";

  /** A server whose executable is nowhere on PATH. */
  static final class MissingServer extends ExternalServerExtension {
    private final boolean required;

    MissingServer(boolean required) {
      this.required = required;
    }

    @Override
    protected String executable() {
      return MISSING;
    }

    @Override
    protected String installHint() {
      return "install it with apt-get install taskjob-no-such-server";
    }

    @Override
    protected List<String> command(String executablePath, int port) {
      return List.of(executablePath);
    }

    @Override
    protected boolean emulatorsRequired() {
      return required;
    }
  }

  /** A real executable started with arguments given by the test. */
  static final class CommandServer extends ExternalServerExtension {
    private final String executable;
    private final List<String> args;

    CommandServer(String executable, String... args) {
      this.executable = executable;
      this.args = List.of(args);
    }

    @Override
    protected String executable() {
      return executable;
    }

    @Override
    protected String installHint() {
      return "part of coreutils";
    }

    @Override
    protected List<String> command(String executablePath, int port) {
      List<String> command = new java.util.ArrayList<>();
      command.add(executablePath);
      command.addAll(args);
      return command;
    }

    @Override
    protected Duration startupTimeout() {
      return Duration.ofSeconds(1);
    }
  }

  static class SkippedWhenMissing {
    @RegisterExtension
    static final MissingServer SERVER = new MissingServer(false);

    @Test
    void needsTheServer() {}
  }

  static class FailsWhenMissingAndRequired {
    @RegisterExtension
    static final MissingServer SERVER = new MissingServer(true);

    @Test
    void needsTheServer() {}
  }

  static class ServerThatExitsAtStart {
    @RegisterExtension
    static final CommandServer SERVER = new CommandServer("false");

    @Test
    void needsTheServer() {}
  }

  /** A unique argument, so the test can look for a leftover process by its command line. */
  private static final String NEVER_LISTENS_MARK = "3600.4242";

  static class ServerThatNeverListens {
    @RegisterExtension
    static final CommandServer SERVER = new CommandServer("sleep", NEVER_LISTENS_MARK);

    @Test
    void needsTheServer() {}
  }

  @Test
  void skipsTheClassNamingWhatToInstallWhenTheExecutableIsMissing() {
    EngineExecutionResults results = run(SkippedWhenMissing.class);

    results.containerEvents().assertThatEvents().haveExactly(1, event(container(SkippedWhenMissing.class),
        abortedWithReason(message(m -> m.startsWith(MISSING + " is not installed: install it with apt-get install")
            && m.contains("skipping")))));
    results.testEvents().assertStatistics(stats -> stats.started(0).failed(0));
  }

  @Test
  void failsTheClassWhenEmulatorsAreRequired() {
    EngineExecutionResults results = run(FailsWhenMissingAndRequired.class);

    results.containerEvents().assertThatEvents().haveExactly(1, event(container(FailsWhenMissingAndRequired.class),
        finishedWithFailure(instanceOf(IllegalStateException.class), message(m ->
            m.startsWith(MISSING + " is not installed: install it with apt-get install")
                && m.contains("TASKJOB_REQUIRE_EMULATORS=1, so this fails instead of skipping")))));
    results.testEvents().assertStatistics(stats -> stats.started(0));
  }

  @Test
  void failsTheClassWhenTheServerExitsAtStart() {
    EngineExecutionResults results = run(ServerThatExitsAtStart.class);

    results.containerEvents().assertThatEvents().haveExactly(1, event(container(ServerThatExitsAtStart.class),
        finishedWithFailure(message(m -> m.startsWith("false exited with 1 at start")))));
  }

  @Test
  void failsTheClassAndKillsTheServerWhenItNeverListens() {
    EngineExecutionResults results = run(ServerThatNeverListens.class);

    results.containerEvents().assertThatEvents().haveExactly(1, event(container(ServerThatNeverListens.class),
        finishedWithFailure(message(m -> m.startsWith("sleep did not listen on 127.0.0.1:") && m.contains("within 1s")))));
    assertThat(ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains(NEVER_LISTENS_MARK)))
        .as("the server process is stopped after the failed start")
        .isEmpty();
  }

  @Test
  void findsExecutablesOnPathOnly() {
    assertThat(ExternalServerExtension.findOnPath("sh")).isNotNull().endsWith("/sh");
    assertThat(ExternalServerExtension.findOnPath(MISSING)).isNull();
  }

  private static EngineExecutionResults run(Class<?> fixture) {
    return EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).execute();
  }
}
