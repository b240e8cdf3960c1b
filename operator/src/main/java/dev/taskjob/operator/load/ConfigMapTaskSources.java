package dev.taskjob.operator.load;

import dev.taskjob.core.task.TaskListException;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeSet;

/**
 * Task lists kept in ConfigMaps: each ref names a ConfigMap in the job's namespace and a key in its
 * {@code data} (text) or {@code binaryData} (bytes, e.g. gzip). A ConfigMap is fetched each time its
 * source is opened, one at a time, so many refs never sit in memory together.
 */
public final class ConfigMapTaskSources {

  /** One ConfigMap key holding a task list. */
  public record Ref(String name, String key) {}

  private ConfigMapTaskSources() {}

  public static List<TaskSource> of(KubernetesClient client, String namespace, List<Ref> refs) {
    List<TaskSource> sources = new ArrayList<>(refs.size());
    for (Ref ref : refs) {
      sources.add(new ConfigMapSource(client, namespace, ref));
    }
    return sources;
  }

  private record ConfigMapSource(KubernetesClient client, String namespace, Ref ref) implements TaskSource {

    @Override
    public String name() {
      return "configmap/" + ref.name() + "/" + ref.key();
    }

    @Override
    public InputStream open() {
      ConfigMap map = client.configMaps().inNamespace(namespace).withName(ref.name()).get();
      if (map == null) {
        throw new TaskListException(name(), -1, 0, "ConfigMap " + namespace + "/" + ref.name() + " not found");
      }
      if (map.getData() != null && map.getData().containsKey(ref.key())) {
        return new ByteArrayInputStream(map.getData().get(ref.key()).getBytes(StandardCharsets.UTF_8));
      }
      if (map.getBinaryData() != null && map.getBinaryData().containsKey(ref.key())) {
        try {
          return new ByteArrayInputStream(Base64.getMimeDecoder().decode(map.getBinaryData().get(ref.key())));
        } catch (IllegalArgumentException e) {
          throw new TaskListException(name(), -1, 0, "binaryData key \"" + ref.key() + "\" is not valid base64", e);
        }
      }
      TreeSet<String> keys = new TreeSet<>();
      if (map.getData() != null) {
        keys.addAll(map.getData().keySet());
      }
      if (map.getBinaryData() != null) {
        keys.addAll(map.getBinaryData().keySet());
      }
      throw new TaskListException(name(), -1, 0, "ConfigMap " + namespace + "/" + ref.name() + " has no key \""
          + ref.key() + "\" in data or binaryData (keys: " + (keys.isEmpty() ? "none" : String.join(", ", keys)) + ")");
    }
  }
}
