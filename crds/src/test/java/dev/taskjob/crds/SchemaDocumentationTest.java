package dev.taskjob.crds;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** What {@code kubectl explain} and {@code kubectl get} show, read from the committed CRDs. */
class SchemaDocumentationTest {

  static final List<Class<? extends HasMetadata>> RESOURCES = List.copyOf(CrdFiles.RESOURCES);

  @ParameterizedTest
  @FieldSource("RESOURCES")
  void everyFieldHasADescription(Class<? extends HasMetadata> resource) {
    List<String> undocumented = new ArrayList<>();
    SchemaFields.forEach(schema(resource), (path, field) -> {
      if (field.path("description").asText().isBlank()) {
        undocumented.add(path);
      }
    });
    assertThat(SchemaFields.paths(schema(resource))).hasSizeGreaterThan(20);
    assertThat(undocumented).as("fields without @JsonPropertyDescription").isEmpty();
  }

  @ParameterizedTest
  @FieldSource("RESOURCES")
  void printerColumnsShowExistingFields(Class<? extends HasMetadata> resource) {
    List<String> fields = SchemaFields.paths(schema(resource));
    for (JsonNode column : version(resource).path("additionalPrinterColumns")) {
      String jsonPath = column.path("jsonPath").asText();
      assertThat(jsonPath.equals(".metadata.creationTimestamp") || fields.contains(jsonPath.substring(1)))
          .as("printer column %s shows %s, which is not in the schema", column.path("name").asText(), jsonPath)
          .isTrue();
    }
  }

  @Test
  void taskJobColumnsAnswerHowFarHowFastHowMuch() {
    assertThat(columnNames(TaskJob.class, 0))
        .containsExactly("Phase", "Total", "Succeeded", "Failed", "Instances", "Type", "$/Hour", "ETA", "Age");
    assertThat(columnNames(TaskJob.class, 1)).containsExactly("Provider", "Spot", "Cost", "$/Task", "Waste%", "Budget");
  }

  @Test
  void instancePoolColumnsShowTypeAndSize() {
    assertThat(columnNames(InstancePool.class, 0)).containsExactly("Type", "Desired", "Running", "$/Hour", "Age");
  }

  @ParameterizedTest
  @FieldSource("RESOURCES")
  void resourcesHaveStatusSubresourceShortNameAndCategory(Class<? extends HasMetadata> resource) {
    JsonNode crd = CrdFiles.committed(resource);
    assertThat(crd.at("/spec/names/categories/0").asText()).isEqualTo("taskjob-all");
    assertThat(crd.at("/spec/names/shortNames/0").asText()).isIn("tj", "ipool");
    assertThat(crd.at("/spec/scope").asText()).isEqualTo("Namespaced");
    assertThat(version(resource).at("/subresources/status").isObject()).isTrue();
  }

  /**
   * kubectl expands categories before it looks up resource names, so a category equal to a name would make
   * {@code kubectl get taskjob NAME} look NAME up in every kind of the category.
   */
  @Test
  void noCategoryShadowsAResourceName() {
    List<String> names = new ArrayList<>();
    List<String> categories = new ArrayList<>();
    for (Class<? extends HasMetadata> resource : RESOURCES) {
      JsonNode crdNames = CrdFiles.committed(resource).at("/spec/names");
      names.add(crdNames.path("singular").asText());
      names.add(crdNames.path("plural").asText());
      names.add(crdNames.path("kind").asText().toLowerCase(java.util.Locale.ROOT));
      crdNames.path("shortNames").forEach(n -> names.add(n.asText()));
      crdNames.path("categories").forEach(c -> categories.add(c.asText()));
    }
    assertThat(categories).isNotEmpty().doesNotContainAnyElementsOf(names);
  }

  private static List<String> columnNames(Class<? extends HasMetadata> resource, int priority) {
    List<String> names = new ArrayList<>();
    for (JsonNode column : version(resource).path("additionalPrinterColumns")) {
      if (column.path("priority").asInt() == priority) {
        names.add(column.path("name").asText());
      }
    }
    return names;
  }

  private static JsonNode version(Class<? extends HasMetadata> resource) {
    return CrdFiles.committed(resource).at("/spec/versions/0");
  }

  private static JsonNode schema(Class<? extends HasMetadata> resource) {
    return version(resource).at("/schema/openAPIV3Schema");
  }
}
