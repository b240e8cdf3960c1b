package dev.taskjob.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.taskjob.PilotSpec;
import dev.taskjob.crds.v1alpha1.taskjob.PilotStatus;
import dev.taskjob.crds.v1alpha1.taskjob.PlanStatus;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.operator.reliability.FaultRun;
import dev.taskjob.operator.decision.KstatusConditions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spec.dryRun: true}: the job is checked, its tasks counted and priced into {@code status.plan}, and
 * nothing is created (no ledger, queue, pool or instance); setting it to false starts the job.
 * {@code spec.pilot}: the pool starts with one instance, and the rest is priced when the pilot's tasks finish.
 */
class PricingBeforeRunningTest {

  @TempDir
  static Path root;
  static OperatorHarness harness;

  @BeforeAll
  static void start() {
    harness = new OperatorHarness(FaultRun.settings("test-cluster", root));
    harness.configMap("tasks", "tasks.json", TaskJobs.additionTasks(5));
    harness.start();
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  @Test
  void pricesTheJobCreatesNothingAndStartsOnceDryRunIsOff() throws IOException {
    TaskJob job = TaskJobs.fromConfigMap("priced", "tasks", "tasks.json", List.of("true"));
    job.getSpec().setDryRun(true);
    job.getSpec().getWorker().setExpectedTaskDuration("10m");
    harness.apply(job);

    TaskJob planned = harness.awaitJob("priced", Duration.ofMinutes(3), j -> j.getStatus() != null
        && Conditions.isTrue(j.getStatus().getConditions(), ConditionTypes.PLANNED));
    PlanStatus plan = planned.getStatus().getPlan();
    assertThat(plan.getTasks()).isEqualTo(5);
    assertThat(plan.getInstanceType()).isNotBlank();
    assertThat(plan.getInstances()).isBetween(1, 2);
    assertThat(plan.getSlotsPerInstance()).isPositive();
    assertThat(plan.getMakespan()).isNotBlank();
    assertThat(plan.getMakespanRange()).contains(" to ");
    assertThat(plan.getCost()).isNotNull();
    assertThat(plan.getAssumptions()).startsWith("10m tasks (spec.worker.expectedTaskDuration)");
    assertThat(planned.getStatus().getPhase()).isEqualTo(TaskJobPhase.PENDING);
    assertThat(planned.getStatus().getTotal()).isEqualTo(5);
    assertThat(planned.getStatus().getMessage()).startsWith("dry run: 5 tasks on ")
        .endsWith("set spec.dryRun to false to start");
    Condition condition = Conditions.find(planned.getStatus().getConditions(), ConditionTypes.PLANNED).orElseThrow();
    assertThat(condition.getReason()).isEqualTo("DryRun");
    assertThat(Conditions.isTrue(planned.getStatus().getConditions(), KstatusConditions.RECONCILING))
        .as("a priced dry run rests").isFalse();
    assertThat(harness.client.v1().events().inNamespace(OperatorHarness.NAMESPACE).list().getItems())
        .anySatisfy(e -> {
          assertThat(e.getInvolvedObject().getName()).isEqualTo("priced");
          assertThat(e.getReason()).isEqualTo("Planned");
        });

    assertThat(planned.getStatus().getQueueName()).isNull();
    assertThat(planned.getStatus().getLedgerConfigMap()).isNull();
    assertThat(harness.pool("priced")).isNull();
    assertThat(harness.client.configMaps().inNamespace(OperatorHarness.NAMESPACE).list().getItems())
        .extracting(c -> c.getMetadata().getName()).noneMatch(n -> n.startsWith("priced"));
    for (String dir : List.of("queues", "instances")) {
      Path path = root.resolve(dir);
      if (Files.exists(path)) {
        try (Stream<Path> entries = Files.list(path)) {
          assertThat(entries.map(p -> p.getFileName().toString())).as(dir).noneMatch(n -> n.contains("priced"));
        }
      }
    }

    TaskJob edited = harness.job("priced");
    edited.getSpec().setDryRun(false);
    harness.client.resource(edited).update();
    TaskJob done = harness.awaitJob("priced", Duration.ofMinutes(5), j -> j.getStatus().getPhase().isFinished());
    assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(TaskJobPhase.SUCCEEDED);
    assertThat(done.getStatus().getSucceeded()).isEqualTo(5);
    assertThat(Conditions.find(done.getStatus().getConditions(), ConditionTypes.PLANNED).orElseThrow().getReason())
        .isEqualTo("DryRunEnded");
    assertThat(done.getStatus().getPlan().getTasks()).as("the plan it was priced at is kept").isEqualTo(5);
  }

  @Test
  void aPilotStartsOneInstanceThenPricesTheRestFromWhatItMeasured() {
    // tasks of a second, so that tasks usually remain when the pilot's two have finished
    TaskJob job = TaskJobs.fromConfigMap("piloted", "tasks", "tasks.json", List.of("sh", "-c", "sleep 1"));
    PilotSpec pilot = new PilotSpec();
    pilot.setTasks(2);
    job.getSpec().setPilot(pilot);
    harness.apply(job);

    TaskJob done = harness.awaitJob("piloted", Duration.ofMinutes(5), j -> j.getStatus() != null
        && j.getStatus().getPhase() != null && j.getStatus().getPhase().isFinished());
    assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(TaskJobPhase.SUCCEEDED);
    PilotStatus measured = done.getStatus().getPilot();
    assertThat(measured.getStage()).isEqualTo(PilotStatus.FINISHED);
    assertThat(measured.getTasks()).isEqualTo(2);
    assertThat(measured.getFinished()).isEqualTo(2);
    assertThat(measured.getMeanTaskDuration()).isNotBlank();
    List<io.fabric8.kubernetes.api.model.Event> events = harness.client.v1().events()
        .inNamespace(OperatorHarness.NAMESPACE).list().getItems().stream()
        .filter(e -> "piloted".equals(e.getInvolvedObject().getName())).toList();
    assertThat(events).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo("PoolCreated");
      assertThat(e.getMessage()).endsWith("created with 1 instances (pilot)");
    });
    assertThat(events).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo("PilotFinished");
      assertThat(e.getMessage()).startsWith("Pilot finished: 2 tasks, mean run time ");
    });
    if (done.getStatus().getPlan() != null) {
      // the rest was priced only when tasks remained as the pilot ended (its two may finish with the others)
      assertThat(done.getStatus().getPlan().getAssumptions()).contains("(mean of ");
    }
  }
}
