package dev.taskjob.crds;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/crd-reference.md is rendered from the CRDs the build generates (in committed form, which
 * CrdsUpToDateTest holds to the files in crds/); with {@code -Dcrds.update=true} the test rewrites it.
 */
class CrdReferenceDocTest {

  private static String render() {
    List<JsonNode> crds = new ArrayList<>();
    for (var resource : CrdFiles.RESOURCES) {
      crds.add(CrdFiles.parse(CrdFiles.expectedCommittedText(resource)));
    }
    return CrdReference.render(crds);
  }

  @Test
  void referenceDocMatchesCommittedCrds() {
    String expected = render();
    if (CrdFiles.updateRequested()) {
      CrdFiles.write(CrdFiles.referenceDoc(), expected);
    }
    assertThat(CrdFiles.readString(CrdFiles.referenceDoc()))
        .as("docs/crd-reference.md is out of date. %s", CrdFiles.REFRESH_HINT)
        .isEqualTo(expected);
  }

  @Test
  void referenceListsEveryFieldAndRule() {
    String doc = render();
    assertThat(doc)
        .contains("| `spec.instances.maxPricePerHour` | number |")
        .contains("| `spec.tasks.configMapRefs[].key` | string |")
        .contains("| `spec.tasks.generate.parameters.<name>.step` | number | `1.0` |")
        .contains("spec.tasks is immutable; create a new TaskJob")
        .contains("minCpus must be less than or equal to maxCpus")
        .contains("| $/Hour | `.status.costPerHour` | always |");
  }
}
