package dev.taskjob.crds;

import static dev.taskjob.crds.Manifests.load;
import static dev.taskjob.crds.Manifests.set;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.shared.Provider;
import dev.taskjob.crds.v1alpha1.shared.UnreadableField;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Objects the classes cannot hold are still read, through the same serialization the operator's
 * informers use: the field at fault is left out and named, and everything else arrives intact.
 */
class LenientReadingTest {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  static Stream<Arguments> unreadable() {
    return Stream.of(
        Arguments.of("an int beyond 2^31", set("spec/instances/maxInstances", 3_000_000_000L),
            "spec.instances.maxInstances: Invalid value: 3000000000: out of range"),
        Arguments.of("an enum value from a newer CRD", set("spec/provider", "azure"),
            "spec.provider: Unsupported value: \"azure\": supported values: \"local\", \"aws\", \"gcp\""),
        Arguments.of("a misspelt field", set("spec/worker/cpusPerTsk", 2),
            "spec.worker.cpusPerTsk: unknown field"),
        Arguments.of("a fraction in an integer field", set("spec/instances/maxInstances", 2.5),
            "spec.instances.maxInstances: Invalid value: 2.5: must be an integer"),
        Arguments.of("a string where a list belongs", set("spec/worker/command", "run.sh"),
            "spec.worker.command: Invalid value: \"run.sh\": must be a list"),
        Arguments.of("an unknown architecture in a list item's object", set("spec/instances/architecture", "sparc"),
            "spec.instances.architecture: Unsupported value: \"sparc\""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unreadable")
  void readsTheRestAndNamesTheField(String description, Manifests.Edit edit, String expected) {
    TaskJob job = read(edit.apply(load("taskjob-local.yaml")), TaskJob.class);

    assertThat(job.getSpec().unreadableFields()).extracting(UnreadableField::message).singleElement()
        .asString().startsWith(expected);
    assertThat(job.getMetadata().getName()).isEqualTo("parallel-addition");
    assertThat(job.getSpec().getTasks().getConfigMapRefs()).singleElement()
        .satisfies(ref -> assertThat(ref.getName()).isEqualTo("addition-tasks"));
  }

  @Test
  void readsSeveralBadFieldsAtOnceAndKeepsTheGoodOnes() {
    ObjectNode manifest = set("spec/instances/maxInstances", 3_000_000_000L)
        .then(set("spec/provider", "azure"))
        .then(set("spec/worker/cpusPerTsk", 2))
        .apply(load("taskjob-local.yaml"));

    TaskJob job = read(manifest, TaskJob.class);

    assertThat(job.getSpec().unreadableFields()).extracting(UnreadableField::path)
        .containsExactlyInAnyOrder("spec.instances.maxInstances", "spec.provider", "spec.worker.cpusPerTsk");
    assertThat(job.getSpec().getProvider()).isNull();
    assertThat(job.getSpec().getWorker().getMaxRuntime()).isEqualTo("10s");
    assertThat(job.getSpec().getWorker().getEnv()).hasSize(2);
  }

  @Test
  void aReadableObjectHasNoUnreadableFieldsAndWritesBackUnchanged() {
    JsonNode manifest = load("taskjob-aws.yaml");
    TaskJob job = read(manifest, TaskJob.class);
    assertThat(job.getSpec().unreadableFields()).isEmpty();
    assertThat(job.getSpec().getProvider()).isEqualTo(Provider.AWS);
    assertThat(SERIALIZATION.asJson(job)).doesNotContain("unreadable");
  }

  @Test
  void aSpecThatIsNotAnObjectIsReadAsEmptyAndNamed() {
    TaskJob job = read(set("spec", "everything").apply(load("taskjob-local.yaml")), TaskJob.class);
    assertThat(job.getSpec().unreadableFields()).extracting(UnreadableField::message)
        .containsExactly("spec: Invalid value: \"everything\": must be of type object");
  }

  @Test
  void statusFromANewerOperatorIsReadWithoutItsUnknownParts() {
    ObjectNode manifest = set("status/phase", "Hibernating").then(set("status/total", 12))
        .then(set("status/futureField", "x")).apply(load("taskjob-local.yaml"));
    TaskJob job = read(manifest, TaskJob.class);
    assertThat(job.getStatus().getPhase()).isNull();
    assertThat(job.getStatus().getTotal()).isEqualTo(12L);
  }

  @Test
  void instancePoolsAreReadLeniently() {
    InstancePool pool = read(set("spec/count", 3_000_000_000L).apply(load("instancepool-aws.yaml")), InstancePool.class);
    assertThat(pool.getSpec().unreadableFields()).extracting(UnreadableField::path).containsExactly("spec.count");
  }

  /** Every integer and number in the CRDs has a maximum, and an integer's fits a Java int. */
  @Test
  void everyNumericSpecFieldHasAMaximumThatFitsItsJavaType() {
    List<String> missing = new ArrayList<>();
    for (var resource : CrdFiles.RESOURCES) {
      JsonNode spec = CrdFiles.committed(resource).path("spec").path("versions").get(0)
          .path("schema").path("openAPIV3Schema").path("properties").path("spec");
      SchemaFields.forEach(spec, (path, field) -> {
        String type = field.path("type").asText();
        if ((type.equals("integer") || type.equals("number"))
            && (!field.has("maximum") || (type.equals("integer") && field.get("maximum").asDouble() > Integer.MAX_VALUE))) {
          missing.add(resource.getSimpleName() + " spec." + path);
        }
      });
    }
    assertThat(missing).isEmpty();
  }

  private static <T> T read(JsonNode manifest, Class<T> type) {
    return SERIALIZATION.unmarshal(manifest.toString(), type);
  }
}
