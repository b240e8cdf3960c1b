package dev.taskjob.operator.local;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Kubernetes manifests read from files and directories, as {@code kubectl apply -f} takes them:
 * YAML (several documents per file) or JSON, directories read one level deep in name order.
 * Applied ConfigMaps and Secrets first, so a TaskJob never sees its task list missing.
 */
public final class Manifests {

  private final List<Item> items;

  /** One object and the file it came from (for messages). */
  public record Item(HasMetadata object, Path file) {
    public String describe() {
      return object.getKind() + " " + object.getMetadata().getName() + " (" + file + ")";
    }
  }

  private Manifests(List<Item> items) {
    this.items = List.copyOf(items);
  }

  public List<Item> items() {
    return items;
  }

  /** Reads every manifest under the given paths; errors name the file and the reason. */
  public static Manifests read(KubernetesClient client, List<Path> paths) {
    List<Item> items = new ArrayList<>();
    for (Path path : paths) {
      if (!Files.exists(path)) {
        throw new IllegalArgumentException(path + ": no such file or directory");
      }
      for (Path file : files(path)) {
        try (InputStream in = Files.newInputStream(file)) {
          for (HasMetadata object : client.load(in).items()) {
            if (object == null) {
              continue;
            }
            if (object.getMetadata() == null || object.getMetadata().getName() == null) {
              throw new IllegalArgumentException(file + ": a " + object.getKind() + " has no metadata.name");
            }
            items.add(new Item(object, file));
          }
        } catch (IOException | KubernetesClientException | IllegalStateException e) {
          throw new IllegalArgumentException(file + ": not a valid manifest: " + rootMessage(e), e);
        }
      }
    }
    if (items.isEmpty()) {
      throw new IllegalArgumentException("no manifests found in " + paths);
    }
    items.sort(Comparator.comparingInt(i -> applyOrder(i.object().getKind())));
    return new Manifests(items);
  }

  /** Creates every object in the given namespace (unless the object names its own). */
  public List<HasMetadata> apply(KubernetesClient client, String namespace) {
    List<HasMetadata> applied = new ArrayList<>();
    for (Item item : items) {
      HasMetadata object = item.object();
      if (object.getMetadata().getNamespace() == null) {
        object.getMetadata().setNamespace(namespace);
      }
      try {
        applied.add(client.resource(object).create());
      } catch (KubernetesClientException e) {
        throw new IllegalArgumentException("cannot create " + item.describe() + ": " + rootMessage(e), e);
      }
    }
    return applied;
  }

  public List<Item> ofKind(String kind) {
    return items.stream().filter(i -> kind.equals(i.object().getKind())).toList();
  }

  private static List<Path> files(Path path) {
    if (!Files.isDirectory(path)) {
      return List.of(path);
    }
    try (Stream<Path> children = Files.list(path)) {
      return children.filter(Files::isRegularFile).filter(Manifests::isManifest).sorted().toList();
    } catch (IOException e) {
      throw new IllegalArgumentException(path + ": cannot list: " + e.getMessage(), e);
    }
  }

  private static boolean isManifest(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
  }

  private static int applyOrder(String kind) {
    return switch (kind) {
      case "Namespace" -> 0;
      case "Secret", "ConfigMap" -> 1;
      default -> 2;
    };
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
