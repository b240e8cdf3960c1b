package dev.taskjob.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The image tars that {@code jib:buildTar} writes (built from a scratch base by the image-tars profile):
 * entry point, arguments, user and ports as the Deployment expects, and layers that hold everything the
 * class path names, dependencies below classes so a code change only rebuilds the small top layers.
 * Runs only in the image-tars profile, after {@code jib:buildTar} (see {@code .ci/image-tars}).
 */
@EnabledIfSystemProperty(named = "taskjob.image.tars", matches = "true",
    disabledReason = "needs the jib tars: run .ci/image-tars (Maven profile image-tars)")
class ImageTarTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** The jars operator/pom.xml's jib layer filter keeps out of the operator image. */
  private static final java.util.regex.Pattern LEFT_OUT_OF_OPERATOR = java.util.regex.Pattern.compile(
      "app/libs/(kubernetes-server-mock|mockwebserver|zjsonpatch|vertx-[a-z-]+|taskjob-provider-local)-[0-9].*\\.jar");
  private static final List<String> LAYER_ORDER =
      List.of("dependencies", "snapshot dependencies", "project dependencies", "resources", "classes", "jvm arg files",
          "extra files");

  @Test
  void operatorImageRunsTheOperatorCommandAsTheDeploymentExpects() throws IOException {
    Image image = Image.read(Kustomize.repoRoot().resolve("operator/target/jib-image.tar"));
    JsonNode deploymentPod = Workloads.podSpec(Kustomize.render(Installs.BASE).only("Deployment"));
    JsonNode container = Workloads.operatorContainer(Kustomize.render(Installs.BASE));

    assertRunnable(image, "java", "app", "dev.taskjob.operator.cli.TaskjobCli");
    assertThat(texts(image.config().at("/config/Cmd"))).containsExactly("operator");
    // The Deployment's args replace Cmd and must start with the same subcommand.
    assertThat(Workloads.args(container).get(0)).isEqualTo("operator");
    String user = image.config().at("/config/User").asText();
    assertThat(user).as("numeric non-root user").matches("[1-9][0-9]*(:[0-9]+)?");
    assertThat(user.split(":")[0]).isEqualTo(deploymentPod.at("/securityContext/runAsUser").asText());
    List<String> ports = new ArrayList<>();
    container.path("ports").forEach(p -> ports.add(p.path("containerPort").asText() + "/tcp"));
    assertThat(fieldNames(image.config().at("/config/ExposedPorts"))).containsExactlyInAnyOrderElementsOf(ports);
    // No test infrastructure and no local mode: the same as taskjob-operator.jar leaves out (OperatorJarIT).
    // (jib keeps the empty directories of what the filter removed)
    assertThat(image.files().stream().filter(f -> !f.endsWith("/")))
        .as("local mode, fabric8's mock server and the local provider")
        .noneMatch(f -> LEFT_OUT_OF_OPERATOR.matcher(f).matches() || f.startsWith("app/classes/dev/taskjob/operator/local/")
            || f.startsWith("app/classes/dev/taskjob/operator/cli/LocalCommand"));
    assertThat(image.files()).contains("app/classes/dev/taskjob/operator/cli/OperatorCommand.class")
        .anySatisfy(f -> assertThat(f).startsWith("app/libs/taskjob-provider-aws-"));
  }

  @Test
  void workerImageRunsTheWorkerSupervisor() throws IOException {
    Image image = Image.read(Kustomize.repoRoot().resolve("worker-image/target/jib-image.tar"));

    // Everything under /opt/taskjob, which the VMs copy into the job's image: its own Java runtime, then the app.
    assertRunnable(image, "/opt/taskjob/runtime/bin/java", "opt/taskjob/app", "dev.taskjob.worker.WorkerMain");
    assertThat(image.layerNames()).last().isEqualTo("extra files");
    assertThat(image.filesByLayer().get("extra files")).contains("opt/taskjob/runtime/bin/java",
        "opt/taskjob/runtime/lib/jspawnhelper", "opt/taskjob/runtime/lib/modules");
    // Configured through TASKJOB_* environment variables, not arguments.
    assertThat(image.config().at("/config/Cmd").isMissingNode() || image.config().at("/config/Cmd").isNull()
        || image.config().at("/config/Cmd").isEmpty()).isTrue();
  }

  private static void assertRunnable(Image image, String java, String appRoot, String mainClass) {
    List<String> entrypoint = texts(image.config().at("/config/Entrypoint"));
    assertThat(entrypoint).first().isEqualTo(java);
    assertThat(entrypoint).containsSubsequence("-cp", "@/" + appRoot + "/jib-classpath-file");
    assertThat(entrypoint).last().isEqualTo(mainClass);
    assertThat(image.file(appRoot + "/jib-main-class-file")).isEqualTo(mainClass);
    assertThat(image.files()).contains(appRoot + "/classes/" + mainClass.replace('.', '/') + ".class");

    // Every class path entry is in the image, except the jars the operator's layer filter removes after jib wrote
    // the class path (java skips a class path entry that does not exist).
    for (String entry : image.file(appRoot + "/jib-classpath-file").trim().split(":")) {
      String path = entry.startsWith("/") ? entry.substring(1) : entry;
      if (LEFT_OUT_OF_OPERATOR.matcher(path).matches()) {
        continue;
      }
      String trimmed = path.replaceAll("/\\*?$", "");
      assertThat(image.files().contains(trimmed) || image.hasDirectory(trimmed))
          .as("class path entry %s is in the image", entry)
          .isTrue();
    }
    assertThat(image.files()).anySatisfy(f -> assertThat(f).startsWith(appRoot + "/libs/taskjob-core-"));

    // Layers in jib's order, one history entry per layer.
    List<String> layers = image.layerNames();
    assertThat(layers).isSubsetOf(LAYER_ORDER).contains("dependencies", "classes", "jvm arg files");
    assertThat(layers).isSortedAccordingTo((a, b) -> Integer.compare(LAYER_ORDER.indexOf(a), LAYER_ORDER.indexOf(b)));
    assertThat(image.config().at("/rootfs/diff_ids")).hasSize(layers.size());
  }

  private static List<String> texts(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }

  private static Set<String> fieldNames(JsonNode object) {
    Set<String> names = new TreeSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** A docker-format image tar as jib writes it: manifest.json, config.json and gzipped layer tars. */
  private record Image(JsonNode config, Map<String, Set<String>> filesByLayer, Map<String, String> smallFiles) {

    static Image read(Path tar) throws IOException {
      if (!Files.exists(tar)) {
        return fail(tar + " does not exist; build the image tars and check them with .ci/image-tars");
      }
      Map<String, byte[]> entries = new HashMap<>();
      try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
        for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
          if (e.isFile()) {
            entries.put(e.getName(), in.readAllBytes());
          }
        }
      }
      JsonNode manifest = JSON.readTree(entries.get("manifest.json"));
      assertThat(manifest).as("manifest.json lists one image").hasSize(1);
      JsonNode config = JSON.readTree(entries.get(manifest.get(0).path("Config").asText()));
      List<String> comments = new ArrayList<>();
      config.path("history").forEach(h -> {
        if (!h.path("empty_layer").asBoolean(false)) {
          comments.add(h.path("comment").asText());
        }
      });
      JsonNode layerFiles = manifest.get(0).path("Layers");
      assertThat(layerFiles).as("layers in manifest.json vs history in config.json").hasSize(comments.size());

      Map<String, Set<String>> filesByLayer = new LinkedHashMap<>();
      Map<String, String> smallFiles = new HashMap<>();
      for (int i = 0; i < layerFiles.size(); i++) {
        Set<String> files = new TreeSet<>();
        byte[] layer = entries.get(layerFiles.get(i).asText());
        assertThat(layer).as("layer %s is in the tar", layerFiles.get(i).asText()).isNotNull();
        try (InputStream gz = new GZIPInputStream(new java.io.ByteArrayInputStream(layer));
            TarArchiveInputStream in = new TarArchiveInputStream(gz)) {
          for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
            String name = e.getName().replaceAll("/$", "");
            files.add(e.isDirectory() ? name + "/" : name);
            if (e.isFile() && e.getSize() < 64 * 1024) {
              smallFiles.put(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
          }
        }
        filesByLayer.put(comments.get(i), files);
      }
      return new Image(config, filesByLayer, smallFiles);
    }

    List<String> layerNames() {
      return List.copyOf(filesByLayer.keySet());
    }

    Set<String> files() {
      Set<String> all = new TreeSet<>();
      filesByLayer.values().forEach(all::addAll);
      return all;
    }

    boolean hasDirectory(String path) {
      return files().contains(path + "/");
    }

    String file(String path) {
      String content = smallFiles.get(path);
      return content != null ? content : fail("the image has no file " + path);
    }
  }
}
