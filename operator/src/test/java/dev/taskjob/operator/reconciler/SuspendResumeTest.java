package dev.taskjob.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.reliability.FaultRun;
import dev.taskjob.operator.reconciler.job.LedgerStore;
import dev.taskjob.provider.local.LocalCloudProvider;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spec.suspend} on a local job with real workers: suspending stops every instance and keeps the
 * queue and the ledger; resuming runs the rest, and every task ends with exactly one result.
 */
class SuspendResumeTest {

  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final int TASKS = 40;

  @TempDir static Path root;
  static OperatorHarness harness;

  @BeforeAll
  static void start() {
    harness = new OperatorHarness(FaultRun.settings("suspend-test", root));
    harness.start();
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  @Test
  void suspendStopsTheInstancesKeepsQueueAndLedgerAndResumeFinishesEveryTask() throws Exception {
    harness.configMap("slow", "tasks.json", TaskJobs.additionTasks(TASKS));
    // Every task waits for a gate that opens only after the resume, so work is certainly left at the
    // suspension whatever the machine's speed; the stop notice interrupts the waiting tasks, which go back.
    Path gate = root.resolve("gate");
    TaskJob job = TaskJobs.fromConfigMap("slow", "slow", "tasks.json",
        List.of("sh", "-c", "while [ ! -e '" + gate + "' ]; do sleep 0.05; done"));
    job.getSpec().getWorker().setSimultaneousTasks(2);
    job.getSpec().getWorker().setCpusPerTask(0.5);
    job.getSpec().getWorker().setShutdownGracePeriod("1s");
    job.getSpec().getInstances().setMaxInstances(2);
    harness.apply(job);
    harness.awaitJob("slow", WAIT, j -> j.getStatus() != null && j.getStatus().getRunning() != null
        && j.getStatus().getRunning() >= 1);

    setSuspend(true);
    TaskJob suspended = harness.awaitJob("slow", WAIT, j -> j.getStatus().getPhase() == TaskJobPhase.SUSPENDED);
    InstancePool pool = OperatorHarness.await(WAIT, () -> harness.pool("slow"),
        p -> p.getStatus() != null && p.getStatus().getRunning() != null && p.getStatus().getRunning() == 0
            && liveInstances().isEmpty(), "every instance of the suspended job stopped");
    assertThat(pool.getSpec().getCount()).isZero();
    assertThat(suspended.getStatus().getInstancesDesired()).isZero();
    assertThat(Conditions.find(suspended.getStatus().getConditions(), ConditionTypes.SUSPENDED).orElseThrow().getStatus())
        .isEqualTo("True");
    assertThat(Conditions.find(suspended.getStatus().getConditions(), "Reconciling").orElseThrow().getStatus())
        .as("a suspended job is at rest").isEqualTo("False");
    Ledger kept = new LedgerStore(harness.client).load(suspended).orElseThrow().ledger();
    assertThat(kept.remaining()).as("work is left for the resumed job").isPositive();
    assertThat(Files.exists(root.resolve("queues").resolve(suspended.getStatus().getQueueName()))).isTrue();

    setSuspend(false);
    Files.createFile(gate);
    TaskJob done = harness.awaitJob("slow", WAIT, j -> j.getStatus().getPhase().isFinished());

    assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(TaskJobPhase.SUCCEEDED);
    assertThat(done.getStatus().getSucceeded()).isEqualTo(TASKS);
    assertThat(done.getStatus().getFailed()).isZero();
    assertThat(Conditions.find(done.getStatus().getConditions(), ConditionTypes.SUSPENDED).orElseThrow().getReason())
        .isEqualTo("JobResumed");
    assertThat(new LedgerStore(harness.client).load(done).orElseThrow().ledger().succeeded()).isEqualTo(TASKS);
    assertThat(liveInstances()).isEmpty();
    assertThat(harness.client.v1().events().inNamespace(OperatorHarness.NAMESPACE).list().getItems().stream()
        .filter(e -> "slow".equals(e.getInvolvedObject().getName())).map(Event::getReason))
        .contains("Suspended", "Resumed", "Succeeded");
  }

  private static void setSuspend(boolean value) {
    // A merge patch carries no resourceVersion, so it cannot conflict with the operator's status writes.
    harness.client.resources(TaskJob.class).inNamespace(OperatorHarness.NAMESPACE).withName("slow")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspend\":" + value + "}}");
  }

  private static List<Instance> liveInstances() {
    LocalCloudProvider cloud = new LocalCloudProvider(new ProviderConfig("local", null, List.of(),
        Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString())));
    return cloud.list(Map.of()).stream().filter(i -> i.state() != InstanceState.TERMINATED).toList();
  }
}
