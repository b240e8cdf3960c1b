package dev.taskjob.operator.cli;

import dev.taskjob.operator.local.LocalRun;
import dev.taskjob.operator.local.Manifests;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** {@code taskjob local FILE_OR_DIR...}: the whole operator on this machine, no cluster and no cloud account needed. */
@Command(name = "local", mixinStandardHelpOptions = true,
    description = {
        "Runs TaskJobs on this machine: starts an embedded Kubernetes API (for local runs only), runs the real",
        "reconcilers in-process, applies the manifests, shows progress and a summary, and cleans up.",
        "Ctrl-C stops cleanly (the jobs are deleted, which terminates their instances); a second Ctrl-C exits",
        "at once and lists what may be left running.",
        "Exit status: 0 when every job succeeded, 1 when a job failed, 2 for bad input, 130 when stopped."})
public final class LocalCommand implements Callable<Integer> {

  @Parameters(arity = "1..*", paramLabel = "FILE_OR_DIR", description = "Manifests (YAML or JSON), or directories of them.")
  List<Path> manifests;

  @Option(names = "--root", defaultValue = ".taskjob-local",
      description = "Directory for local queues, instances and the kubeconfig (default ${DEFAULT-VALUE}).")
  Path root;

  @Option(names = {"-n", "--namespace"}, defaultValue = "default",
      description = "Namespace for manifests that name none (default ${DEFAULT-VALUE}).")
  String namespace;

  @Option(names = "--api-port", defaultValue = "0", description = "Port of the embedded API (default: any free port).")
  int apiPort;

  @Option(names = "--timeout", description = "Stop after this long, as Ctrl-C does (e.g. 30m).")
  String timeout;

  @Mixin
  AdminCapOptions caps = new AdminCapOptions();

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Duration limit = timeout == null ? null : dev.taskjob.crds.v1alpha1.shared.Durations.parse("--timeout", timeout);
    java.nio.file.Files.createDirectories(root);
    Logs.configureForLocalRun(root.resolve("operator.log"));
    LocalRun.Options defaults = LocalRun.Options.defaults(manifests, root);
    LocalRun run = new LocalRun(new LocalRun.Options(manifests, root, namespace, apiPort, limit,
        defaults.pollInterval(), defaults.settings().withAdminCaps(caps.caps(spec.commandLine()))), System.out);
    // Signal handlers rather than a shutdown hook: the JVM runs hooks once, so with a hook a second
    // Ctrl-C could not cut a slow cleanup (an unreachable cloud) short.
    AtomicInteger interrupts = new AtomicInteger();
    SignalHandler handler = signal -> {
      if (interrupts.incrementAndGet() == 1) {
        System.out.println();
        System.out.println("Interrupted: stopping cleanly, which terminates every instance "
            + "(press Ctrl-C again to exit at once)...");
        run.requestStop();
      } else {
        List<String> left = run.whatMayBeLeftRunning();
        System.err.println();
        System.err.println("Exiting at once without cleaning up." + (left.isEmpty() ? " Nothing is left running."
            : " These may still be running; stop them yourself (kill PID, or the cloud's console for instances):"));
        left.forEach(line -> System.err.println("  " + line));
        System.err.flush();
        Runtime.getRuntime().halt(LocalRun.STOPPED);
      }
    };
    Signal.handle(new Signal("INT"), handler);
    Signal.handle(new Signal("TERM"), handler);
    try {
      return run.run();
    } catch (Manifests.InvalidManifestException e) {
      System.err.println(e.getMessage());
      return 2;
    } catch (IllegalArgumentException e) {
      System.err.println("taskjob local: " + e.getMessage());
      return 2;
    }
  }
}
