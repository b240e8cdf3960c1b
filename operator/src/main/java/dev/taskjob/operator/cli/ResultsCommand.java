package dev.taskjob.operator.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskjob.core.Json;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.ledger.TaskResult;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code taskjob results JOB}: every task of a cluster job with its state by the ledger, the result a
 * succeeded task reported and the reason a failed one failed (from the job's archive, else the ledger).
 */
@Command(name = "results", mixinStandardHelpOptions = true,
    description = "List a TaskJob's tasks: succeeded (with results), failed (with reasons) and unfinished.")
public final class ResultsCommand implements Callable<Integer> {

  enum Output { text, json }

  @Mixin ClusterOptions cluster;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "JOB", description = "The TaskJob's name.")
  String name;

  @Option(names = "--status", paramLabel = "STATE",
      description = "Only tasks in this state: succeeded, failed or unfinished. Default: all.")
  ClusterJob.TaskState only;

  @Option(names = {"-o", "--output"}, description = "text (a table) or json (one object per line). Default: text.")
  Output output = Output.text;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (KubernetesClient client = cluster.client()) {
      ClusterJob job;
      try {
        job = ClusterJob.read(client, cluster.namespace(client), name);
      } catch (IllegalArgumentException e) {
        spec.commandLine().getErr().println("taskjob results: " + e.getMessage());
        return 2;
      }
      Map<Long, TaskResult> archived = job.archivedResults();
      Map<Long, String> ledgerReasons = new HashMap<>();
      job.ledger.failedTasks().forEach(t -> ledgerReasons.put(t.index(), t.reason()));
      Ledger ledger = job.ledger;
      if (output == Output.text) {
        out.printf(Locale.ROOT, "Results of %s: %d succeeded, %d failed, %d unfinished of %d tasks%s%n",
            job.displayName(), ledger.succeeded(), ledger.failed(), ledger.remaining(), ledger.total(),
            job.hasArchive() ? "" : " (no spec.output: results of succeeded tasks were not kept)");
        out.printf(Locale.ROOT, "%-10s  %7s  %-24s  %s%n", "STATE", "INDEX", "TASK ID", "RESULT OR REASON");
      }
      job.forEachTask(task -> {
        ClusterJob.TaskState state = job.state(task.index());
        if (only != null && only != state) {
          return;
        }
        TaskResult result = archived.get(task.index());
        String detail = switch (state) {
          case SUCCEEDED -> result == null || result.result() == null ? "" : result.result();
          case FAILED -> result != null && result.reason() != null ? result.reason()
              : ledgerReasons.getOrDefault(task.index(), "failed (reason not kept: the ledger lists the first failures only)");
          case UNFINISHED -> "no final result yet";
        };
        if (output == Output.json) {
          ObjectNode line = Json.MAPPER.createObjectNode();
          line.put("task_index", task.index());
          line.put("task_id", task.id());
          line.put("status", state.word());
          if (state == ClusterJob.TaskState.SUCCEEDED && result != null && result.result() != null) {
            line.put("result", result.result());
          }
          if (state != ClusterJob.TaskState.SUCCEEDED) {
            line.put("reason", detail);
          }
          if (result != null && result.elapsedTime() != null) {
            line.put("elapsed_time", result.elapsedTime());
          }
          out.println(line);
        } else {
          out.printf(Locale.ROOT, "%-10s  %7d  %-24s  %s%n", state.word(), task.index(), task.id(), detail);
        }
      });
      out.flush();
      return 0;
    }
  }
}
