package dev.taskjob.operator.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The CRDs the embedded API of {@code taskjob local} installs are the ones {@code kubectl apply -f crds/} installs. */
class BundledCrdsTest {

  @Test
  void bundledCrdsAreTheCommittedFilesOfCrdsDirectory() throws IOException {
    Path crdsDir = Path.of(System.getProperty("user.dir")).resolve("../crds").normalize();
    for (String resource : EmbeddedApiServer.CRD_RESOURCES) {
      Path committed = crdsDir.resolve(Path.of(resource).getFileName());
      try (InputStream bundled = EmbeddedApiServer.class.getClassLoader().getResourceAsStream(resource)) {
        assertThat(bundled).as("%s on the class path", resource).isNotNull();
        assertThat(new String(bundled.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
            .as("%s differs from %s", resource, committed)
            .isEqualTo(Files.readString(committed));
      }
    }
  }

  @Test
  void printerColumnsKeepTheOrderTheClassesDeclare() {
    var taskJob = EmbeddedApiServer.bundledCrds().get(0);
    assertThat(taskJob.getSpec().getVersions().get(0).getAdditionalPrinterColumns())
        .extracting(c -> c.getName())
        .startsWith("Phase", "Total", "Succeeded", "Failed", "Instances", "Type", "$/Hour", "ETA", "Age");
  }
}
