package dev.taskjob.operator.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A patch the CRUD dispatcher cannot apply is answered 422, as a real API server answers it, not left hanging. */
class UnappliablePatchesTest {

  @Test
  void aJsonPatchReplacingAFieldTheObjectLacksIsAnswered422AndChangesNothing() {
    KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher(List.of());
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return UnappliablePatches.dispatch(crud, request);
          }
        }, false);
    server.init();
    try (KubernetesClient client = server.createClient()) {
      client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("cm")
          .endMetadata().withData(Map.of("a", "1")).build()).create();

      assertThatThrownBy(() -> client.configMaps().inNamespace("default").withName("cm")
          .patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"replace\",\"path\":\"/data/missing\",\"value\":\"2\"}]"))
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));

      ConfigMap kept = client.configMaps().inNamespace("default").withName("cm").get();
      assertThat(kept.getData()).containsExactly(Map.entry("a", "1"));
      ConfigMap patched = client.configMaps().inNamespace("default").withName("cm")
          .patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"replace\",\"path\":\"/data/a\",\"value\":\"2\"}]");
      assertThat(patched.getData()).containsExactly(Map.entry("a", "2"));
    } finally {
      server.destroy();
    }
  }
}
