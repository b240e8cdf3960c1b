package dev.taskjob.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.ledger.LedgerCodec;
import dev.taskjob.operator.local.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code taskjob report} reads a finished job, its pool and its ledger through a real API and writes the page. */
class ReportCommandTest {

  private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
  private static EmbeddedApiServer api;

  @TempDir static Path dir;

  record Run(int exitCode, String out, String err) {}

  @BeforeAll
  static void finishedJobWithAFailure() throws Exception {
    api = EmbeddedApiServer.startWithTaskJobCrds(0);
    Ledger ledger = new Ledger(3);
    ledger.apply(event(EventType.TASK_COMPLETED, 0, 1.5).build());
    ledger.apply(event(EventType.TASK_COMPLETED, 1, 2.5).build());
    ledger.apply(event(EventType.TASK_FAILED, 2, 0.5).finalAttempt(true).retry(false).exitCode(3)
        .result("ValueError: num2 is not a number").build());
    Map<String, String> binary = LedgerCodec.encodeBinary(ledger).entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> Base64.getEncoder().encodeToString(e.getValue())));
    api.client().configMaps().inNamespace("research").resource(new ConfigMapBuilder()
        .withNewMetadata().withName("sums-ledger").withNamespace("research").endMetadata()
        .withBinaryData(binary).build()).create();

    TaskJob job = new TaskJob();
    job.setMetadata(new ObjectMetaBuilder().withName("sums").withNamespace("research").build());
    TaskJobStatus status = new TaskJobStatus();
    status.setPhase(TaskJobPhase.FAILED);
    status.setTotal(3L);
    status.setSucceeded(2L);
    status.setFailed(1L);
    status.setInstanceType("m7a.large");
    status.setSpot(true);
    status.setPricePerHour(0.0412);
    status.setCostSoFar(0.0123);
    status.setStartTime(T0.toString());
    status.setCompletionTime(T0.plusSeconds(95).toString());
    status.setLedgerConfigMap("sums-ledger");
    job.setStatus(status);
    api.client().resource(job).create();
    api.client().resource(job).updateStatus();

    InstancePool pool = new InstancePool();
    pool.setMetadata(new ObjectMetaBuilder().withName("sums").withNamespace("research").build());
    InstancePoolStatus poolStatus = new InstancePoolStatus();
    poolStatus.setFallbackTypes(List.of("m6a.large", "c7a.xlarge"));
    pool.setStatus(poolStatus);
    api.client().resource(pool).create();
    api.client().resource(pool).updateStatus();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static TaskEvent.Builder event(EventType type, long index, double elapsed) {
    return TaskEvent.builder(type).timestamp(T0.plusSeconds(index)).instanceId("i-1").taskId("sum-" + index)
        .taskIndex(index).attempt(1).elapsedTime(elapsed);
  }

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
  void writesTheReportOfAFinishedJob() throws Exception {
    Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
    Path page = dir.resolve("sums.html");

    Run run = taskjob("report", "sums", "-n", "research", "--kubeconfig", kubeconfig.toString(), "-o", page.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("Report of research/sums written to " + page.toAbsolutePath());
    String html = Files.readString(page);
    assertThat(html).contains("TaskJob research/sums: Failed", "3 total, 2 succeeded, 1 failed, 0 not finished",
        "<td>sum-2</td>", "ValueError: num2 is not a number", "id=\"chart-tasks\"", "id=\"chart-elapsed\"",
        "Ran for", "1:35", "$0.0123");
    assertThat(html).containsSubsequence("<td>m7a.large</td><td>chosen, spot, $0.0412/hour each",
        "<td>m6a.large</td>", "<td>c7a.xlarge</td>");
    assertThat(html).contains("Nobody sampled this job while it ran");
  }

  @Test
  void dashWritesThePageToStdout() throws Exception {
    Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));

    Run run = taskjob("report", "sums", "-n", "research", "--kubeconfig", kubeconfig.toString(), "-o", "-");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
  }

  @Test
  void unknownJobIsAnErrorNamingIt() throws Exception {
    Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));

    Run run = taskjob("report", "nope", "-n", "research", "--kubeconfig", kubeconfig.toString(),
        "-o", dir.resolve("nope.html").toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("taskjob report: no TaskJob nope in namespace research");
    assertThat(dir.resolve("nope.html")).doesNotExist();
  }

  @Test
  void missingKubeconfigIsABadOptionNamingIt() {
    Path missing = dir.resolve("no-such-kubeconfig");

    Run run = taskjob("report", "sums", "--kubeconfig", missing.toString(), "-o", dir.resolve("x.html").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("taskjob report: --kubeconfig " + missing + ": no such readable file");
    assertThat(dir.resolve("x.html")).doesNotExist();
  }
}
