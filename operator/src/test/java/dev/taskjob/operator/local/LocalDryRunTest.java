package dev.taskjob.operator.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code taskjob local} with a {@code spec.dryRun} job prints the plan and exits 0, having started no worker. */
class LocalDryRunTest {

  @TempDir
  Path dir;

  @Test
  void printsThePlanAndExitsZeroWithoutStartingAnything() throws Exception {
    Path file = Files.writeString(dir.resolve("job.yaml"), """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: tasks}
        data:
          tasks.json: '[{"id": "a", "data": {}}, {"id": "b", "data": {}}, {"id": "c", "data": {}}]'
        ---
        apiVersion: taskjob.dev/v1alpha1
        kind: TaskJob
        metadata: {name: priced}
        spec:
          provider: local
          dryRun: true
          tasks: {configMapRefs: [{name: tasks, key: tasks.json}]}
          worker:
            command: ["true"]
            expectedTaskDuration: 5m
          instances: {maxInstances: 2}
        """);
    Path root = dir.resolve("root");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LocalRun.Options defaults = LocalRun.Options.defaults(List.of(file), root);
    // the timeout only bounds a broken run; a dry run ends as soon as it is priced
    LocalRun run = new LocalRun(new LocalRun.Options(defaults.manifests(), root, "default", 0, Duration.ofMinutes(5),
        defaults.pollInterval(), defaults.settings()), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

    int code = run.run();

    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(printed).isEqualTo(LocalRun.SUCCEEDED);
    assertThat(printed).contains("Summary of default/priced: Planned (dry run)", "  Tasks: 3",
            "  Dry run: nothing was created; set spec.dryRun to false to start the job",
            "  Assumptions: 5m tasks (spec.worker.expectedTaskDuration)")
        .containsPattern("(?m)^  Chosen: +\\S+, [12] instances x \\d+ slots at \\$[0-9.]+/hour each$")
        .containsPattern("(?m)^  Makespan: +\\S+ \\(\\S+ to \\S+\\)$")
        .doesNotContain("Timeout of");
    assertThat(root.resolve("instances").toFile().list()).as("instances").satisfiesAnyOf(
        names -> assertThat(names).isNull(), names -> assertThat(names).allMatch(n -> n.startsWith(".")));
  }
}
