package dev.taskjob.operator.reconciler;

import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.TaskjobOperator;
import dev.taskjob.operator.local.EmbeddedApiServer;
import dev.taskjob.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * fabric8's Kubernetes mock server in CRUD mode with the TaskJob and InstancePool CRDs, and the
 * operator running against it (restartable, to test restarts). Everything else in the tests is real:
 * providers, queues, worker processes.
 */
public final class OperatorHarness implements AutoCloseable {

  public static final String NAMESPACE = "default";
  /**
   * The bound for a wait on what the operator does in a few reconciles: a safety net, never what a test measures.
   * A clean-clone CI run on 2 loaded cores took more than 30 s for a single reconcile's outcome to show.
   */
  public static final Duration PATIENCE = Duration.ofMinutes(5);

  private final KubernetesMockServer server;
  public final KubernetesClient client;
  private final OperatorSettings settings;
  private final Map<String, ProviderModule> modules;
  public final OperatorMetrics metrics = OperatorMetrics.inMemory();
  private TaskjobOperator operator;
  /** The operator's own client: its requests are told apart from the test's by this user agent. */
  public static final String OPERATOR_USER_AGENT = "taskjob-operator-under-test";
  private final KubernetesClient operatorClient;
  private final List<RecordingDispatcher.Request> requests = new java.util.concurrent.CopyOnWriteArrayList<>();

  public OperatorHarness(OperatorSettings settings) {
    this(settings, Providers.available());
  }

  public OperatorHarness(OperatorSettings settings, Map<String, ProviderModule> modules) {
    this(settings, modules, UnaryOperator.identity());
  }

  /**
   * @param faults wraps the API server's CRUD dispatcher, to answer some requests with errors; every
   *     request is still recorded, whatever the answer
   */
  public OperatorHarness(OperatorSettings settings, Map<String, ProviderModule> modules,
      UnaryOperator<Dispatcher> faults) {
    this.settings = settings;
    this.modules = modules;
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new RecordingDispatcher(faults.apply(new KubernetesCrudDispatcher(List.of())), requests), false);
    server.init();
    client = server.createClient();
    operatorClient = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
        .withUserAgent(OPERATOR_USER_AGENT).build()).build();
    for (CustomResourceDefinition crd : EmbeddedApiServer.bundledCrds()) {
      // On a loaded machine the client may retry a create that had landed; its 409 then means "done".
      client.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(NonDeletingOperation::update);
    }
  }

  public TaskjobOperator start() {
    operator = new TaskjobOperator(operatorClient, settings, modules, metrics, o -> { });
    operator.start();
    return operator;
  }

  /** Stops the operator as a crash or a rolling update would: VMs, queues and the cluster stay. */
  public void stop() {
    if (operator != null) {
      operator.close();
      operator = null;
    }
  }

  public TaskjobOperator operator() {
    return operator;
  }

  public ConfigMap configMap(String name, String key, String content) {
    return client.configMaps().inNamespace(NAMESPACE).resource(new ConfigMapBuilder().withNewMetadata()
        .withName(name).withNamespace(NAMESPACE).endMetadata().addToData(key, content).build()).create();
  }

  public TaskJob apply(TaskJob job) {
    job.getMetadata().setNamespace(NAMESPACE);
    return client.resource(job).create();
  }

  public TaskJob job(String name) {
    return client.resources(TaskJob.class).inNamespace(NAMESPACE).withName(name).get();
  }

  public InstancePool pool(String name) {
    return client.resources(InstancePool.class).inNamespace(NAMESPACE).withName(name).get();
  }

  public List<InstancePool> pools() {
    return client.resources(InstancePool.class).inNamespace(NAMESPACE).list().getItems();
  }

  /** Waits (bounded) until the job satisfies the condition; returns it. */
  public TaskJob awaitJob(String name, Duration timeout, Predicate<TaskJob> until) {
    return await(timeout, () -> job(name), until, "TaskJob " + name);
  }

  public static <T> T await(Duration timeout, Supplier<T> get, Predicate<T> until, String what) {
    Instant deadline = Instant.now().plus(timeout);
    T last = null;
    while (Instant.now().isBefore(deadline)) {
      last = get.get();
      if (last != null && until.test(last)) {
        return last;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
    throw new AssertionError(what + " did not reach the expected state within " + timeout + "; last seen: "
        + (last instanceof io.fabric8.kubernetes.api.model.HasMetadata h
            ? io.fabric8.kubernetes.client.utils.Serialization.asYaml(h) : last));
  }

  /** Every API request the operator (not the test) made so far. */
  public List<RecordingDispatcher.Request> operatorRequests() {
    return requests.stream().filter(r -> OPERATOR_USER_AGENT.equals(r.userAgent())).toList();
  }

  @Override
  public void close() {
    stop();
    operatorClient.close();
    client.close();
    server.destroy();
  }
}
