package dev.taskjob.operator.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.reconciler.OperatorHarness;
import dev.taskjob.operator.reconciler.TaskJobs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API server answers every third status write of the operator (TaskJob and InstancePool
 * {@code /status}, PUT or PATCH) with 409 Conflict while a local job runs, as a real one does when
 * another writer got there first. A lost status write must cost nothing: the job ends Succeeded with
 * the ledger's exact counts, and no VM is created twice (each VM name is asked for once). Then the
 * one write that matters most, the one reporting the job finished, is lost on purpose.
 */
class StatusConflictTest {

  private static final Logger LOG = LoggerFactory.getLogger(StatusConflictTest.class);
  private static final int TASKS = FaultRun.size("conflictTasks", 200);
  private static final int CONFLICT_EVERY = FaultRun.size("conflictEvery", 3);
  private static final int FINISH_LOST_TASKS = 40;
  private static final int FINISHING_WRITES_LOST = 3;

  @TempDir
  Path root;

  @Test
  void jobFinishesWithExactCountsAndNoVmCreatedTwiceWhenStatusWritesConflict() {
    CreateCallLog cloud = new CreateCallLog(Providers.get("local"));
    ApiServerFaults[] faults = new ApiServerFaults[1];
    try (OperatorHarness harness = new OperatorHarness(FaultRun.settings("conflicts", root),
        Map.of("local", cloud), crud -> faults[0] = new ApiServerFaults(crud, CONFLICT_EVERY))) {
      harness.configMap("tasks", "tasks.json", TaskJobs.additionTasks(TASKS));
      harness.start();
      harness.apply(OperatorRestartTest.shortTasksJob("conflicts"));

      TaskJob done = harness.awaitJob("conflicts", FaultRun.jobTimeout(TASKS), j -> j.getStatus() != null
          && j.getStatus().getPhase() != null && j.getStatus().getPhase().isFinished());

      assertThat(faults[0].conflicts()).as("status writes answered 409").isPositive();
      assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(TaskJobPhase.SUCCEEDED);
      Ledger ledger = FaultRun.ledger(harness, "conflicts");
      assertThat(ledger.succeeded()).isEqualTo(TASKS);
      assertThat(ledger.remaining()).isZero();
      assertThat(done.getStatus().getTotal()).isEqualTo(TASKS);
      assertThat(done.getStatus().getLoaded()).isEqualTo(TASKS);
      assertThat(done.getStatus().getSucceeded()).isEqualTo(ledger.succeeded());
      assertThat(done.getStatus().getFailed()).isEqualTo(ledger.failed());
      assertThat(done.getStatus().getDuplicates()).isEqualTo(ledger.duplicates());

      List<CreateCallLog.Call> calls = cloud.calls();
      Map<String, Set<String>> keysByName = calls.stream().collect(Collectors.groupingBy(CreateCallLog.Call::name,
          Collectors.mapping(CreateCallLog.Call::idempotencyKey, Collectors.toSet())));
      assertThat(calls).as("create calls, one per VM name").hasSize(keysByName.size());
      assertThat(keysByName.values()).as("idempotency keys per VM name").allMatch(keys -> keys.size() == 1);
      List<Instance> instances = FaultRun.allInstances(root);
      assertThat(instances).extracting(Instance::id).containsExactlyInAnyOrderElementsOf(keysByName.keySet());
      InstancePool pool = harness.pool("conflicts");
      long replacements = pool.getStatus().getReplacements() == null ? 0 : pool.getStatus().getReplacements();
      int maxInstances = done.getSpec().getInstances().getMaxInstances();
      assertThat(instances).as("VMs: at most the pool's size plus the replacements it reported")
          .hasSizeLessThanOrEqualTo(maxInstances + (int) replacements);

      LOG.info("conflicts: {} of {} status writes answered 409; {} succeeded, {} duplicates; {} create calls for {} VMs",
          faults[0].conflicts(), faults[0].statusWrites(), ledger.succeeded(), ledger.duplicates(), calls.size(),
          instances.size());
      FaultRun.record("status writes answered 409 (every " + CONFLICT_EVERY + ")", faults[0].conflicts(), TASKS,
          ledger.remaining(), ledger.duplicates(),
          FaultRun.liveInstances(root).size() + FaultRun.liveWorkers().size());
      assertThat(FaultRun.liveInstances(root)).isEmpty();
      assertThat(FaultRun.liveWorkers()).isEmpty();
    }
  }

  /**
   * The status write reporting the job Succeeded is answered 409, and so are the error-status write
   * that follows it and the next retry's write. The operator has dropped the job's runtime by then, so
   * only the finished status it kept can be written again; otherwise the job would stay Draining.
   */
  @Test
  void finishedStatusIsWrittenAgainWhenItsWriteIsLost() {
    ApiServerFaults[] faults = new ApiServerFaults[1];
    try (OperatorHarness harness = new OperatorHarness(FaultRun.settings("finish-lost", root),
        Providers.available(), crud -> faults[0] = new ApiServerFaults(crud, 0))) {
      faults[0].conflictOnSucceeded(FINISHING_WRITES_LOST);
      harness.configMap("tasks", "tasks.json", TaskJobs.additionTasks(FINISH_LOST_TASKS));
      harness.start();
      harness.apply(OperatorRestartTest.shortTasksJob("finish-lost"));

      TaskJob done = harness.awaitJob("finish-lost", FaultRun.jobTimeout(FINISH_LOST_TASKS), j -> j.getStatus() != null
          && j.getStatus().getPhase() != null && j.getStatus().getPhase().isFinished());

      assertThat(faults[0].conflicts()).as("lost writes reporting Succeeded").isEqualTo(FINISHING_WRITES_LOST);
      assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(TaskJobPhase.SUCCEEDED);
      Ledger ledger = FaultRun.ledger(harness, "finish-lost");
      assertThat(ledger.succeeded()).isEqualTo(FINISH_LOST_TASKS);
      assertThat(done.getStatus().getSucceeded()).isEqualTo(ledger.succeeded());
      assertThat(done.getStatus().getDuplicates()).isEqualTo(ledger.duplicates());
      assertThat(done.getStatus().getCompletionTime()).isNotNull();
      FaultRun.record("status write reporting Succeeded answered 409", faults[0].conflicts(), FINISH_LOST_TASKS,
          ledger.remaining(), ledger.duplicates(), FaultRun.liveInstances(root).size() + FaultRun.liveWorkers().size());
      assertThat(FaultRun.liveInstances(root)).isEmpty();
      assertThat(FaultRun.liveWorkers()).isEmpty();
    }
  }
}
