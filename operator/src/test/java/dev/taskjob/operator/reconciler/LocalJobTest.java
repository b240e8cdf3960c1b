package dev.taskjob.operator.reconciler;

import dev.taskjob.operator.reconciler.job.LedgerStore;
import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.BudgetSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import dev.taskjob.operator.reliability.FaultRun;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.provider.local.LocalCloudProvider;
import io.fabric8.kubernetes.api.model.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job from apply to finished on provider local: the operator runs against the mock API server,
 * its pool starts real worker processes as instances, the tasks go through the directory queue. The
 * last test checks that every API call the operator made is granted by {@code RbacRequirements}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalJobTest {

  private static final Duration FINISH = Duration.ofMinutes(3);

  @TempDir
  static Path root;
  static OperatorHarness harness;

  @BeforeAll
  static void start() {
    harness = new OperatorHarness(FaultRun.settings("local-test", root));
    harness.start();
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  static TaskJob job(String name, String configMap, List<String> command) {
    TaskJob job = TaskJobs.fromConfigMap(name, configMap, "tasks.json", command);
    job.getSpec().getWorker().setSimultaneousTasks(4);
    job.getSpec().getWorker().setCpusPerTask(0.25);
    job.getSpec().getInstances().setMaxInstances(2);
    return job;
  }

  @Test
  void runsAJobFromApplyToSucceededWithExactCountsAndNothingLeft() throws Exception {
    int tasks = 60;
    harness.configMap("additions", "tasks.json", TaskJobs.additionTasks(tasks));
    harness.apply(job("adds", "additions",
        List.of("sh", "-c", "test $((TASK_ARG_A + TASK_ARG_B)) -eq $((3 * TASK_ARG_A))")));

    TaskJob done = harness.awaitJob("adds", FINISH, j -> j.getStatus() != null && j.getStatus().getPhase().isFinished());

    assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(TaskJobPhase.SUCCEEDED);
    assertThat(Conditions.isTrue(done.getStatus().getConditions(), ConditionTypes.COMPLETE)).isTrue();
    assertThat(Conditions.isTrue(done.getStatus().getConditions(), ConditionTypes.FAILED)).isFalse();
    assertThat(Conditions.find(done.getStatus().getConditions(), "Reconciling").orElseThrow().getStatus())
        .as("kstatus: no longer in progress").isEqualTo("False");
    assertThat(Conditions.find(done.getStatus().getConditions(), "Stalled").orElseThrow().getStatus()).isEqualTo("False");
    assertThat(done.getStatus().getTotal()).isEqualTo(tasks);
    assertThat(done.getStatus().getLoaded()).isEqualTo(tasks);
    assertThat(done.getStatus().getSucceeded()).isEqualTo(tasks);
    assertThat(done.getStatus().getFailed()).isZero();
    assertThat(done.getStatus().getDuplicates()).isZero();
    assertThat(done.getStatus().getCompletionTime()).isNotNull();
    assertThat(done.getStatus().getObservedGeneration()).isEqualTo(done.getMetadata().getGeneration());
    assertThat(done.getStatus().getInstanceType()).startsWith("local-");

    Ledger ledger = new LedgerStore(harness.client).load(done).orElseThrow().ledger();
    assertThat(ledger.succeeded()).isEqualTo(tasks);
    assertThat(ledger.remaining()).isZero();

    InstancePool pool = harness.pool("adds");
    assertThat(pool.getSpec().getCount()).isZero();
    assertThat(pool.getStatus().getRunning()).isZero();
    assertThat(liveInstances()).isEmpty();
    assertThat(Files.exists(root.resolve("queues").resolve(done.getStatus().getQueueName()))).isFalse();
    assertThat(eventReasons("adds")).contains("Accepted", "PoolCreated", "Loaded", "Draining", "Succeeded");
  }

  @Test
  void reportsFailedTasksByIdAndEndsFailed() {
    harness.configMap("some-fail", "tasks.json", """
        [{"id": "ok-1", "data": {"fail": 0}}, {"id": "bad-1", "data": {"fail": 1}},
         {"id": "ok-2", "data": {"fail": 0}}, {"id": "bad-2", "data": {"fail": 1}},
         {"id": "ok-3", "data": {"fail": 0}}]""");
    harness.apply(job("failing", "some-fail", List.of("sh", "-c", "exit $((TASK_ARG_FAIL * 3))")));

    TaskJob done = harness.awaitJob("failing", FINISH, j -> j.getStatus() != null
        && j.getStatus().getPhase().isFinished());

    assertThat(done.getStatus().getPhase()).isEqualTo(TaskJobPhase.FAILED);
    assertThat(done.getStatus().getSucceeded()).isEqualTo(3);
    assertThat(done.getStatus().getFailed()).isEqualTo(2);
    assertThat(done.getStatus().getFailedTaskIds()).containsExactlyInAnyOrder("bad-1", "bad-2");
    assertThat(Conditions.find(done.getStatus().getConditions(), ConditionTypes.FAILED).orElseThrow().getReason())
        .isEqualTo("TasksFailed");
    assertThat(Conditions.isTrue(done.getStatus().getConditions(), ConditionTypes.COMPLETE)).isFalse();
    Ledger ledger = new LedgerStore(harness.client).load(done).orElseThrow().ledger();
    assertThat(ledger.failedTasks()).extracting(Ledger.FailedTask::id).containsExactlyInAnyOrder("bad-1", "bad-2");
    assertThat(ledger.failedTasks()).allSatisfy(t -> assertThat(t.reason()).contains("exit code 3"));
    assertThat(liveInstances()).isEmpty();
  }

  @Test
  void aTaskProgramThatIsNotExecutableIsNamedOnTheJob() {
    harness.configMap("no-program", "tasks.json", TaskJobs.additionTasks(2));
    harness.apply(job("no-program", "no-program", List.of("/nonexistent/program")));

    TaskJob seen = harness.awaitJob("no-program", FINISH, j -> j.getStatus() != null
        && Conditions.isTrue(j.getStatus().getConditions(), "WorkerStartupFailed"));

    assertThat(Conditions.find(seen.getStatus().getConditions(), "WorkerStartupFailed").orElseThrow().getMessage())
        .startsWith("the worker on ").contains("could not start: ")
        .contains("'/nonexistent/program' is not an executable file");
    harness.client.resource(seen).delete();
    OperatorHarness.await(FINISH, () -> harness.job("no-program") == null, gone -> gone, "deleted job");
  }

  @Test
  void aSpentBudgetStopsTheJobWithQueueAndLedgerKeptAndRaisingItResumes() {
    int tasks = 8;
    harness.configMap("budgeted", "tasks.json", TaskJobs.additionTasks(tasks));
    TaskJob job = job("budgeted", "budgeted", List.of("sh", "-c", "exit 0"));
    BudgetSpec budget = new BudgetSpec();
    budget.setMaxCost(0.0);
    job.getSpec().setBudget(budget);
    harness.apply(job);

    TaskJob held = harness.awaitJob("budgeted", FINISH, j -> j.getStatus() != null
        && Conditions.isTrue(j.getStatus().getConditions(), ConditionTypes.BUDGET_EXHAUSTED));
    assertThat(held.getStatus().getPhase()).isIn(TaskJobPhase.LOADING, TaskJobPhase.RUNNING);
    assertThat(Conditions.find(held.getStatus().getConditions(), ConditionTypes.BUDGET_EXHAUSTED).orElseThrow()
        .getMessage()).contains("spent $0.0000 of spec.budget.maxCost $0.0000", "raise spec.budget.maxCost to resume");
    assertThat(held.getStatus().getInstancesDesired()).isZero();
    assertThat(harness.pool("budgeted").getSpec().getCount()).isZero();
    assertThat(eventReasons("budgeted")).contains("BudgetExhausted");

    harness.client.resources(TaskJob.class).inNamespace(held.getMetadata().getNamespace()).withName("budgeted")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"budget\":{\"maxCost\":1}}}");
    TaskJob done = harness.awaitJob("budgeted", FINISH, j -> j.getStatus() != null
        && j.getStatus().getPhase().isFinished());

    assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(TaskJobPhase.SUCCEEDED);
    assertThat(done.getStatus().getSucceeded()).isEqualTo(tasks);
    assertThat(Conditions.isTrue(done.getStatus().getConditions(), ConditionTypes.BUDGET_EXHAUSTED)).isFalse();
    assertThat(eventReasons("budgeted")).contains("BudgetResumed");
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void everyApiCallTheOperatorMadeIsGrantedByRbacRequirements() {
    assertThat(harness.operatorRequests()).isNotEmpty();
    assertThat(RbacRequirementsTest.notGranted(harness.operatorRequests())).isEmpty();
  }

  private static List<Instance> liveInstances() {
    LocalCloudProvider cloud = new LocalCloudProvider(new ProviderConfig("local", null, List.of(),
        Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString())));
    return cloud.list(Map.of()).stream().filter(i -> i.state() != InstanceState.TERMINATED).toList();
  }

  private static List<String> eventReasons(String object) {
    return harness.client.v1().events().inNamespace(OperatorHarness.NAMESPACE).list().getItems().stream()
        .filter(e -> object.equals(e.getInvolvedObject().getName())).map(Event::getReason).toList();
  }
}
