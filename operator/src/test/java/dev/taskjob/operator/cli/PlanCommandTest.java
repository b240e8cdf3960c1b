package dev.taskjob.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code taskjob plan} run in-process on a TaskJob file; prices from the bundled snapshot. */
class PlanCommandTest {

  @TempDir Path dir;

  record Run(int exitCode, String out, String err) {}

  private static Run taskjob(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = TaskjobCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private Path job(String extra) throws Exception {
    Path file = dir.resolve("job.yaml");
    Files.writeString(file, """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: tasks}
        data: {tasks.json: "[]"}
        ---
        apiVersion: taskjob.dev/v1alpha1
        kind: TaskJob
        metadata: {name: sweep}
        spec:
          provider: aws
          region: us-east-1
          tasks: {configMapRefs: [{name: tasks, key: tasks.json}]}
          worker:
            image: busybox
            command: ["sh", "-c", "true"]
            expectedTaskDuration: 30m
          instances:
            types: ["c7g.large", "m7g.large"]
            architecture: arm64
            spot: true
            maxInstances: 10
        """ + extra);
    return file;
  }

  @Test
  void printsTheChoiceMakespanCostAlternativesAndAssumptions() throws Exception {
    Run run = taskjob("plan", job("  budget: {maxCost: 5}\n").toString(), "--tasks", "10000");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("Plan for TaskJob sweep: 10000 tasks, aws us-east-1, prices from the bundled snapshot taken")
        .containsPattern("(?m)^Chosen: +c7g\\.large spot( in \\S+)?, 10 instances x 2 slots at \\$[0-9.]+/hour each"
            + " \\(\\$[0-9.]+/hour \\+ disk 10 GiB \\$0\\.0011/hour\\)$")
        .containsPattern("(?m)^Makespan: +\\S+ \\(\\S+ to \\S+\\)$")
        .containsPattern("(?m)^Cost: +\\$[0-9.]+ \\(\\$[0-9.]+ to \\$[0-9.]+\\), \\$[0-9.]+ per completed task$")
        .containsPattern("(?m)^Budget: +\\$5\\.0000: pays for about \\d+ of the 10000 tasks; the job would stop at"
            + " BudgetExhausted$")
        .contains("Alternatives:", "m7g.large spot")
        .contains("Assumptions: 30m tasks (spec.worker.expectedTaskDuration); interruptions 5.0%/h default prior");
  }

  @Test
  void aFileWithoutATaskJobIsBadInput() throws Exception {
    Path file = dir.resolve("empty.yaml");
    Files.writeString(file, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
    Run run = taskjob("plan", file.toString(), "--tasks", "10");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("no TaskJob in the file");
  }
}
