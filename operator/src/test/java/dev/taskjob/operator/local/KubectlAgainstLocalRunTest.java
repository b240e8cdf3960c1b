package dev.taskjob.operator.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kubectl against a running {@code taskjob local}. Two jobs run: {@code first} and {@code holder},
 * each with one task that waits for its own gate file, so the test decides when each finishes and the embedded
 * API stays up (held by {@code holder}) while kubectl looks at the finished {@code first}. Every wait is on
 * something kubectl or the run prints, bounded generously; nothing sleeps.
 */
class KubectlAgainstLocalRunTest {

  private static final long BOUND_SECONDS = 180;

  private static String job(String name, Path gate) {
    return """
        apiVersion: taskjob.dev/v1alpha1
        kind: TaskJob
        metadata:
          name: %s
        spec:
          provider: local
          tasks:
            generate:
              count: 1
          worker:
            command: ["sh", "-c", "while [ ! -e %s ]; do sleep 0.05; done"]
            cpusPerTask: 1
            shutdownGracePeriod: 2s
          instances:
            maxInstances: 1
        """.formatted(name, gate);
  }

  @Test
  void kubectlGetsDescribesWatchesWaitsAndExplainsLikeOnACluster(@TempDir Path dir) throws Exception {
    assumeTrue(onPath("kubectl"), "kubectl is not installed");
    Path firstGate = dir.resolve("first.gate");
    Path holderGate = dir.resolve("holder.gate");
    Path manifests = Files.createDirectories(dir.resolve("manifests"));
    Files.writeString(manifests.resolve("first.yaml"), job("first", firstGate));
    Files.writeString(manifests.resolve("holder.yaml"), job("holder", holderGate));
    Path root = dir.resolve("root");
    Path kubeconfig = root.resolve("kubeconfig");

    LinkedBlockingQueue<String> progress = new LinkedBlockingQueue<>();
    PipedInputStream pipe = new PipedInputStream(1 << 16);
    PrintStream out = new PrintStream(new PipedOutputStream(pipe), true, StandardCharsets.UTF_8);
    readLines(pipe, progress);
    LocalRun.Options defaults = LocalRun.Options.defaults(List.of(manifests), root);
    LocalRun run = new LocalRun(new LocalRun.Options(List.of(manifests), root, "default", 0, Duration.ofMinutes(5),
        Duration.ofMillis(200), defaults.settings()), out);
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
      try {
        return run.run();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      } finally {
        out.close();
      }
    });
    Process watch = null;
    try {
      awaitLine(progress, "Applied");

      assertThat(kubectl(kubeconfig, "get", "taskjob", "first")).contains("NAME", "PHASE", "TOTAL", "first");
      assertThat(kubectl(kubeconfig, "get", "taskjob", "-o", "name").strip().split("\n"))
          .containsExactlyInAnyOrder("taskjob.taskjob.dev/first", "taskjob.taskjob.dev/holder");
      assertThat(kubectl(kubeconfig, "explain", "taskjob.spec.worker"))
          .contains("KIND:", "TaskJob", "FIELD: worker", "command", "cpusPerTask");

      watch = new ProcessBuilder("kubectl", "--kubeconfig", kubeconfig.toString(), "get", "taskjob", "first", "-w")
          .redirectErrorStream(true).start();
      LinkedBlockingQueue<String> watched = new LinkedBlockingQueue<>();
      readLines(watch.getInputStream(), watched);
      awaitLine(watched, "first");
      Process wait = new ProcessBuilder("kubectl", "--kubeconfig", kubeconfig.toString(), "wait",
          "--for=condition=Complete", "taskjob/first", "--timeout=" + BOUND_SECONDS + "s")
          .redirectErrorStream(true).start();

      Files.createFile(firstGate);

      assertThat(wait.waitFor(BOUND_SECONDS + 10, TimeUnit.SECONDS)).as("kubectl wait returned").isTrue();
      String waitOutput = new String(wait.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(wait.exitValue()).as(waitOutput).isZero();
      assertThat(waitOutput).contains("taskjob.taskjob.dev/first condition met");
      assertThat(awaitLine(watched, "Succeeded")).startsWith("first").contains("1");

      String describe = kubectl(kubeconfig, "describe", "taskjob", "first");
      assertThat(describe).contains("Name:", "first", "Kind:", "TaskJob", "Events:", "Loaded", "Succeeded")
          .doesNotContain("Events:  <none>")
          .doesNotContain("holder");
      String events = kubectl(kubeconfig, "get", "events");
      assertThat(events.lines().findFirst().orElse(""))
          .contains("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE");
      assertThat(events).contains("taskjob/first", "Normal", "Succeeded", "taskjob/holder");

      // Suspend and resume as on a cluster: a merge patch of spec.suspend, then kubectl wait on the condition.
      assertThat(kubectl(kubeconfig, "patch", "taskjob", "holder", "--type", "merge", "-p",
          "{\"spec\":{\"suspend\":true}}")).contains("taskjob.taskjob.dev/holder patched");
      assertThat(kubectl(kubeconfig, "wait", "--for=condition=Suspended", "taskjob/holder",
          "--timeout=" + BOUND_SECONDS + "s")).contains("taskjob.taskjob.dev/holder condition met");
      assertThat(kubectl(kubeconfig, "get", "taskjob", "holder", "-o", "jsonpath={.status.phase}"))
          .isEqualTo("Suspended");
      assertThat(kubectl(kubeconfig, "patch", "taskjob", "holder", "--type", "merge", "-p",
          "{\"spec\":{\"suspend\":false}}")).contains("taskjob.taskjob.dev/holder patched");
      assertThat(kubectl(kubeconfig, "wait", "--for=condition=Suspended=False", "taskjob/holder",
          "--timeout=" + BOUND_SECONDS + "s")).contains("taskjob.taskjob.dev/holder condition met");
      assertThat(kubectl(kubeconfig, "get", "events").lines().filter(l -> l.contains("taskjob/holder")))
          .anyMatch(l -> l.contains("Suspended")).anyMatch(l -> l.contains("Resumed"));

      Files.createFile(holderGate);
      assertThat(exit.get(BOUND_SECONDS, TimeUnit.SECONDS)).isEqualTo(LocalRun.SUCCEEDED);
    } finally {
      if (watch != null) {
        watch.destroy();
      }
      if (!exit.isDone()) {
        run.requestStop();
        exit.handle((code, error) -> code).get(BOUND_SECONDS, TimeUnit.SECONDS);
      }
    }
  }

  /** Copies lines from {@code in} into {@code lines} on a daemon thread until the stream ends. */
  private static void readLines(InputStream in, LinkedBlockingQueue<String> lines) {
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the writer went away: the lines so far are all there is
      }
    }, "test-line-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** The first line containing {@code text}, failing with everything read when none comes within the bound. */
  private static String awaitLine(LinkedBlockingQueue<String> lines, String text) throws InterruptedException {
    List<String> seen = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
    while (true) {
      String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      assertThat(line).as("no line with '%s' within %d s; read: %s", text, BOUND_SECONDS, seen).isNotNull();
      seen.add(line);
      if (line.contains(text)) {
        return line;
      }
    }
  }

  private static String kubectl(Path kubeconfig, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> {
      try {
        return p.getInputStream().readAllBytes();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(p.waitFor(BOUND_SECONDS, TimeUnit.SECONDS)).as("kubectl %s returned", String.join(" ", args)).isTrue();
    String out = new String(output.get(BOUND_SECONDS, TimeUnit.SECONDS), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("kubectl %s: %s", String.join(" ", args), out).isZero();
    return out;
  }

  private static boolean onPath(String name) {
    for (String p : System.getenv("PATH").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(p, name))) {
        return true;
      }
    }
    return false;
  }

}
