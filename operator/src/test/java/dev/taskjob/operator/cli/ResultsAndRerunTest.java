package dev.taskjob.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.store.DirectoryStore;
import dev.taskjob.crds.v1alpha1.taskjob.CleanupPolicy;
import dev.taskjob.crds.v1alpha1.taskjob.OutputSpec;
import dev.taskjob.operator.reconciler.job.LedgerStore;
import io.fabric8.kubernetes.api.model.ConfigMap;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.core.event.EventType;
import dev.taskjob.operator.reliability.FaultRun;
import dev.taskjob.operator.archive.ArchiveReader;
import dev.taskjob.operator.archive.OutputLocations;
import dev.taskjob.operator.ledger.TaskResult;
import dev.taskjob.operator.reconciler.OperatorHarness;
import dev.taskjob.operator.reconciler.TaskJobs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A local job with an output directory runs to the end against the mock API server; its archive holds
 * each task's result and the events, {@code taskjob results} and {@code status} show it, and the task
 * list {@code taskjob export --status failed} writes, loaded as a new job, reruns exactly the failed tasks.
 * Deleting the jobs then deletes or keeps their archive and ledger as {@code spec.cleanup} says.
 */
class ResultsAndRerunTest {

  private static final Duration FINISH = Duration.ofMinutes(3);
  /** Fails tasks whose data says so, with a message on stderr; prints the sum as its last line otherwise. */
  private static final List<String> PROGRAM = List.of("sh", "-c",
      "if [ \"$TASK_ARG_FAIL\" = 1 ]; then echo \"bad input in $TASK_ID\" >&2; exit 3; fi; "
          + "echo working; echo \"sum=$((TASK_ARG_A + TASK_ARG_B))\"");

  @TempDir static Path root;
  static OperatorHarness harness;
  static Path kubeconfig;

  @BeforeAll
  static void start() throws Exception {
    harness = new OperatorHarness(FaultRun.settings("results-test", root.resolve("local")));
    harness.start();
    kubeconfig = root.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: mock, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
        users: [{name: tester, user: {token: test}}]
        contexts: [{name: mock, context: {cluster: mock, user: tester, namespace: default}}]
        current-context: mock
        """.formatted(harness.client.getConfiguration().getMasterUrl()));
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  record Run(int exitCode, String out, String err) {}

  static Run taskjob(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = TaskjobCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--kubeconfig", kubeconfig.toString()));
    int code = cli.execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  static TaskJob job(String name, String configMap, String key, List<String> command, Path output) {
    TaskJob job = TaskJobs.fromConfigMap(name, configMap, key, command);
    job.getSpec().getWorker().setSimultaneousTasks(4);
    job.getSpec().getWorker().setCpusPerTask(0.25);
    OutputSpec out = new OutputSpec();
    out.setUri(output.toString());
    job.getSpec().setOutput(out);
    return job;
  }

  @Test
  void archivesResultsAndRerunsExactlyTheExportedFailedTasks() throws Exception {
    Path archive = root.resolve("archive");
    harness.configMap("mixed", "tasks.json", """
        [{"id": "ok-1", "data": {"a": 1, "b": 2, "fail": 0}}, {"id": "bad-1", "data": {"a": 0, "b": 0, "fail": 1}},
         {"id": "ok-2", "data": {"a": 3, "b": 4, "fail": 0}}, {"id": "bad-2", "data": {"a": 0, "b": 0, "fail": 1}},
         {"id": "ok-3", "data": {"a": 5, "b": 6, "fail": 0}}]""");
    TaskJob mixed = job("mixed", "mixed", "tasks.json", PROGRAM, archive);
    mixed.getSpec().setCleanup(CleanupPolicy.DELETE_ALL);
    harness.apply(mixed);
    TaskJob done = harness.awaitJob("mixed", FINISH, j -> j.getStatus() != null && j.getStatus().getPhase().isFinished());
    assertThat(done.getStatus().getPhase()).isEqualTo(TaskJobPhase.FAILED);

    // The archive: one result per task, the last output line of each success, the reason of each failure.
    ArchiveReader reader = new ArchiveReader(new DirectoryStore(archive), OutputLocations.jobPrefix(done));
    Map<Long, TaskResult> results = reader.results();
    assertThat(results).hasSize(5);
    assertThat(results.values()).filteredOn(TaskResult::succeeded)
        .extracting(TaskResult::taskId, TaskResult::result)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("ok-1", "sum=3"),
            org.assertj.core.groups.Tuple.tuple("ok-2", "sum=7"),
            org.assertj.core.groups.Tuple.tuple("ok-3", "sum=11"));
    assertThat(results.values()).filteredOn(r -> !r.succeeded()).extracting(TaskResult::taskId)
        .containsExactlyInAnyOrder("bad-1", "bad-2");
    assertThat(results.values()).filteredOn(r -> !r.succeeded())
        .allSatisfy(r -> assertThat(r.reason()).contains("exit code 3").contains("bad input in " + r.taskId()));
    List<EventType> events = new ArrayList<>();
    reader.forEachEvent(e -> events.add(e.eventType()));
    assertThat(events).contains(EventType.WORKER_STARTED, EventType.TASK_STARTED);
    assertThat(events.stream().filter(t -> t == EventType.TASK_COMPLETED).count()).isGreaterThanOrEqualTo(3);
    try (var parts = Files.walk(archive)) {
      assertThat(parts.filter(Files::isRegularFile).map(p -> archive.relativize(p).toString()))
          .allMatch(p -> p.startsWith("default/mixed/" + done.getMetadata().getUid() + "/"))
          .anyMatch(p -> p.matches(".*/events/\\d{13}-\\d{6}\\.jsonl\\.gz"))
          .anyMatch(p -> p.matches(".*/results/\\d{13}-\\d{6}\\.jsonl\\.gz"));
    }

    Run listed = taskjob("results", "mixed", "-n", "default");
    assertThat(listed.exitCode()).as(listed.err()).isZero();
    assertThat(listed.out()).contains("Results of default/mixed: 3 succeeded, 2 failed, 0 unfinished of 5 tasks")
        .containsPattern("succeeded +2 +ok-2 +sum=7")
        .containsPattern("failed +1 +bad-1 +failed with exit code 3 .*bad input in bad-1");
    Run failedOnly = taskjob("results", "mixed", "--status", "failed", "-o", "json");
    assertThat(failedOnly.out().lines().toList()).hasSize(2)
        .allSatisfy(line -> assertThat(line).contains("\"status\":\"failed\"").contains("exit code 3"));

    Run status = taskjob("status", "mixed");
    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out()).contains("Summary of default/mixed: Failed")
        .contains("Tasks: 5 total, 3 succeeded, 2 failed, 0 not finished").contains("bad-1");

    // Nobody watched the job: the report draws its charts from the archived events.
    Path page = root.resolve("mixed-report.html");
    Run report = taskjob("report", "mixed", "-o", page.toString());
    assertThat(report.exitCode()).as(report.err()).isZero();
    assertThat(Files.readString(page)).contains("archived events (spec.output.uri)");

    Path failedTasks = root.resolve("failed.jsonl");
    Run exported = taskjob("export", "mixed", "--status", "failed", "-o", failedTasks.toString());
    assertThat(exported.exitCode()).as(exported.err()).isZero();
    assertThat(exported.err()).contains("Wrote 2 failed task(s) of default/mixed");
    assertThat(Files.readAllLines(failedTasks)).containsExactly(
        "{\"id\":\"bad-1\",\"data\":{\"a\":0,\"b\":0,\"fail\":1}}",
        "{\"id\":\"bad-2\",\"data\":{\"a\":0,\"b\":0,\"fail\":1}}");

    // The bug is fixed (the program no longer fails on that input); the exported list is the new job's tasks.
    harness.configMap("rerun", "tasks.jsonl", Files.readString(failedTasks));
    TaskJob rerunJob = job("rerun", "rerun", "tasks.jsonl", List.of("sh", "-c", "echo \"fixed $TASK_ID\""), archive);
    harness.apply(rerunJob);
    TaskJob rerun = harness.awaitJob("rerun", FINISH, j -> j.getStatus() != null && j.getStatus().getPhase().isFinished());
    assertThat(rerun.getStatus().getPhase()).isEqualTo(TaskJobPhase.SUCCEEDED);
    assertThat(rerun.getStatus().getTotal()).isEqualTo(2);
    assertThat(new ArchiveReader(new DirectoryStore(archive), OutputLocations.jobPrefix(rerun)).results().values())
        .extracting(TaskResult::taskId, TaskResult::result)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("bad-1", "fixed bad-1"),
            org.assertj.core.groups.Tuple.tuple("bad-2", "fixed bad-2"));
    Run none = taskjob("export", "rerun", "--status", "failed");
    assertThat(none.out()).isEmpty();
    assertThat(none.err()).contains("Wrote 0 failed task(s)");

    // Deleted: cleanup deleteAll takes the archive and the ledger along; the default (delete) leaves both.
    harness.client.resource(done).delete();
    harness.client.resource(rerun).delete();
    OperatorHarness.await(FINISH, () -> harness.client.resources(TaskJob.class).inNamespace("default").list().getItems(),
        List::isEmpty, "both jobs deleted");
    assertThat(Files.exists(archive.resolve(OutputLocations.jobPrefix(done)))).isFalse();
    assertThat(harness.client.configMaps().inNamespace("default").withName(LedgerStore.keptNameFor(done)).get()).isNull();
    assertThat(new ArchiveReader(new DirectoryStore(archive), OutputLocations.jobPrefix(rerun)).results()).hasSize(2);
    ConfigMap kept = harness.client.configMaps().inNamespace("default").withName(LedgerStore.keptNameFor(rerun)).get();
    assertThat(kept).as("the kept ledger copy").isNotNull();
    assertThat(kept.getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(kept.getData().get("summary.json")).containsPattern("\"succeeded\" *: *2,");
  }

  @Test
  void namesTheMissingJob() {
    Run missing = taskjob("results", "no-such-job");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("taskjob no-such-job not found in namespace default");
  }
}
