package dev.taskjob.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.reconciler.OperatorHarness;
import dev.taskjob.operator.reconciler.TaskJobs;
import dev.taskjob.operator.reliability.FaultRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What every cloud end-to-end test does first: run a job on booted VMs and check it counted every task once. */
final class CloudJobRun {

  /** The taskjob worker image the operator is configured with (provider property worker.image). */
  static final String WORKER_IMAGE = "ghcr.io/taskjob/taskjob-worker:test";
  /** How long a VM's worker may take to report first, and then between reports. */
  static final java.time.Duration VM_STARTUP_TIMEOUT = java.time.Duration.ofMinutes(4);
  static final java.time.Duration VM_HEARTBEAT_TIMEOUT = java.time.Duration.ofSeconds(60);
  /** A public image without our worker, which the tasks run in. */
  static final String TASK_IMAGE = "python:3.12-slim";
  private static final List<String> WORKER_ARGUMENTS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-cp", "@/opt/taskjob/app/jib-classpath-file",
      "dev.taskjob.worker.WorkerMain");

  /**
   * Tasks of a cloud job: 200, many times both VMs' four slots, so every VM takes tasks from the queue for a
   * while and the job's accounting is checked over more than a few deliveries.
   */
  static final int TASKS = 200;
  /** VMs a cloud job's pool runs (two of at most 2 vCPUs, see the jobs' instance limits). */
  private static final int VMS = 2;

  private CloudJobRun() {}

  /** The gate a cloud job's tasks wait for (a file next to the attempts log). */
  static Path gate(Path attemptsLog) {
    return attemptsLog.resolveSibling("gate");
  }

  /**
   * Loads {@code tasks} addition tasks into a ConfigMap, starts the operator, applies {@code job} (a
   * {@link FaultRun#gatedSleepingJob} logging to {@code attemptsLog}, waiting for {@link #gate}) and waits until
   * it ends; asserts that it Succeeded with exact counts in its status and ledger and that every task ran.
   * The gate opens once both VMs have started their worker: on a loaded machine one VM's boot can lag, and
   * without the gate the other could finish every task first, so that the drain stopped the late VM in the
   * middle of its startup script. Returns the finished job.
   */
  static TaskJob succeeds(OperatorHarness harness, WorkerVms vms, TaskJob job, int tasks, Path attemptsLog) {
    String name = job.getMetadata().getName();
    harness.configMap("tasks", "tasks.json", TaskJobs.additionTasks(tasks));
    harness.start();
    harness.apply(job);
    OperatorHarness.await(VM_STARTUP_TIMEOUT, vms::workersStarted, started -> started >= VMS,
        "workers started on " + VMS + " VMs");
    try {
      Files.createFile(gate(attemptsLog));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }

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
   * Asserts that every VM ran its startup script to the end: it copied the worker out of the worker image,
   * pulled the job's image and ran it with the worker injected (the worker run by the {@code docker run}
   * stand-in) and the env file, installed nothing, and shut the VM down after the worker exited. Call after the
   * VMs' scripts have ended.
   */
  static void startupScriptsRanToTheEnd(WorkerVms vms, String taskImage) {
    assertThat(vms.booted()).isNotEmpty();
    for (String vm : vms.booted().keySet()) {
      List<String> calls = vms.calls(vm);
      assertThat(calls).as("what the startup script of %s ran", vm)
          .contains("systemctl\tstart\tdocker", "docker\tpull\t" + WORKER_IMAGE,
              "docker\tcreate\t--name\ttaskjob-worker-files\t" + WORKER_IMAGE, "docker\tpull\t" + taskImage)
          .anyMatch(c -> c.startsWith("docker\trun\t--name\ttaskjob-worker\t")
              && c.contains("\t--volume\ttaskjob-worker:/opt/taskjob:ro\t")
              && c.endsWith("\t" + taskImage + "\t" + String.join("\t", WORKER_ARGUMENTS)))
          .noneMatch(c -> c.startsWith("mkfs") || c.startsWith("aws") || c.startsWith("cos-extensions"))
          .last().isEqualTo("shutdown\t-h\tnow");
    }
  }

  private static boolean finished(TaskJob job) {
    return job.getStatus() != null && (job.getStatus().getPhase() == TaskJobPhase.SUCCEEDED
        || job.getStatus().getPhase() == TaskJobPhase.FAILED);
  }
}
