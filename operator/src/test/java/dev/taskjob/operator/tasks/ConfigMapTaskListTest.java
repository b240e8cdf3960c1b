package dev.taskjob.operator.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.taskjob.crds.v1alpha1.shared.ConfigMapTaskRef;
import dev.taskjob.crds.v1alpha1.shared.GenerateSpec;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class ConfigMapTaskListTest {

  KubernetesClient client;

  private static ConfigMapTaskRef ref(String name, String key) {
    ConfigMapTaskRef ref = new ConfigMapTaskRef();
    ref.setName(name);
    ref.setKey(key);
    return ref;
  }

  private void binaryConfigMap(String name, String key, String base64) {
    client.configMaps().inNamespace("ns").resource(new ConfigMapBuilder().withNewMetadata().withName(name)
        .endMetadata().addToBinaryData(key, base64).build()).create();
  }

  private static byte[] gzip(String text) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  @Test
  void readsGzipBinaryDataWrappedOverSeveralLines() throws Exception {
    String encoded = Base64.getMimeEncoder(20, "\n".getBytes()).encodeToString(
        gzip("[{\"id\":\"a\",\"data\":{}},{\"id\":\"b\",\"data\":{}}]"));
    binaryConfigMap("tasks", "tasks.json.gz", encoded);

    JobTasks tasks = JobTasks.fromConfigMaps(client, "ns", List.of(ref("tasks", "tasks.json.gz")), Long.MAX_VALUE);

    assertThat(tasks.size()).isEqualTo(2);
  }

  @Test
  void namesTasksByIndexAcrossListsAndFromAGenerator() {
    client.configMaps().inNamespace("ns").resource(new ConfigMapBuilder().withNewMetadata().withName("two")
        .endMetadata().addToData("first", "[{\"id\":\"a\",\"data\":{}},{\"id\":\"b\",\"data\":{}}]")
        .addToData("second", "[{\"id\":\"c\",\"data\":{}},{\"id\":\"d\",\"data\":{}}]").build()).create();
    JobTasks lists = JobTasks.fromConfigMaps(client, "ns", List.of(ref("two", "first"), ref("two", "second")),
        Long.MAX_VALUE);
    GenerateSpec sweep = new GenerateSpec();
    sweep.setIdPrefix("run-");
    sweep.setCount(12L);

    assertThat(lists.idsOf(new long[] {1, 2, 3})).containsExactly(entry(1L, "b"), entry(2L, "c"), entry(3L, "d"));
    assertThat(lists.idsOf(new long[] {})).isEmpty();
    assertThat(JobTasks.generated(sweep).idsOf(new long[] {0, 11})).containsExactly(entry(0L, "run-01"),
        entry(11L, "run-12"));
  }

  @Test
  void refusesBinaryDataThatIsNotBase64WithTheFieldNamed() {
    binaryConfigMap("broken", "tasks.json.gz", "H4sI AAAA not base64");

    assertThatThrownBy(() -> JobTasks.fromConfigMaps(client, "ns", List.of(ref("broken", "tasks.json.gz")),
        Long.MAX_VALUE))
        .isInstanceOf(TaskSourceException.class)
        .hasMessageContaining("spec.tasks.configMapRefs[0].key")
        .hasMessageContaining("not valid base64");
  }
}
