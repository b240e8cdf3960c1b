package dev.taskjob.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.decision.AdminCaps;
import dev.taskjob.testing.ForwardingCloudProvider;
import dev.taskjob.testing.ForwardingProviderModule;
import io.fabric8.kubernetes.api.model.Event;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two jobs in one namespace, each wanting three one-slot local instances, under an administrator's cap of
 * two instances per namespace: at no create do the namespace's VMs alive plus the new one go past two, and
 * both jobs finish.
 */
class AdminCapsRunTest {

  private static final int NAMESPACE_CAP = 2;

  @TempDir
  static Path root;
  static OperatorHarness harness;
  static final PeakAtCreate local = new PeakAtCreate(Providers.available().get("local"));

  @BeforeAll
  static void start() {
    Map<String, ProviderModule> modules = new LinkedHashMap<>(Providers.available());
    modules.put("local", local);
    harness = new OperatorHarness(OperatorSettings.defaults("admin-caps-test").fast()
        .withProviderProperties(Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString()))
        // generous: on a loaded machine a worker's JVM may take more than the fast settings' minute to report
        .withWorkerTimeouts(Duration.ofMinutes(5), Duration.ofMinutes(2))
        .withAdminCaps(new AdminCaps.Caps(AdminCaps.Limits.NONE, new AdminCaps.Limits(NAMESPACE_CAP, null, null))),
        modules);
    harness.start();
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  @Test
  void twoJobsOfOneNamespaceNeverRunMoreVmsTogetherThanItsCapAndBothFinish() {
    for (String name : List.of("capped-a", "capped-b")) {
      harness.configMap(name, "tasks.json", tasks(name));
      TaskJob job = TaskJobs.fromConfigMap(name, name, "tasks.json", List.of("sh", "-c", "sleep 1"));
      job.getSpec().getWorker().setSimultaneousTasks(1);
      job.getSpec().getWorker().setCpusPerTask(1.0);
      job.getSpec().getInstances().setMaxInstances(3);
      harness.apply(job);
    }

    for (String name : List.of("capped-a", "capped-b")) {
      TaskJob done = harness.awaitJob(name, Duration.ofMinutes(10),
          j -> j.getStatus() != null && j.getStatus().getPhase().isFinished());
      assertThat(done.getStatus().getPhase()).as(name + ": " + done.getStatus().getMessage())
          .isEqualTo(TaskJobPhase.SUCCEEDED);
      assertThat(done.getStatus().getSucceeded()).isEqualTo(6);
    }
    assertThat(local.creates()).as("VMs created by both jobs").isGreaterThanOrEqualTo(2);
    assertThat(local.peak()).as("the namespace's VMs alive at a create, the new one included")
        .isBetween(1, NAMESPACE_CAP);
    List<String> held = harness.client.v1().events().inNamespace(OperatorHarness.NAMESPACE).list().getItems()
        .stream().filter(e -> "InstancesHeldByAdminCap".equals(e.getReason())).map(Event::getMessage).toList();
    assertThat(held).as("the cap held a create back and said which").isNotEmpty()
        .allSatisfy(m -> assertThat(m).contains("--namespace-max-instances"));
  }

  private static String tasks(String prefix) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < 6; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"id\":\"").append(prefix).append('-').append(i).append("\",\"data\":{}}");
    }
    return sb.append("]").toString();
  }

  /**
   * The real local provider, whose creates are made one at a time and note how many VMs (of any job: the
   * test runs only these two, in one namespace) were pending or running at each, plus the new one.
   */
  static final class PeakAtCreate extends ForwardingProviderModule {
    private int peak;
    private int creates;

    PeakAtCreate(ProviderModule real) {
      super(real);
    }

    synchronized int peak() {
      return peak;
    }

    synchronized int creates() {
      return creates;
    }

    @Override
    public CloudProvider cloud(ProviderConfig config) {
      PeakAtCreate module = this;
      return new ForwardingCloudProvider(real.cloud(config)) {
        @Override
        public Instance create(CreateInstanceRequest request) {
          synchronized (module) {
            int alive = (int) list(Map.of()).stream().filter(vm -> vm.state().isAlive()).count();
            module.peak = Math.max(module.peak, alive + 1);
            module.creates++;
            return super.create(request);
          }
        }
      };
    }
  }
}
