package dev.taskjob.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.testing.FaultInjectingQueue;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spec.suspend} while loading: the loader stops sending and, on resume, continues from its checkpoint. The local
 * queue's sends of the second batch wait at a gate, so the suspension certainly finds the loader mid-way
 * (the local loader sends batches of 1,000, two at a time), whatever the machine's speed.
 */
class SuspendPausesLoadingTest {

  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final int TASKS = 1_500;
  private static final int BATCH = 1_000;

  @TempDir static Path root;
  static OperatorHarness harness;

  /** Sends of the second batch wait here until the gate opens. */
  static final CountDownLatch GATE = new CountDownLatch(1);
  static final CountDownLatch SECOND_BATCH_WAITING = new CountDownLatch(1);
  static final AtomicInteger INTERRUPTED_SENDS = new AtomicInteger();
  /** The index of the first task of every batch that reached the queue, in order. */
  static final List<Long> SENT_BATCH_STARTS = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    harness = new OperatorHarness(OperatorSettings.defaults("suspend-load-test").fast()
        .withProviderProperties(Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString())),
        Map.of("local", new GatedSends(Providers.get("local"))));
    harness.start();
  }

  @AfterAll
  static void stop() {
    GATE.countDown();
    harness.close();
  }

  @Test
  void suspendingWhileLoadingStopsTheLoaderAndResumeContinuesFromTheCheckpoint() throws Exception {
    TaskJob job = TaskJobs.generated("sweep", TASKS, List.of("sh", "-c", "exit 0"));
    job.getSpec().getInstances().setMaxInstances(1);
    harness.apply(job);
    harness.awaitJob("sweep", WAIT, j -> j.getStatus() != null && j.getStatus().getLoaded() != null
        && j.getStatus().getLoaded() == BATCH);
    SECOND_BATCH_WAITING.await();

    setSuspend(true);
    TaskJob suspended = harness.awaitJob("sweep", WAIT, j -> j.getStatus().getPhase() == TaskJobPhase.SUSPENDED);
    OperatorHarness.await(WAIT, INTERRUPTED_SENDS::get, n -> n == 1, "the waiting send was stopped");
    assertThat(suspended.getStatus().getLoaded()).isEqualTo(BATCH);
    assertThat(SENT_BATCH_STARTS).containsExactly(0L);
    TaskJob paused = harness.awaitJob("sweep", WAIT, j -> Conditions.find(j.getStatus().getConditions(),
        ConditionTypes.LOADING).map(c -> "LoadingSuspended".equals(c.getReason())).orElse(false));
    assertThat(Conditions.find(paused.getStatus().getConditions(), ConditionTypes.LOADING).orElseThrow().getMessage())
        .contains("paused at " + BATCH + " of " + TASKS);

    GATE.countDown();
    setSuspend(false);
    TaskJob resumed = harness.awaitJob("sweep", WAIT, j -> j.getStatus().getPhase() == TaskJobPhase.RUNNING);

    assertThat(resumed.getStatus().getLoaded()).isEqualTo(TASKS);
    assertThat(Conditions.isTrue(resumed.getStatus().getConditions(), ConditionTypes.LOADED)).isTrue();
    assertThat(SENT_BATCH_STARTS).as("the resumed loader starts at the checkpoint, sending nothing twice")
        .containsExactly(0L, (long) BATCH);

    // Running all 1,500 tasks adds nothing here: delete the job, which stops its instances and its queue.
    harness.client.resources(TaskJob.class).inNamespace(OperatorHarness.NAMESPACE).withName("sweep").delete();
    OperatorHarness.await(WAIT, () -> harness.job("sweep") == null, gone -> gone, "the deleted job gone");
  }

  private static void setSuspend(boolean value) {
    harness.client.resources(TaskJob.class).inNamespace(OperatorHarness.NAMESPACE).withName("sweep")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspend\":" + value + "}}");
  }

  /** The local provider, with sends of the second batch (tasks from index 1,000) held at {@link #GATE}. */
  private record GatedSends(ProviderModule local) implements ProviderModule {
    @Override public String name() { return local.name(); }
    @Override public CloudProvider cloud(ProviderConfig config) { return local.cloud(config); }

    @Override
    public TaskQueue queue(ProviderConfig config, QueueSettings settings) {
      TaskQueue real = local.queue(config, settings);
      return new FaultInjectingQueue(real, (call, tasks) -> {
        long first = tasks.get(0).index();
        if (first >= BATCH) {
          SECOND_BATCH_WAITING.countDown();
          try {
            GATE.await();
          } catch (InterruptedException e) {
            INTERRUPTED_SENDS.incrementAndGet();
            Thread.currentThread().interrupt();
            return new QueueException("send stopped", false);
          }
        }
        SENT_BATCH_STARTS.add(first); // the send follows; a failed one would fail the test's job anyway
        return null;
      });
    }
  }
}
