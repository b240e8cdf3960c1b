package dev.taskjob.operator.reconciler.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.crds.v1alpha1.shared.EnvVar;
import dev.taskjob.crds.v1alpha1.shared.EnvVarSource;
import dev.taskjob.crds.v1alpha1.shared.RetrySpec;
import dev.taskjob.crds.v1alpha1.shared.SecretKeySelector;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.operator.reconciler.TaskJobs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerEnvironmentTest {

  @Test
  void maxAttemptsGoesToTheRetryPolicyAndTheQueueAllowsTenInterruptionsPerAttempt() {
    TaskJob job = TaskJobs.generated("j", 12, List.of("sh", "-c", "true"));
    job.getMetadata().setNamespace("ns");
    RetrySpec retry = new RetrySpec();
    retry.setMaxAttempts(1);
    job.getSpec().getWorker().setRetry(retry);

    QueueSettings queue = WorkerEnvironment.queueSettings("tj-ns-j", job.getSpec().getWorker());
    Map<String, String> env = WorkerEnvironment.of(job, job.getSpec(), queue, Duration.ofSeconds(30));

    assertThat(queue.maxAttempts()).as("deliveries per message before the dead-letter queue").isEqualTo(11);
    assertThat(env).containsEntry("TASKJOB_MAX_ATTEMPTS", "1").containsEntry("TASKJOB_MAX_INTERRUPTIONS", "10");
  }

  @Test
  void aSecretByReferenceLeavesOnlyItsScopeInTheWorkerEnvironment() {
    TaskJob job = TaskJobs.generated("j", 1, List.of("true"));
    job.getMetadata().setNamespace("ns");
    EnvVar password = new EnvVar();
    password.setName("DB_PASSWORD");
    password.setValueFrom(new EnvVarSource(new SecretKeySelector("db", "password")));
    job.getSpec().getWorker().setEnv(List.of(password, new EnvVar("GREETING", "hello")));

    QueueSettings queue = WorkerEnvironment.queueSettings("tj-ns-j-0123456789", job.getSpec().getWorker());
    Map<String, String> env = WorkerEnvironment.of(job, job.getSpec(), queue, Duration.ofSeconds(30));

    assertThat(env).doesNotContainKey("DB_PASSWORD").containsEntry("GREETING", "hello")
        .containsEntry("TASKJOB_SECRET_SCOPE", "tj-ns-j-0123456789");
    job.getSpec().getWorker().setEnv(List.of(new EnvVar("GREETING", "hello")));
    assertThat(WorkerEnvironment.of(job, job.getSpec(), queue, Duration.ofSeconds(30)))
        .doesNotContainKey("TASKJOB_SECRET_SCOPE");
  }

  @Test
  void theJobsImageAndMemoryLimitReachTheVm() {
    TaskJob job = TaskJobs.generated("j", 12, List.of("python3", "-c", "print(1)"));
    job.getMetadata().setNamespace("ns");
    job.getSpec().getWorker().setImage("python:3.12-slim");
    job.getSpec().getWorker().setMaxMemoryPerTask("2Gi");

    Map<String, String> env = WorkerEnvironment.of(job, job.getSpec(),
        WorkerEnvironment.queueSettings("tj-ns-j", job.getSpec().getWorker()), Duration.ofSeconds(30));

    assertThat(env).containsEntry("TASKJOB_TASK_IMAGE", "python:3.12-slim")
        .containsEntry("TASKJOB_MAX_MEMORY_PER_TASK", "2Gi");
  }

  @Test
  void noMemoryLimitUnlessOneIsAsked() {
    TaskJob job = TaskJobs.generated("j", 12, List.of("true"));
    job.getMetadata().setNamespace("ns");

    Map<String, String> env = WorkerEnvironment.of(job, job.getSpec(),
        WorkerEnvironment.queueSettings("tj-ns-j", job.getSpec().getWorker()), Duration.ofSeconds(30));

    assertThat(env).doesNotContainKey("TASKJOB_MAX_MEMORY_PER_TASK");
  }
}
