package dev.taskjob.operator.reconciler.job;

import dev.taskjob.core.Json;
import dev.taskjob.core.worker.WorkerSetting;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.crds.v1alpha1.shared.Durations;
import dev.taskjob.crds.v1alpha1.shared.EnvVar;
import dev.taskjob.crds.v1alpha1.shared.RetrySpec;
import dev.taskjob.crds.v1alpha1.shared.WorkerSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import dev.taskjob.operator.validation.SecretEnv;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The worker's whole configuration, as environment variables (the worker reads every option from
 * {@code TASKJOB_<OPTION>}; see worker-image/README.md). Never credentials: VMs use their own
 * identity (instance profile, service account). Env entries given by Secret reference are left out; the
 * worker gets only the scope where it reads them.
 */
final class WorkerEnvironment {

  /** How long a worker may take to report a first time, unless the pool says otherwise. */
  static final String DEFAULT_STARTUP_TIMEOUT = "10m";

  /** The worker's option naming the job's scope in the provider's secret store. */
  static final String SECRET_SCOPE_ENV = WorkerSetting.SECRET_SCOPE.variable();

  private WorkerEnvironment() {}

  /** A job's scope in its provider's secret store: its queue base name, unique per job uid. */
  static String secretScope(String queueName) {
    return queueName;
  }

  static Map<String, String> of(TaskJob job, TaskJobSpec spec, QueueSettings queue, Duration heartbeatInterval) {
    WorkerSpec worker = spec.getWorker();
    RetrySpec retry = worker.getRetry() == null ? new RetrySpec() : worker.getRetry();
    Map<String, String> env = new TreeMap<>();
    if (worker.getEnv() != null) {
      for (EnvVar v : worker.getEnv()) {
        if (v.secretKeyRef() == null) {
          env.put(v.getName(), v.getValue() == null ? "" : v.getValue());
        }
      }
    }
    if (SecretEnv.any(worker.getEnv())) {
      // Where the worker reads the values the operator stored (see JobStart): a name, never a value.
      env.put(WorkerSetting.SECRET_SCOPE.variable(), secretScope(queue.name()));
    }
    env.put(WorkerSetting.PROVIDER.variable(), spec.getProvider().id());
    putIfSet(env, WorkerSetting.REGION.variable(), spec.getRegion());
    putIfSet(env, WorkerSetting.PROJECT.variable(), spec.getProject());
    env.put(WorkerSetting.JOB.variable(), job.getMetadata().getNamespace() + "/" + job.getMetadata().getName());
    env.put(WorkerSetting.QUEUE_NAME.variable(), queue.name());
    env.put(WorkerSetting.LEASE_SECONDS.variable(), Long.toString(queue.leaseDuration().toSeconds()));
    env.put(WorkerSetting.MAX_ATTEMPTS.variable(), Integer.toString(maxAttempts(retry)));
    env.put(WorkerSetting.MAX_INTERRUPTIONS.variable(), Integer.toString(queue.maxAttempts() - 1));
    env.put(WorkerSetting.COMMAND.variable(), Json.MAPPER.valueToTree(worker.getCommand()).toString());
    // The image the tasks run in; the VM's startup script injects the worker into it (see StartupScript).
    putIfSet(env, WorkerSetting.TASK_IMAGE.variable(), worker.getImage());
    env.put(WorkerSetting.CPUS_PER_TASK.variable(), stripZeros(worker.getCpusPerTask() == null ? 1.0 : worker.getCpusPerTask()));
    putIfSet(env, WorkerSetting.MAX_MEMORY_PER_TASK.variable(), worker.getMaxMemoryPerTask());
    if (worker.getSimultaneousTasks() != null) {
      env.put(WorkerSetting.NUM_SIMULTANEOUS_TASKS.variable(), Integer.toString(worker.getSimultaneousTasks()));
    }
    // 0 is the worker's "no limit", what an unset maxRuntime means (the worker's own default is 10 minutes).
    env.put(WorkerSetting.MAX_RUNTIME.variable(), worker.getMaxRuntime() == null ? "0"
        : Long.toString(seconds("spec.worker.maxRuntime", worker.getMaxRuntime())));
    env.put(WorkerSetting.RETRY_ON_FAILURE.variable(), Boolean.toString(Boolean.TRUE.equals(retry.getOnFailure())));
    env.put(WorkerSetting.RETRY_ON_TIMEOUT.variable(), Boolean.toString(Boolean.TRUE.equals(retry.getOnTimeout())));
    if (retry.getRetryExitCodes() != null && !retry.getRetryExitCodes().isEmpty()) {
      env.put(WorkerSetting.RETRY_EXIT_CODES.variable(),
          retry.getRetryExitCodes().stream().map(String::valueOf).collect(Collectors.joining(",")));
    }
    env.put(WorkerSetting.SHUTDOWN_GRACE_PERIOD.variable(), Long.toString(seconds("spec.worker.shutdownGracePeriod",
        worker.getShutdownGracePeriod() == null ? WorkerSpec.DEFAULT_SHUTDOWN_GRACE_PERIOD : worker.getShutdownGracePeriod())));
    env.put(WorkerSetting.HEARTBEAT_INTERVAL.variable(), Long.toString(Math.max(1, heartbeatInterval.toSeconds())));
    return env;
  }

  /**
   * Queue settings for a job: lease from the max runtime; deliveries per message from the interruption
   * allowance, not from {@code maxAttempts} (a failed attempt is sent again as a new message, so a
   * message's redeliveries are interruptions only).
   */
  static QueueSettings queueSettings(String queueName, WorkerSpec worker) {
    Duration maxRuntime = worker.getMaxRuntime() == null ? Duration.ofHours(1)
        : Durations.parse("spec.worker.maxRuntime", worker.getMaxRuntime());
    return new QueueSettings(queueName, QueueSettings.leaseFor(maxRuntime),
        QueueSettings.deliveriesFor(QueueSettings.DEFAULT_MAX_INTERRUPTIONS));
  }

  /** The attempts each task of the job gets ({@code spec.worker.retry.maxAttempts}, or its default). */
  static int maxAttempts(WorkerSpec worker) {
    return maxAttempts(worker.getRetry() == null ? new RetrySpec() : worker.getRetry());
  }

  private static int maxAttempts(RetrySpec retry) {
    return retry.getMaxAttempts() == null ? RetrySpec.DEFAULT_MAX_ATTEMPTS : retry.getMaxAttempts();
  }

  private static long seconds(String field, String duration) {
    return Math.max(1, Durations.parse(field, duration).toSeconds());
  }

  private static String stripZeros(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  private static void putIfSet(Map<String, String> env, String key, String value) {
    if (value != null && !value.isBlank()) {
      env.put(key, value);
    }
  }
}
