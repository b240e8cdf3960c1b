package dev.taskjob.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

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
}
