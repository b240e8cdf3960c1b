package dev.taskjob.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskjob.core.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code taskjob instance-types} run in-process; no cloud is reachable, so prices come from the bundled snapshots. */
class InstanceTypesCommandTest {

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

  @Test
  void awsTableFromTheSnapshotWhenEc2CannotBeReached() {
    Run run = taskjob("instance-types", "--provider", "aws", "--region", "us-east-1", "--endpoint",
        "http://127.0.0.1:9", "--min-cpu", "2", "--max-cpu", "4", "--arch", "ARM64", "--max-memory-per-cpu", "4");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("Prices from the bundled snapshot taken 2025-06-01 (the aws APIs could not be reached)")
        .contains("Boot disks at $0.0800/GiB-month (SNAPSHOT, at least 8 GiB billed), included in $/HOUR.")
        .containsPattern("(?m)^\\s+TYPE\\s+ARCH\\s+VCPU\\s+MEM GiB\\s+SSD GiB\\s+GPU\\s+SLOTS\\s+\\$/HOUR\\s+DISK \\$/HOUR"
            + "\\s+\\$/SLOT-HOUR\\s+ZONE\\s+SOURCE$")
        // $0.1360 for the instance plus 10 GiB of gp3 at $0.08/GiB-month
        .containsPattern("(?m)^\\*\\s+c6g\\.xlarge\\s+arm64\\s+4\\s+8\\.0\\s+0\\s+0\\s+4\\s+0\\.1371\\s+0\\.0011\\s+0\\.034274\\s+-"
            + "\\s+SNAPSHOT$")
        .containsPattern("(?m)^\\s+c6g\\.large\\s+arm64\\s+2\\s+4\\.0\\s+0\\s+0\\s+2\\s+0\\.0691\\s+0\\.0011\\s+0\\.034548\\s+-"
            + "\\s+SNAPSHOT$")
        .contains("Selected: c6g.xlarge on-demand at $0.1371/hour ($0.1360/hour + disk 10 GiB $0.0011/hour), 4 task"
            + " slots ($0.034274 per slot-hour)")
        .doesNotContain("m6i.", "r7g.", "t4g.");
    assertThat(run.out().lines().filter(l -> l.startsWith("*")).count()).isEqualTo(1);
  }

  @Test
  void gcpTableFromTheSnapshotWithoutAProject() {
    Run run = taskjob("instance-types", "--provider", "gcp", "--region", "us-central1", "--project", "",
        "--min-cpu", "8", "--max-cpu", "8", "--min-memory-per-cpu", "2");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("note: no --project given; gcp prices come from the bundled snapshot");
    assertThat(run.out())
        .contains("gcp us-central1: ", "Prices from the bundled snapshot taken 2025-06-01")
        .containsPattern("(?m)^\\*\\s+e2-standard-8\\s+x86_64\\s+8\\s+32\\.0\\s+0\\s+0\\s+8\\s+0\\.2694\\s+0\\.0014\\s+0\\.033674\\s+-"
            + "\\s+SNAPSHOT$")
        .contains("Selected: e2-standard-8 on-demand at $0.2694/hour ($0.2680/hour + disk 10 GiB $0.0014/hour), 8 task"
            + " slots");
  }

  @Test
  void awsJsonWithExplainListsCandidatesAndExclusions() throws Exception {
    Run run = taskjob("instance-types", "--provider", "aws", "--region", "us-east-1", "--offline", "--types",
        "m7g.*", "--spot", "--memory-per-task", "8", "-o", "json", "--explain");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = Json.MAPPER.readTree(run.out());
    assertThat(json.path("selected").asText()).startsWith("m7g.");
    assertThat(json.path("candidates").get(0).path("spot").asBoolean()).isTrue();
    assertThat(json.path("candidates").get(0).path("selected").asBoolean()).isTrue();
    assertThat(json.path("prices").asText()).contains("--offline");
    assertThat(json.path("excluded").findValuesAsText("reason")).contains("name matches none of [m7g.*]");
    JsonNode cost = json.path("expectedCost");
    assertThat(cost.path("taskDuration").asText()).isEqualTo("1h tasks (assumed; set spec.worker.expectedTaskDuration)");
    assertThat(cost.path("chosen").asText()).startsWith(json.path("selected").asText() + " spot in ");
    assertThat(cost.path("ranked").get(0).path("interruptionRateSource").asText()).isEqualTo("DEFAULT_PRIOR");
    assertThat(cost.path("ranked").get(0).path("hoursPerCompletedTask").asDouble())
        .isCloseTo(1 + 0.05 * (0.5 + 5 / 60.0), org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void explainRanksByExpectedCostPerCompletedTaskWithItsInputsAndRunnerUps() {
    Run run = taskjob("instance-types", "--provider", "aws", "--region", "us-east-1", "--offline", "--types",
        "m7g.large,c7g.large", "--spot", "--allow-on-demand-fallback", "--task-duration", "4h",
        "--interruptions-per-hour", "1", "--explain");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("Expected cost per completed task (4h tasks (spec.worker.expectedTaskDuration); an interruption"
            + " loses half a task plus 5m to boot a replacement and re-lease):")
        .containsPattern("(?m)^\\s+OFFERING\\s+\\$/SLOT-HOUR\\s+INTERRUPTIONS\\s+HOURS/TASK\\s+\\$/TASK$")
        .containsPattern("(?m)^\\s+c7g\\.large spot( in \\S+)?\\s+[0-9.]+\\s+100\\.0%/h from"
            + " spec.instances.interruptionsPerHour\\s+12\\.333\\s+[0-9.]+$")
        .containsPattern("(?m)^Chosen: c7g\\.large on-demand: \\$[0-9.]+ per completed task .*; next m7g\\.large");
    // At one interruption an hour a 4-hour task costs 3x its run time on spot: on-demand, allowed here, ranks first.
    assertThat(run.out().lines().filter(l -> l.startsWith("*")).toList())
        .anySatisfy(l -> assertThat(l).contains("c7g.large on-demand", "on-demand, not interrupted"));
  }

  @Test
  void explainRefusesAnUnreadableTaskDuration() {
    Run run = taskjob("instance-types", "--provider", "aws", "--region", "us-east-1", "--offline", "--explain",
        "--task-duration", "half an hour");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("error: --task-duration");
  }

  @Test
  void nothingMatchingNamesTheTightestConstraintAndExitsWithBadInput() {
    Run run = taskjob("instance-types", "--provider", "aws", "--region", "us-east-1", "--offline",
        "--min-cpu", "512");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("error: no instance type in aws us-east-1 meets the constraints",
        "tightest constraint: minCpus");
  }

  @Test
  void localProviderListsItsBuiltInTypes() {
    Run run = taskjob("instance-types", "--provider", "local");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("nominal built-in prices").containsPattern("(?m)^\\*\\s+local-\\d+");
  }

  @Test
  void refusesAMissingRegionAndBadConstraints() {
    assertThat(taskjob("instance-types", "--provider", "aws").err())
        .contains("error: --region is required for --provider aws");
    assertThat(taskjob("instance-types", "--provider", "aws", "--region", "us-east-1", "--offline",
        "--min-cpu", "8", "--max-cpu", "2").err()).contains("error: minCpus (8) must not exceed maxCpus (2)");
  }
}
