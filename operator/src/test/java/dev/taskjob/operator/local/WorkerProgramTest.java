package dev.taskjob.operator.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/** Which program a local TaskJob runs, or why it is refused before the run starts. */
class WorkerProgramTest {

  @TempDir Path dir;

  @BeforeEach
  void layout() throws Exception {
    // dir/samples/job/taskjob.yaml next to dir/samples/run.sh; dir/bin holds a program found on PATH.
    Files.createDirectories(dir.resolve("samples/job"));
    Files.createDirectories(dir.resolve("bin"));
    Files.createDirectories(dir.resolve("samples/adir"));
    executable(dir.resolve("samples/run.sh"));
    executable(dir.resolve("bin/tool"));
    Files.writeString(dir.resolve("samples/plain.txt"), "not a program");
  }

  private static void executable(Path file) throws Exception {
    Files.writeString(file, "#!/bin/sh\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "../run.sh              | <dir>/samples/run.sh | ",
      "./../run.sh            | <dir>/samples/run.sh | ",
      "<dir>/samples/run.sh   | <dir>/samples/run.sh | ",
      "tool                   | tool                 | ",
      "run.sh                 |                      | spec.worker.command[0] 'run.sh' is not on the PATH of this machine",
      "samples/run.sh         |                      | spec.worker.command[0] 'samples/run.sh': <dir>/samples/job/samples/run.sh does not exist (relative paths are read against the manifest's directory <dir>/samples/job)",
      "<dir>/nowhere.sh       |                      | spec.worker.command[0] '<dir>/nowhere.sh': <dir>/nowhere.sh does not exist",
      "../plain.txt           |                      | spec.worker.command[0] '../plain.txt': <dir>/samples/plain.txt is not executable (chmod +x <dir>/samples/plain.txt)",
      "../adir                |                      | spec.worker.command[0] '../adir': <dir>/samples/adir is a directory (relative paths are read against the manifest's directory <dir>/samples/job)",
  })
  void resolvesAgainstTheManifestDirectoryOrSaysWhyNot(String program, String expected, String problem) {
    String root = dir.toAbsolutePath().normalize().toString();
    WorkerProgram.Resolution resolution = WorkerProgram.resolve(program.replace("<dir>", root),
        dir.resolve("samples/job"), dir.resolve("bin").toString());

    if (problem == null) {
      assertThat(resolution.problem()).isNull();
      assertThat(resolution.program()).isEqualTo(expected.replace("<dir>", root));
    } else {
      assertThat(resolution.ok()).isFalse();
      assertThat(resolution.problem()).isEqualTo(problem.replace("<dir>", root));
    }
  }
}
