package dev.taskjob.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code taskjob --version} names the build's version; {@code taskjob generate-completion} is a bash completion. */
class VersionAndCompletionTest {

  private static String run(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = TaskjobCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    assertThat(cli.execute(args)).isZero();
    return out.toString();
  }

  @Test
  void versionIsTheOneTheBuildWroteIn() {
    String version = run("--version");

    assertThat(version.lines().findFirst().orElse(""))
        .matches("taskjob \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?")
        .doesNotContain("development", "${");
    assertThat(version).contains("Java " + System.getProperty("java.version"));
  }

  @Test
  void generatedCompletionCompletesSubcommandsInBash(@TempDir Path dir) throws Exception {
    Path script = dir.resolve("taskjob_completion");
    Files.writeString(script, run("generate-completion"));
    assertThat(run("--help")).contains("generate-completion");

    // COMP_WORDS as bash fills them for "taskjob inst<TAB>".
    Process bash = new ProcessBuilder("bash", "-c", "source " + script
        + " && COMP_WORDS=(taskjob inst) && COMP_CWORD=1 && COMP_LINE='taskjob inst' && COMP_POINT=12"
        + " && _complete_taskjob && printf '%s\\n' \"${COMPREPLY[@]}\"").redirectErrorStream(true).start();
    String completions = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(bash.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(bash.exitValue()).as(completions).isZero();
    assertThat(completions.strip()).isEqualTo("instance-types");
  }
}
