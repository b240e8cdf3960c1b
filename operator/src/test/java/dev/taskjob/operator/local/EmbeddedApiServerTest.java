package dev.taskjob.operator.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedApiServerTest {

  /** A small CRD with one printer column, standing in for the generated ones. */
  static CustomResourceDefinition widgetCrd() {
    return new CustomResourceDefinitionBuilder()
        .withNewMetadata().withName("widgets.example.dev").endMetadata()
        .withNewSpec().withGroup("example.dev").withScope("Namespaced")
        .withNewNames().withPlural("widgets").withSingular("widget").withKind("Widget")
        .withShortNames("wd").withCategories("taskjob").endNames()
        .addNewVersion().withName("v1").withServed(true).withStorage(true)
        .withNewSubresources().withNewStatus().endStatus().endSubresources()
        .addNewAdditionalPrinterColumn().withName("Phase").withType("string").withJsonPath(".status.phase").endAdditionalPrinterColumn()
        .addNewAdditionalPrinterColumn().withName("Age").withType("date").withJsonPath(".metadata.creationTimestamp").endAdditionalPrinterColumn()
        .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
        .endOpenAPIV3Schema().endSchema()
        .endVersion().endSpec().build();
  }

  @Test
  void kubectlListsCustomResourcesWithPrinterColumns(@TempDir Path dir) throws Exception {
    assumeTrue(new File("/usr/bin/kubectl").canExecute() || which("kubectl"), "kubectl not installed");
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0, List.of(widgetCrd()))) {
      var context = new ResourceDefinitionContext.Builder().withGroup("example.dev").withVersion("v1")
          .withPlural("widgets").withKind("Widget").withNamespaced(true).build();
      GenericKubernetesResource widget = new GenericKubernetesResource();
      widget.setApiVersion("example.dev/v1");
      widget.setKind("Widget");
      widget.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("w1").withNamespace("default").build());
      var widgets = api.client().genericKubernetesResources(context).inNamespace("default");
      GenericKubernetesResource created = widgets.resource(widget).create();
      // Like a real API server, the mock ignores status on create: it is written through the subresource.
      created.setAdditionalProperty("status", Map.of("phase", "Running"));
      widgets.resource(created).updateStatus();
      api.client().configMaps().inNamespace("default").resource(
          new ConfigMapBuilder().withNewMetadata().withName("tasks").endMetadata().addToData("k", "v").build()).create();

      Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
      assertThat(kubectl(kubeconfig, "get", "widgets")).contains("NAME", "PHASE", "AGE").contains("w1").contains("Running");
      assertThat(kubectl(kubeconfig, "get", "wd", "-o", "name")).contains("widget.example.dev/w1");
      assertThat(kubectl(kubeconfig, "get", "configmaps")).contains("tasks");
    }
  }

  private static boolean which(String name) {
    for (String p : System.getenv("PATH").split(File.pathSeparator)) {
      if (new File(p, name).canExecute()) {
        return true;
      }
    }
    return false;
  }

  private static String kubectl(Path kubeconfig, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("kubectl %s: %s", String.join(" ", args), out).isZero();
    return out;
  }
}
