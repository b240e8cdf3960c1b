package dev.taskjob.operator.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a command reaches the cluster, as kubectl does: the kubeconfig and the namespace. */
final class ClusterOptions {

  @Option(names = "--kubeconfig", description = "Kubeconfig file. Default: KUBECONFIG, ~/.kube/config, or in-cluster.")
  Path kubeconfig;

  @Option(names = {"-n", "--namespace"}, description = "The job's namespace. Default: the kubeconfig context's.")
  String namespace;

  KubernetesClient client() throws IOException {
    Config config = kubeconfig != null ? Config.fromKubeconfig(Files.readString(kubeconfig)) : Config.autoConfigure(null);
    if (namespace != null) {
      config.setNamespace(namespace);
    }
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** The namespace given, else the context's, else {@code default}. */
  String namespace(KubernetesClient client) {
    if (namespace != null) {
      return namespace;
    }
    String fromConfig = client.getConfiguration().getNamespace();
    return fromConfig == null || fromConfig.isBlank() ? "default" : fromConfig;
  }
}
