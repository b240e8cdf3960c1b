package dev.taskjob.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.ProviderConfig;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerClassPathTest {

  /** Instances start in their own directory: a jar given relatively (java -jar target/taskjob.jar) must still be found. */
  @Test
  void relativeClassPathEntriesBecomeAbsolute() {
    String cwd = Path.of("").toAbsolutePath().toString();
    String resolved = LocalCloudProvider.absoluteClassPath(
        "target/taskjob.jar" + File.pathSeparator + "/opt/lib/a.jar" + File.pathSeparator + "classes/../x");

    assertThat(resolved.split(File.pathSeparator))
        .containsExactly(cwd + "/target/taskjob.jar", "/opt/lib/a.jar", cwd + "/x");
  }

  /** Local workers run with the worker image's JVM flags, before the class path and the main class. */
  @Test
  void defaultWorkerCommandUsesTheImagesJvmFlags() {
    List<String> command = LocalCloudProvider.workerCommandOf(new ProviderConfig("local", null, List.of(), Map.of()));

    assertThat(command.get(0)).isEqualTo(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    assertThat(command.subList(1, 5))
        .containsExactly("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m", "-XX:+ExitOnOutOfMemoryError");
    assertThat(command.subList(command.size() - 3, command.size())).containsExactly(
        "-cp", LocalCloudProvider.absoluteClassPath(System.getProperty("java.class.path")), "dev.taskjob.worker.WorkerMain");
  }

  /** A jar with the worker's class-data archive beside it (as the build leaves taskjob.jar) starts workers from it. */
  @Test
  void workerUsesTheClassDataArchiveBesideItsJar(@TempDir Path dir) throws IOException {
    Path jar = Files.createFile(dir.resolve("taskjob.jar"));
    Path java = dir.resolve("jdk");

    List<String> withoutArchive = LocalCloudProvider.defaultWorkerCommand(java, jar.toString());
    Files.createFile(dir.resolve("taskjob-worker.jsa"));
    List<String> withArchive = LocalCloudProvider.defaultWorkerCommand(java, jar.toString());
    List<String> twoEntries = LocalCloudProvider.defaultWorkerCommand(java, jar + File.pathSeparator + dir);

    assertThat(withoutArchive).noneMatch(arg -> arg.startsWith("-XX:SharedArchiveFile"));
    assertThat(withArchive).containsSubsequence("-XX:+ExitOnOutOfMemoryError",
        "-XX:SharedArchiveFile=" + dir.resolve("taskjob-worker.jsa"), "-Xlog:cds=off", "-Xlog:cds+dynamic=off",
        "-cp", jar.toString(), "dev.taskjob.worker.WorkerMain");
    assertThat(twoEntries).noneMatch(arg -> arg.startsWith("-XX:SharedArchiveFile"));
  }
}
