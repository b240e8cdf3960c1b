package dev.taskjob.crds;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The CRDs committed under {@code crds/} (what {@code kubectl apply -f crds/} installs) must be what
 * the build generates from the classes. With {@code -Dcrds.update=true} the test writes them instead.
 */
class CrdsUpToDateTest {

  static final java.util.List<Class<? extends HasMetadata>> RESOURCES = java.util.List.copyOf(CrdFiles.RESOURCES);

  @ParameterizedTest
  @FieldSource("RESOURCES")
  void committedCrdMatchesGeneratedOne(Class<? extends HasMetadata> resource) {
    String expected = CrdFiles.expectedCommittedText(resource);
    Path committed = CrdFiles.committedDir().resolve(CrdFiles.fileName(resource));
    if (CrdFiles.updateRequested()) {
      CrdFiles.write(committed, expected);
    }
    assertThat(CrdFiles.readString(committed))
        .as("crds/%s differs from the CRD generated from %s. %s",
            CrdFiles.fileName(resource), resource.getSimpleName(), CrdFiles.REFRESH_HINT)
        .isEqualTo(expected);
  }
}
