package dev.taskjob.operator.local;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * An in-process Kubernetes API for local runs: fabric8's mock server in CRUD mode (objects are kept
 * in memory, no scheduler), with discovery, OpenAPI documents, field selectors, table printing and the
 * CRDs' schema and CEL rules on writes added ({@link DiscoveryDispatcher}) and watches streamed the way kubectl
 * reads them ({@link KubectlGateway}), so kubectl can use it as it uses a cluster. The in-process client
 * talks to the mock server directly; {@link #url()} and the kubeconfig name the gateway. It is for local
 * runs and tests only, never a substitute for a cluster.
 *
 * <p>fabric8's mock web server keeps every request it receives, body included, in a queue that only
 * {@code takeRequest} empties. A long local run (ledger saves, status patches) would keep them all, so a
 * daemon thread takes each request off that queue as it arrives and hands it to the observers added
 * with {@link #onRequest}; nothing is retained.
 */
public final class EmbeddedApiServer implements AutoCloseable {

  /** The committed CRDs of crds/ (what {@code kubectl apply -f crds/} installs), as the crds jar packages them. */
  public static final List<String> CRD_RESOURCES = List.of(
      "META-INF/taskjob/crds/taskjobs.taskjob.dev-v1.yml",
      "META-INF/taskjob/crds/instancepools.taskjob.dev-v1.yml");

  private final KubernetesMockServer server;
  private final KubectlGateway gateway;
  private final KubernetesClient client;
  private final List<Consumer<RecordedRequest>> requestObservers = new CopyOnWriteArrayList<>();
  private final Thread requestDrain;

  private EmbeddedApiServer(KubernetesMockServer server, KubectlGateway gateway, KubernetesClient client) {
    this.server = server;
    this.gateway = gateway;
    this.client = client;
    this.requestDrain = new Thread(this::drainRequests, "embedded-api-requests");
    this.requestDrain.setDaemon(true);
    this.requestDrain.start();
  }

  /** Takes recorded requests off the mock server's queue until closed, passing each to the observers. */
  private void drainRequests() {
    while (!Thread.currentThread().isInterrupted()) {
      RecordedRequest request;
      try {
        request = server.takeRequest();
      } catch (InterruptedException e) {
        return;
      }
      for (Consumer<RecordedRequest> observer : requestObservers) {
        try {
          observer.accept(request);
        } catch (RuntimeException e) {
          // An observer's failure must not stop the draining, or requests would pile up again.
        }
      }
    }
  }

  /** Calls {@code observer} with every request the API receives from now on (on one thread, in order). */
  public void onRequest(Consumer<RecordedRequest> observer) {
    requestObservers.add(observer);
  }

  /** Starts on 127.0.0.1 (port 0 picks a free one; kubectl uses this port) and installs the given CRDs. */
  public static EmbeddedApiServer start(int port, List<CustomResourceDefinition> crds) {
    KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher(List.of());
    DiscoveryDispatcher dispatcher = new DiscoveryDispatcher(crud, crds);
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        dispatcher, false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    KubernetesClient client = new KubernetesClientBuilder().withConfig(clientConfig(server)).build();
    for (CustomResourceDefinition crd : crds) {
      client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }
    KubectlGateway gateway;
    try {
      gateway = KubectlGateway.start(port, "http://" + server.getHostName() + ":" + server.getPort(), client,
          dispatcher);
    } catch (IOException e) {
      client.close();
      server.destroy();
      throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port + " for kubectl: " + e.getMessage(), e);
    }
    return new EmbeddedApiServer(server, gateway, client);
  }

  /** Starts with the TaskJob and InstancePool CRDs from the class path. */
  public static EmbeddedApiServer startWithTaskJobCrds(int port) {
    return start(port, bundledCrds());
  }

  /** The bundled CRDs: the committed files of crds/, byte for byte. */
  public static List<CustomResourceDefinition> bundledCrds() {
    return CRD_RESOURCES.stream().map(EmbeddedApiServer::loadCrd).toList();
  }

  private static CustomResourceDefinition loadCrd(String resource) {
    try (InputStream in = EmbeddedApiServer.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("CRD " + resource + " is not on the class path (is taskjob-crds built?)");
      }
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read CRD " + resource, e);
    }
  }

  private static Config clientConfig(KubernetesMockServer server) {
    Config config = Config.empty();
    config.setMasterUrl("http://" + server.getHostName() + ":" + server.getPort());
    config.setNamespace("default");
    config.setTrustCerts(true);
    config.setHttp2Disable(true);
    return config;
  }

  public KubernetesClient client() {
    return client;
  }

  /** The API's base URL for kubectl and other clients (plain HTTP on loopback). */
  public String url() {
    return gateway.url();
  }

  /** Writes a kubeconfig for this API so {@code kubectl --kubeconfig FILE get taskjobs} works. */
  public Path writeKubeconfig(Path file) throws IOException {
    String kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: taskjob-local
          cluster:
            server: %s
        users:
        - name: taskjob-local
          user: {}
        contexts:
        - name: taskjob-local
          context:
            cluster: taskjob-local
            user: taskjob-local
            namespace: default
        current-context: taskjob-local
        """.formatted(url());
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, kubeconfig, StandardCharsets.UTF_8);
    return file;
  }

  @Override
  public void close() {
    gateway.close();
    client.close();
    server.destroy();
    requestDrain.interrupt();
  }
}
