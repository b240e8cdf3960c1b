package dev.taskjob.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every install carries the CRDs exactly as generated into crds/. With {@code -Dcrds.update=true} (the
 * crds module's refresh switch) the copies in deploy/base/crds are refreshed first.
 */
class CustomResourceDefinitionsTest {

  static final String REFRESH_HINT = "refresh the copies with `cp crds/*.yml deploy/base/crds/`, or with "
      + "mvn -B -pl crds,deploy-tests -am verify -Dcrds.update=true (regenerates crds/ and copies)";

  @BeforeAll
  static void refreshCopiesWhenAsked() throws IOException {
    if (Boolean.parseBoolean(System.getProperty("crds.update", "false"))) {
      Path copies = Kustomize.repoRoot().resolve("deploy/base/crds");
      for (Path file : crdFiles()) {
        Files.copy(file, copies.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  static List<String> installs() {
    return Installs.all();
  }

  @ParameterizedTest
  @MethodSource("installs")
  void rendersTheGeneratedCrdsUnchanged(String install) throws IOException {
    Map<String, JsonNode> generated = generatedCrds();
    Map<String, JsonNode> rendered = new TreeMap<>();
    for (JsonNode crd : Kustomize.render(install).ofKind("CustomResourceDefinition")) {
      rendered.put(crd.path("metadata").path("name").asText(), crd);
    }

    assertThat(rendered.keySet()).as(install + " CRDs").isEqualTo(generated.keySet());
    generated.forEach((name, crd) -> assertThat(JsonDiff.differences(crd, rendered.get(name)))
        .as("%s renders CRD %s differently from crds/; %s", install, name, REFRESH_HINT)
        .isEmpty());
  }

  @Test
  void baseCopiesAreByteForByteTheGeneratedFiles() throws IOException {
    Path copies = Kustomize.repoRoot().resolve("deploy/base/crds");
    for (Path file : crdFiles()) {
      Path copy = copies.resolve(file.getFileName());
      assertThat(copy).as("copy of " + file.getFileName()).exists();
      assertThat(Files.readString(copy))
          .as("deploy/base/crds/%s is stale; %s", file.getFileName(), REFRESH_HINT)
          .isEqualTo(Files.readString(file));
    }
  }

  /** The CRDs in crds/ by name. */
  private static Map<String, JsonNode> generatedCrds() throws IOException {
    Map<String, JsonNode> crds = new TreeMap<>();
    for (Path file : crdFiles()) {
      try (var docs = Kustomize.YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
        while (docs.hasNext()) {
          JsonNode doc = docs.next();
          if (doc != null && doc.path("kind").asText().equals("CustomResourceDefinition")) {
            crds.put(doc.path("metadata").path("name").asText(), doc);
          }
        }
      }
    }
    assertThat(crds).as("CustomResourceDefinitions in crds/").isNotEmpty();
    return crds;
  }

  private static List<Path> crdFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> list = Files.list(Kustomize.repoRoot().resolve("crds"))) {
      list.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).sorted().forEach(files::add);
    }
    return files;
  }
}
