package dev.taskjob.operator.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.taskjob.crds.schema.CelRules;
import dev.taskjob.crds.schema.SchemaValidator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Kubernetes manifests read from files and directories, as {@code kubectl apply -f} takes them:
 * YAML (several documents per file) or JSON, directories read one level deep in name order.
 * TaskJobs and InstancePools are checked against their CRD's schema first, as
 * {@code kubectl apply --validate=strict} and the API server would (types, ranges, enums, patterns,
 * unknown fields); violations are reported kubectl style in an {@link InvalidManifestException}.
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

  /** Manifests that break their CRD's schema; the message holds one kubectl-style line per object. */
  public static final class InvalidManifestException extends IllegalArgumentException {
    public InvalidManifestException(String message) {
      super(message);
    }
  }

  /** Reads every manifest under the given paths; errors name the file and the reason. */
  public static Manifests read(KubernetesClient client, List<Path> paths) {
    List<Item> items = new ArrayList<>();
    List<String> schemaErrors = new ArrayList<>();
    for (Path path : paths) {
      if (!Files.exists(path)) {
        throw new IllegalArgumentException(path + ": no such file or directory");
      }
      for (Path file : files(path)) {
        schemaErrors.addAll(schemaErrors(file));
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
        } catch (IOException | KubernetesClientException | IllegalStateException | YamlEngineException e) {
          // YamlEngineException: YAML that does not parse (a duplicate key, an unclosed quote), with its line
          throw new IllegalArgumentException(file + ": not a valid manifest: " + rootMessage(e).strip(), e);
        }
      }
    }
    if (!schemaErrors.isEmpty()) {
      throw new InvalidManifestException(String.join(System.lineSeparator(), schemaErrors));
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

  /**
   * {@code The TaskJob "x" is invalid: <field>: <reason>} for each object of a bundled kind that breaks
   * its schema, several reasons in brackets as kubectl prints them.
   */
  static List<String> schemaErrors(Path file) {
    return schemaErrors(file, VALIDATORS);
  }

  /**
   * Checks the manifests under {@code paths} against their schemas on a daemon thread and discards the result,
   * so that the first checks' start-up (CEL's compiler and runtime, the CRDs' schemas, over a second of class
   * loading and initialization on a busy machine) overlaps the embedded API's start. The rules it compiles are
   * kept ({@link CelRules} caches them) and {@link #read} finds them compiled; it has validators of its own, as
   * a validator is not shared between threads. Anything that goes wrong here is left for {@link #read} to report.
   */
  static void prepareSchemaChecks(List<Path> paths) {
    Thread warmUp = new Thread(() -> {
      try {
        Map<String, SchemaValidator> validators = new HashMap<>();
        for (Path path : paths) {
          if (Files.exists(path)) {
            files(path).forEach(file -> schemaErrors(file, validators));
          }
        }
      } catch (RuntimeException e) {
        // read() checks the same files again and reports what is wrong with them
      }
    }, "schema-checks-warm-up");
    warmUp.setDaemon(true);
    warmUp.start();
  }

  private static List<String> schemaErrors(Path file, Map<String, SchemaValidator> validators) {
    List<String> errors = new ArrayList<>();
    try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      while (documents.hasNext()) {
        JsonNode document = documents.next();
        if (document == null || !document.isObject()) {
          continue;
        }
        List<JsonNode> objects = new ArrayList<>();
        if ("List".equals(document.path("kind").asText()) && document.path("items").isArray()) {
          document.path("items").forEach(objects::add);
        } else {
          objects.add(document);
        }
        for (JsonNode object : objects) {
          String kind = object.path("kind").asText();
          SchemaValidator validator =
              validators.computeIfAbsent(kind, k -> SchemaValidator.bundled(k, CelRules.INSTANCE));
          if (validator == null) {
            continue;
          }
          List<String> violations = validator.validateCreate(object);
          if (!violations.isEmpty()) {
            errors.add("The " + kind + " \"" + object.path("metadata").path("name").asText() + "\" is invalid: "
                + (violations.size() == 1 ? violations.get(0) : "[" + String.join(", ", violations) + "]"));
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // a file that does not parse is reported by the reader below, with its line
      return errors;
    }
    return errors;
  }

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Map<String, SchemaValidator> VALIDATORS = new ConcurrentHashMap<>();

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
