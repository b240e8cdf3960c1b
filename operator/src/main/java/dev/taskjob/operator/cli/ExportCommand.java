package dev.taskjob.operator.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskjob.core.Json;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code taskjob export JOB --status failed -o tasks.jsonl}: the tasks of a cluster job in one state, as
 * a task list that loads again (JSON Lines of {@code id} and {@code data}), like the per-status task
 * files rms-cloud-tasks writes at the end of a run. The ledger decides each task's state.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Write a TaskJob's failed, unfinished or succeeded tasks as a task list to run again.")
public final class ExportCommand implements Callable<Integer> {

  @Mixin ClusterOptions cluster;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "JOB", description = "The TaskJob's name.")
  String name;

  @Option(names = "--status", required = true, paramLabel = "STATE",
      description = "Which tasks: failed, unfinished or succeeded.")
  ClusterJob.TaskState state;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE",
      description = "The task list to write (JSON Lines). Default: standard output.")
  Path file;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    try (KubernetesClient client = cluster.client()) {
      ClusterJob job;
      try {
        job = ClusterJob.read(client, cluster.namespace(client), name);
      } catch (IllegalArgumentException e) {
        err.println("taskjob export: " + e.getMessage());
        return 2;
      }
      AtomicLong written = new AtomicLong();
      Writer target = file == null ? spec.commandLine().getOut()
          : Files.newBufferedWriter(file, StandardCharsets.UTF_8);
      try (BufferedWriter out = new BufferedWriter(target)) {
        job.forEachTask(task -> {
          if (job.state(task.index()) != state) {
            return;
          }
          ObjectNode line = Json.MAPPER.createObjectNode();
          line.put("id", task.id());
          line.set("data", task.data());
          try {
            out.write(line.toString());
            out.write('\n');
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          written.incrementAndGet();
        });
      }
      err.printf("Wrote %d %s task(s) of %s%s%n", written.get(), state.word(), job.displayName(),
          file == null ? "" : " to " + file);
      return 0;
    }
  }
}
