package dev.taskjob.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.testing.MotoServerExtension;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code taskjob load-queue} and {@code taskjob queue ...} run in-process against the local queue and moto. */
class QueueCommandsTest {

  @RegisterExtension static final MotoServerExtension MOTO = new MotoServerExtension();

  @TempDir Path dir;

  record Run(int exitCode, String out, String err) {}

  private static Run taskjob(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = TaskjobCli.commandLine(args); // as main builds it
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private String[] local(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--provider", "local", "--local-root", dir.resolve("root").toString(), "--queue", "tj-cli-test"));
    return all.toArray(String[]::new);
  }

  private Path taskFile(int count) throws IOException {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < count; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"id\":\"t").append(i).append("\",\"data\":{\"i\":").append(i).append("}}");
    }
    Path file = dir.resolve("tasks.json");
    Files.writeString(file, sb.append("]"));
    return file;
  }

  @Test
  void loadsATaskFileAndShowsTheQueueDepth() throws IOException {
    Run load = taskjob(local("load-queue", "--task-file", taskFile(2500).toString()));

    assertThat(load.exitCode()).as(load.err()).isZero();
    assertThat(load.out()).contains("Loaded 2500 tasks into local queue tj-cli-test");
    assertThat(load.err()).contains("2,500/2,500 100%");
    Run status = taskjob(local("queue", "status"));
    assertThat(status.out()).contains("waiting:       2500", "leased:        0", "dead-lettered: 0");
  }

  /** main builds load-queue's command line without the other subcommands; it must read and explain the same. */
  @Test
  void loadQueueAloneHasTheSameOptionsAndHelpAsInTheWholeCommand() {
    CommandLine alone = TaskjobCli.commandLine("load-queue", "--help").getSubcommands().get("load-queue");
    CommandLine inTree = TaskjobCli.commandLine().getSubcommands().get("load-queue");

    assertThat(alone.getUsageMessage()).startsWith("Usage: taskjob load-queue").isEqualTo(inTree.getUsageMessage());
    assertThat(alone.isCaseInsensitiveEnumValuesAllowed()).isEqualTo(inTree.isCaseInsensitiveEnumValuesAllowed()).isTrue();
    Run bad = taskjob("load-queue", "--provider", "LOCAL", "--no-such-option");
    StringWriter inTreeErr = new StringWriter();
    CommandLine tree = TaskjobCli.commandLine();
    tree.setErr(new PrintWriter(inTreeErr, true));
    assertThat(bad.exitCode()).isEqualTo(tree.execute("load-queue", "--provider", "LOCAL", "--no-such-option")).isEqualTo(2);
    assertThat(bad.err()).isEqualTo(inTreeErr.toString()).startsWith("Missing required option");
  }

  @Test
  void generatesTasks() {
    Run load = taskjob(local("load-queue", "--generate", "1200", "--no-progress"));

    assertThat(load.exitCode()).as(load.err()).isZero();
    assertThat(taskjob(local("queue", "status")).out()).contains("waiting:       1200");
  }

  @Test
  void badTaskFileIsRefusedNamingTheTaskAndNothingIsLoaded() throws IOException {
    Path file = dir.resolve("bad.jsonl");
    Files.writeString(file, "{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"id\":\"a\"}\n");

    Run load = taskjob(local("load-queue", "--task-file", file.toString()));

    assertThat(load.exitCode()).isEqualTo(2);
    assertThat(load.err()).contains("bad.jsonl: task 3 (line 3): duplicate id \"a\"");
    assertThat(taskjob(local("queue", "status")).out()).contains("does not exist");
  }

  @Test
  void invalidQueueNameIsRefused() throws IOException {
    Run load = taskjob("load-queue", "--provider", "local", "--local-root", dir.toString(), "--queue", "My_Queue",
        "--task-file", taskFile(1).toString());

    assertThat(load.exitCode()).isEqualTo(2);
    assertThat(load.err()).contains("--queue 'My_Queue'");
  }

  @Test
  void resumesFromTheCheckpointFileAndRemovesItWhenDone() throws IOException {
    Path checkpoint = dir.resolve("load.checkpoint");
    Files.writeString(checkpoint, "2000 1000\n");

    Run load = taskjob(local("load-queue", "--task-file", taskFile(2500).toString(), "--checkpoint-file", checkpoint.toString()));

    assertThat(load.exitCode()).as(load.err()).isZero();
    assertThat(load.out()).contains("Loaded 500 tasks", "resumed at task 2000, up to 500 tasks possibly sent twice");
    assertThat(checkpoint).doesNotExist();
    assertThat(taskjob(local("queue", "status")).out()).contains("waiting:       500");
  }

  @Test
  void purgeAndDeleteNeedForceWithoutATerminal() throws IOException {
    taskjob(local("load-queue", "--task-file", taskFile(10).toString()));

    Run refused = taskjob(local("queue", "purge"));
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.err()).contains("pass --force");

    assertThat(taskjob(local("queue", "purge", "--force")).exitCode()).isZero();
    assertThat(taskjob(local("queue", "status")).out()).contains("waiting:       0");
    assertThat(taskjob(local("queue", "delete", "--force")).out()).contains("Deleted the task, dead-letter and event queues of tj-cli-test");
    assertThat(taskjob(local("queue", "status")).out()).contains("does not exist");
  }

  @Test
  void loadsIntoSqsThroughAnEndpointOverride() throws IOException {
    String[] target = {"--provider", "aws", "--region", MotoServerExtension.REGION, "--endpoint", MOTO.endpoint().toString(),
        "--queue", "tj-cli-sqs"};
    List<String> load = new ArrayList<>(List.of("load-queue", "--task-file", taskFile(120).toString()));
    load.addAll(List.of(target));

    Run loaded = taskjob(load.toArray(String[]::new));

    assertThat(loaded.exitCode()).as(loaded.err()).isZero();
    List<String> status = new ArrayList<>(List.of("queue", "status"));
    status.addAll(List.of(target));
    assertThat(taskjob(status.toArray(String[]::new)).out()).contains("waiting:       120");
    List<String> delete = new ArrayList<>(List.of("queue", "delete", "--force"));
    delete.addAll(List.of(target));
    assertThat(taskjob(delete.toArray(String[]::new)).exitCode()).isZero();
  }
}
