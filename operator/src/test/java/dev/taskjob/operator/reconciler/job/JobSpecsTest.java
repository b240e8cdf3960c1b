package dev.taskjob.operator.reconciler.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.crds.v1alpha1.shared.CredentialsRef;
import dev.taskjob.operator.reconciler.TaskJobs;
import dev.taskjob.crds.v1alpha1.shared.SecretReference;
import dev.taskjob.crds.v1alpha1.taskjob.CleanupPolicy;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JobSpecsTest {

  static TaskJobSpec started() {
    return TaskJobs.fromConfigMap("j", "tasks", "tasks.json", List.of("python3", "add.py")).getSpec();
  }

  record Case(String name, Consumer<TaskJobSpec> change, List<String> refused) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        new Case("no change", s -> { }, List.of()),
        new Case("raising maxInstances is allowed", s -> s.getInstances().setMaxInstances(50), List.of()),
        new Case("budget fields are allowed", s -> {
          s.getInstances().setMaxPricePerHour(3.0);
          s.getInstances().setMaxTotalCpus(64);
          s.getInstances().setMinInstances(1);
        }, List.of()),
        new Case("termination delay, cleanup and TTL are allowed", s -> {
          s.setTerminationDelay("5m");
          s.setCleanup(CleanupPolicy.KEEP);
          s.setTtlSecondsAfterFinished(60);
        }, List.of()),
        new Case("rotating the credentials Secret is allowed",
            s -> s.setCredentials(new CredentialsRef(new SecretReference("new-keys"))), List.of()),
        new Case("the worker command is refused", s -> s.getWorker().setCommand(List.of("bash", "other.sh")),
            List.of("spec.worker")),
        new Case("the task source is refused", s -> s.getTasks().getConfigMapRefs().get(0).setName("other"),
            List.of("spec.tasks")),
        new Case("instance shape is refused", s -> s.getInstances().setMaxCpus(8), List.of("spec.instances.maxCpus")),
        new Case("region is refused", s -> s.setRegion("eu-west-1"), List.of("spec.region")),
        new Case("dryRun may change (a started job ignores it)", s -> s.setDryRun(true), List.of()),
        new Case("the pilot is refused", s -> {
          var pilot = new dev.taskjob.crds.v1alpha1.taskjob.PilotSpec();
          pilot.setTasks(10);
          s.setPilot(pilot);
        }, List.of("spec.pilot")))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void refusesOnlyChangesToTheWork(Case c) {
    TaskJobSpec live = JobSpecs.parse(JobSpecs.snapshot(started()));
    c.change().accept(live);
    assertThat(JobSpecs.refusedChanges(started(), live)).containsExactlyElementsOf(c.refused());
  }

  @Test
  void effectiveSpecKeepsTheStartedWorkAndTakesTheLiveBudget() {
    TaskJobSpec live = JobSpecs.parse(JobSpecs.snapshot(started()));
    live.getWorker().setCommand(List.of("rm", "-rf", "/"));
    live.getInstances().setMaxInstances(7);
    live.setTerminationDelay("2m");
    TaskJobSpec effective = JobSpecs.effective(started(), live);
    assertThat(effective.getWorker().getCommand()).containsExactly("python3", "add.py");
    assertThat(effective.getInstances().getMaxInstances()).isEqualTo(7);
    assertThat(effective.getInstances().getMaxCpus()).isEqualTo(1);
    assertThat(effective.getTerminationDelay()).isEqualTo("2m");
  }
}
