package dev.taskjob.deploy;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization with {@code kubectl kustomize} (kustomize is built into kubectl), exactly as
 * {@code kubectl apply -k} would, and parses the objects. Renders are cached per directory.
 */
final class Kustomize {

  static final YAMLMapper YAML = new YAMLMapper();
  private static final long TIMEOUT_SECONDS = 60;
  private static final Map<Path, List<JsonNode>> CACHE = new ConcurrentHashMap<>();

  private Kustomize() {}

  /** The repository root (deploy/ and crds/ live there); set by the module's pom. */
  static Path repoRoot() {
    String root = System.getProperty("taskjob.repo.root");
    return (root == null ? Path.of("..") : Path.of(root)).toAbsolutePath().normalize();
  }

  /** Renders {@code dir} relative to the repository root, e.g. "deploy/overlays/aws". */
  static Rendered render(String dir) {
    return new Rendered(dir, CACHE.computeIfAbsent(repoRoot().resolve(dir), Kustomize::run));
  }

  /** Renders an absolute directory without caching (for kustomizations the tests write). */
  static Rendered renderUncached(Path dir) {
    return new Rendered(dir.toString(), run(dir));
  }

  private static List<JsonNode> run(Path dir) {
    Path out;
    Path err;
    try {
      out = Files.createTempFile("kustomize", ".out");
      err = Files.createTempFile("kustomize", ".err");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    try {
      Process process;
      try {
        process = new ProcessBuilder("kubectl", "kustomize", dir.toString())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
      } catch (IOException e) {
        return fail("kubectl is not on the PATH (" + e.getMessage() + "). The deploy tests render deploy/ with "
            + "`kubectl kustomize`, as `kubectl apply -k` does: install kubectl 1.27 or newer.");
      }
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return fail("kubectl kustomize " + dir + " did not finish within " + TIMEOUT_SECONDS + "s");
      }
      if (process.exitValue() != 0) {
        return fail("kubectl kustomize " + dir + " failed (exit " + process.exitValue() + "):\n"
            + Files.readString(err, StandardCharsets.UTF_8));
      }
      List<JsonNode> objects = new ArrayList<>();
      try (var docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(out.toFile())) {
        while (docs.hasNext()) {
          JsonNode doc = docs.next();
          if (doc != null && !doc.isNull() && !doc.isEmpty()) {
            objects.add(doc);
          }
        }
      }
      return List.copyOf(objects);
    } catch (IOException e) {
      throw new IllegalStateException("reading the output of kubectl kustomize " + dir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      out.toFile().delete();
      err.toFile().delete();
    }
  }
}
