package dev.taskjob.crds;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import dev.taskjob.crds.schema.CelRules;
import dev.taskjob.crds.schema.SchemaValidator;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every TaskJob and InstancePool manifest under samples/ (and the docs' examples directory, when present)
 * passes the committed CRD schema, CEL rules included, as an API server would check it.
 */
class SamplesMatchSchemaTest {

  private static final SchemaValidator TASK_JOBS =
      new SchemaValidator(CrdFiles.committed(TaskJob.class), CelRules.INSTANCE);
  private static final SchemaValidator POOLS =
      new SchemaValidator(CrdFiles.committed(InstancePool.class), CelRules.INSTANCE);

  @Test
  void everySampleManifestIsValid() throws IOException {
    Path samples = CrdFiles.committedDir().getParent().resolve("samples");
    List<Path> files;
    try (Stream<Path> walk = Files.walk(samples)) {
      files = walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
    }
    List<String> checked = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Path file : files) {
      try (MappingIterator<JsonNode> docs = CrdFiles.YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
        while (docs.hasNext()) {
          JsonNode doc = docs.next();
          String kind = doc.path("kind").asText();
          SchemaValidator validator = switch (kind) {
            case "TaskJob" -> TASK_JOBS;
            case "InstancePool" -> POOLS;
            default -> null;
          };
          if (validator == null) {
            continue;
          }
          checked.add(samples.relativize(file).toString());
          validator.validateCreate(doc).forEach(error -> problems.add(samples.relativize(file) + ": " + error));
        }
      }
    }
    assertThat(checked).as("sample TaskJobs found").contains("parallel-addition/local/taskjob.yaml",
        "parallel-addition/local-failures/taskjob.yaml", "parallel-addition/aws/taskjob.yaml",
        "parallel-addition/gcp/taskjob.yaml");
    assertThat(problems).isEmpty();
  }

  /**
   * A cloud sample runs as written: its image is a public one anybody can pull, not a placeholder to be
   * replaced (a VM that cannot pull its image costs money and runs nothing).
   */
  @Test
  void cloudSamplesNameAPublicImage() throws IOException {
    Path samples = CrdFiles.committedDir().getParent().resolve("samples");
    List<Path> files;
    try (Stream<Path> walk = Files.walk(samples)) {
      files = walk.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    List<String> images = new ArrayList<>();
    for (Path file : files) {
      try (MappingIterator<JsonNode> docs = CrdFiles.YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
        while (docs.hasNext()) {
          JsonNode spec = docs.next().path("spec");
          String provider = spec.path("provider").asText();
          if (provider.equals("aws") || provider.equals("gcp")) {
            images.add(samples.relativize(file) + ": " + spec.path("worker").path("image").asText());
          }
        }
      }
    }
    assertThat(images).as("images of the cloud samples").hasSizeGreaterThanOrEqualTo(2).allSatisfy(entry -> {
      String image = entry.substring(entry.indexOf(": ") + 2);
      assertThat(image).as(entry).isNotBlank()
          .doesNotContainIgnoringCase("example").doesNotContainIgnoringCase("registry")
          .doesNotContain("<", "ACCOUNT", "PROJECT", "my-", "your-", "localhost");
      assertThat(image.substring(0, Math.max(0, image.indexOf('/'))))
          .as("%s comes from Docker Hub's official images or another public registry", entry)
          .isIn("", "docker.io", "public.ecr.aws", "ghcr.io", "quay.io", "mirror.gcr.io");
    });
  }
}
