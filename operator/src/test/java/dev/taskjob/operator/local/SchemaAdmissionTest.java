package dev.taskjob.operator.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded API of a local run refuses writes that break the CRD's schema or CEL rules as an API server
 * does (422 Invalid, field and reason named), on create, update and patch, and lets valid writes and status
 * writes through.
 */
class SchemaAdmissionTest {

  private static final ResourceDefinitionContext TASK_JOBS =
      ResourceDefinitionContext.fromResourceType(TaskJob.class);

  private EmbeddedApiServer api;

  @BeforeEach
  void start() {
    api = EmbeddedApiServer.startWithTaskJobCrds(0);
  }

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void aCreateBreakingACelRuleIsRefusedWith422NamingTheField() {
    GenericKubernetesResource job = job("two-sources", "local");
    spec(job).put("tasks",
        Map.of("configMapRefs", List.of(Map.of("name", "t", "key", "k")),
            "generate", Map.of("count", 3)));

    assertThatThrownBy(() -> taskJobs().resource(job).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getStatus().getMessage()).isEqualTo("TaskJob.taskjob.dev \"two-sources\" is invalid: "
              + "spec.tasks: Invalid value: \"object\": spec.tasks needs exactly one of configMapRefs or generate");
          assertThat(e.getStatus().getDetails().getCauses()).singleElement()
              .satisfies(c -> assertThat(c.getField()).isEqualTo("spec.tasks"));
        });
    assertThat(taskJobs().withName("two-sources").get()).isNull();
  }

  @Test
  void aCreateWithAnUnknownFieldAndABadValueIsRefusedWithBoth() {
    GenericKubernetesResource job = job("typo", "local");
    worker(job).put("cpusPerTsk", 2);
    worker(job).put("cpusPerTask", 0);

    assertThatThrownBy(() -> taskJobs().resource(job).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getStatus().getMessage()).contains("spec.worker.cpusPerTask: Invalid value: 0")
              .contains("spec.worker.cpusPerTsk: unknown field");
        });
  }

  @Test
  void aPatchChangingAnImmutableFieldIsRefusedAndTheStoredObjectKept() {
    taskJobs().resource(job("sum", "local")).create();

    assertThatThrownBy(() -> taskJobs().withName("sum").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"spec\":{\"provider\":\"gcp\",\"region\":\"us-central1\",\"project\":\"p\"}}"))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getStatus().getMessage())
              .contains("spec.provider: Invalid value: \"object\": spec.provider is immutable; create a new TaskJob");
        });
    assertThat(spec(taskJobs().withName("sum").get()).get("provider")).isEqualTo("local");
  }

  @Test
  void validUpdatesFinalizerPatchesAndStatusWritesGoThrough() {
    taskJobs().resource(job("sum", "local")).create();

    GenericKubernetesResource labelled = taskJobs().withName("sum").edit(j -> {
      j.getMetadata().setLabels(Map.of("team", "a"));
      return j;
    });
    assertThat(labelled.getMetadata().getLabels()).containsEntry("team", "a");
    taskJobs().withName("sum").patch(PatchContext.of(PatchType.JSON),
        "[{\"op\":\"add\",\"path\":\"/metadata/finalizers\",\"value\":[\"taskjob.dev/cleanup\"]}]");
    GenericKubernetesResource withStatus = taskJobs().withName("sum").get();
    withStatus.getAdditionalProperties().put("status", Map.of("phase", "Running"));
    taskJobs().resource(withStatus).updateStatus();

    GenericKubernetesResource stored = taskJobs().withName("sum").get();
    assertThat(stored.getMetadata().getFinalizers()).containsExactly("taskjob.dev/cleanup");
    assertThat(stored.getAdditionalProperties().get("status")).isEqualTo(Map.of("phase", "Running"));
  }

  private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
      Resource<GenericKubernetesResource>> taskJobs() {
    return api.client().genericKubernetesResources(TASK_JOBS).inNamespace("default");
  }

  private static GenericKubernetesResource job(String name, String provider) {
    return Serialization.unmarshal("""
        apiVersion: taskjob.dev/v1alpha1
        kind: TaskJob
        metadata:
          name: %s
        spec:
          provider: %s
          tasks:
            configMapRefs:
              - name: tasks
                key: tasks.json
          worker:
            command: ["true"]
        """.formatted(name, provider), GenericKubernetesResource.class);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource job) {
    return (Map<String, Object>) job.getAdditionalProperties().get("spec");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> worker(GenericKubernetesResource job) {
    return (Map<String, Object>) spec(job).get("worker");
  }
}
