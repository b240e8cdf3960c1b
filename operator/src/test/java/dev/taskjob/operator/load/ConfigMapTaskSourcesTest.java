package dev.taskjob.operator.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.TaskListException;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ConfigMaps in fabric8's mock API server (CRUD mode), loaded into the real local queue. */
@EnableKubernetesMockClient(crud = true)
class ConfigMapTaskSourcesTest {

  KubernetesClient client;
  @TempDir Path root;

  private static String gzipBase64(String text) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return Base64.getEncoder().encodeToString(bytes.toByteArray());
  }

  @Test
  void loadsJsonArrayJsonLinesAndGzipYamlFromSeveralConfigMaps() throws IOException {
    client.configMaps().inNamespace("jobs").resource(new ConfigMapBuilder().withNewMetadata().withName("part-1").endMetadata()
        .addToData("tasks.json", "[{\"id\":\"a\",\"data\":{\"x\":1}},{\"id\":\"b\"}]")
        .addToData("more.jsonl", "{\"id\":\"c\"}\n{\"id\":\"d\"}\n")
        .build()).create();
    client.configMaps().inNamespace("jobs").resource(new ConfigMapBuilder().withNewMetadata().withName("part-2").endMetadata()
        .addToBinaryData("tasks.yaml.gz", gzipBase64("- id: e\n  data: {y: 2}\n- id: f\n"))
        .build()).create();
    List<TaskSource> sources = ConfigMapTaskSources.of(client, "jobs", List.of(
        new ConfigMapTaskSources.Ref("part-1", "tasks.json"),
        new ConfigMapTaskSources.Ref("part-1", "more.jsonl"),
        new ConfigMapTaskSources.Ref("part-2", "tasks.yaml.gz")));
    ProviderConfig config = new ProviderConfig("local", null, null, Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString()));

    try (TaskQueue queue = Providers.get("local").queue(config, new QueueSettings("tj-cm", Duration.ofMinutes(5), 3))) {
      queue.ensure();
      LoadResult result = new TaskLoader(LoadOptions.forProvider("local")).load(queue, TaskInput.lists(sources),
          LoadCheckpoint.START, null);

      assertThat(result.total()).isEqualTo(6);
      assertThat(TaskLoaderTest.drain(queue)).containsOnlyKeys("a", "b", "c", "d", "e", "f");
    }
  }

  @Test
  void missingKeyNamesTheKeysThatExist() {
    client.configMaps().inNamespace("jobs").resource(new ConfigMapBuilder().withNewMetadata().withName("tasks").endMetadata()
        .addToData("list.json", "[]").build()).create();
    TaskInput input = TaskInput.lists(ConfigMapTaskSources.of(client, "jobs",
        List.of(new ConfigMapTaskSources.Ref("tasks", "tasks.json"))));

    assertThatThrownBy(() -> new TaskLoader(LoadOptions.forProvider("local")).validate(input))
        .isInstanceOf(TaskListException.class)
        .hasMessageContaining("configmap/tasks/tasks.json").hasMessageContaining("(keys: list.json)");
  }

  @Test
  void missingConfigMapIsNamed() {
    TaskInput input = TaskInput.lists(ConfigMapTaskSources.of(client, "jobs",
        List.of(new ConfigMapTaskSources.Ref("absent", "tasks.json"))));

    assertThatThrownBy(() -> new TaskLoader(LoadOptions.forProvider("local")).validate(input))
        .isInstanceOf(TaskListException.class).hasMessageContaining("ConfigMap jobs/absent not found");
  }
}
