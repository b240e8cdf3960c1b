package dev.taskjob.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.reconciler.OperatorHarness;
import dev.taskjob.operator.reconciler.TaskJobs;
import dev.taskjob.operator.reliability.FaultRun;
import java.nio.file.Path;
import java.util.List;

/** What every cloud end-to-end test does first: run a job on booted VMs and check it counted every task once. */
final class CloudJobRun {

  private CloudJobRun() {}

  /**
   * Loads {@code tasks} addition tasks into a ConfigMap, starts the operator, applies {@code job} (a
   * {@link FaultRun#sleepingJob} logging to {@code attemptsLog}) and waits until it ends; asserts that it
   * Succeeded with exact counts in its status and ledger and that every task ran. Returns the finished job.
   */
  static TaskJob succeeds(OperatorHarness harness, WorkerVms vms, TaskJob job, int tasks, Path attemptsLog) {
    String name = job.getMetadata().getName();
    harness.configMap("tasks", "tasks.json", TaskJobs.additionTasks(tasks));
    harness.start();
    harness.apply(job);

    TaskJob done = harness.awaitJob(name, FaultRun.jobTimeout(tasks), CloudJobRun::finished);

    assertThat(done.getStatus().getPhase()).as("%s%n%s", done.getStatus().getMessage(), vms.logTails())
        .isEqualTo(TaskJobPhase.SUCCEEDED);
    assertThat(done.getStatus().getTotal()).isEqualTo(tasks);
    assertThat(done.getStatus().getSucceeded()).isEqualTo(tasks);
    assertThat(done.getStatus().getFailed()).isZero();
    Ledger ledger = FaultRun.ledger(harness, name);
    assertThat(ledger.succeeded()).isEqualTo(tasks);
    assertThat(ledger.failed()).isZero();
    assertThat(ledger.remaining()).isZero();
    assertThat(FaultRun.attempts(attemptsLog)).as("task ids that ran").hasSize(tasks);
    return done;
  }

  /**
   * Asserts that every VM ran its startup script to the end: it pulled and ran the job's worker image with
   * the env file (the worker run by the {@code docker run} stand-in), installed nothing, and shut the VM
   * down after the worker exited. Call after the VMs' scripts have ended.
   */
  static void startupScriptsRanToTheEnd(WorkerVms vms, String workerImage) {
    assertThat(vms.booted()).isNotEmpty();
    for (String vm : vms.booted().keySet()) {
      List<String> calls = vms.calls(vm);
      assertThat(calls).as("what the startup script of %s ran", vm)
          .contains("systemctl\tstart\tdocker", "docker\tpull\t" + workerImage)
          .anyMatch(c -> c.startsWith("docker\trun\t--name\ttaskjob-worker\t") && c.endsWith("\t" + workerImage))
          .noneMatch(c -> c.startsWith("mkfs") || c.startsWith("aws") || c.startsWith("cos-extensions"))
          .last().isEqualTo("shutdown\t-h\tnow");
    }
  }

  private static boolean finished(TaskJob job) {
    return job.getStatus() != null && (job.getStatus().getPhase() == TaskJobPhase.SUCCEEDED
        || job.getStatus().getPhase() == TaskJobPhase.FAILED);
  }
}
