package dev.taskjob.crds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Where the CRD files are, and the committed form of a generated CRD.
 *
 * <p>The committed form is the generator's output with one change: the generator sorts printer
 * columns by JSON path, so they are put back in the order the resource class declares them (the
 * order {@code kubectl get} shows). Paths come from system properties set by the module's pom, with
 * fallbacks for running from the module directory.
 */
final class CrdFiles {

  static final List<Class<? extends CustomResource<?, ?>>> RESOURCES = List.of(TaskJob.class, InstancePool.class);

  static final String REFRESH_HINT =
      "Refresh the committed files with: mvn -B -pl crds -am verify -Dcrds.update=true";

  static final ObjectMapper YAML = new ObjectMapper(
      YAMLFactory.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
          .build());

  private static final String HEADER =
      "# Generated from the classes in crds/src/main/java by crd-generator-maven-plugin; do not edit.\n"
          + "# " + REFRESH_HINT + "\n";

  private CrdFiles() {}

  static boolean updateRequested() {
    return Boolean.parseBoolean(System.getProperty("crds.update", "false"));
  }

  static Path generatedDir() {
    return Path.of(System.getProperty("crds.generatedDir", "target/classes/META-INF/fabric8"));
  }

  static Path committedDir() {
    return Path.of(System.getProperty("crds.committedDir", "."));
  }

  static Path referenceDoc() {
    return Path.of(System.getProperty("crds.referenceDoc", "../docs/crd-reference.md"));
  }

  static String fileName(Class<? extends HasMetadata> resource) {
    return CustomResource.getCRDName(resource) + "-v1.yml";
  }

  /** The committed CRD of a resource, parsed. */
  static ObjectNode committed(Class<? extends HasMetadata> resource) {
    return (ObjectNode) read(committedDir().resolve(fileName(resource)));
  }

  /** The generator's output for a resource, in committed form. */
  static String expectedCommittedText(Class<? extends HasMetadata> resource) {
    ObjectNode crd = (ObjectNode) read(generatedDir().resolve(fileName(resource)));
    List<String> declared = Arrays.stream(resource.getAnnotationsByType(AdditionalPrinterColumn.class))
        .map(AdditionalPrinterColumn::name)
        .toList();
    for (JsonNode version : crd.path("spec").path("versions")) {
      ArrayNode columns = (ArrayNode) version.get("additionalPrinterColumns");
      if (columns == null) {
        continue;
      }
      List<JsonNode> sorted = new ArrayList<>();
      columns.forEach(sorted::add);
      sorted.sort(Comparator.comparingInt(c -> declared.indexOf(c.path("name").asText())));
      columns.removeAll();
      columns.addAll(sorted);
    }
    try {
      return HEADER + YAML.writeValueAsString(crd);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode read(Path path) {
    try {
      return YAML.readTree(path.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path.toAbsolutePath().normalize(), e);
    }
  }

  static JsonNode parse(String yaml) {
    try {
      return YAML.readTree(yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String readString(Path path) {
    try {
      return Files.exists(path) ? Files.readString(path) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void write(Path path, String text) {
    try {
      Files.createDirectories(path.toAbsolutePath().getParent());
      Files.writeString(path, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
