package dev.taskjob.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.CapacityException;
import dev.taskjob.core.cloud.CloudException;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.core.task.TaskListException;
import dev.taskjob.operator.cloud.ProviderAccess;
import dev.taskjob.operator.decision.ErrorClassifier.Kind;
import dev.taskjob.operator.load.LoadException;
import dev.taskjob.operator.selection.NoMatchingInstanceTypeException;
import dev.taskjob.operator.tasks.TaskSourceException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ErrorClassifierTest {

  record Case(String name, Exception error, Kind kind, String reason, boolean retried) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("throttled cloud call", new CloudException("Throttling: rate exceeded", true), Kind.TRANSIENT,
            "CloudError", true),
        new Case("cloud refused the request", new CloudException("InvalidParameterValue", false), Kind.NEEDS_USER,
            "CloudRequestRefused", false),
        new Case("no capacity", new CapacityException("InsufficientInstanceCapacity", "c5.large", "us-east-1a", false,
            null), Kind.CAPACITY, "NoCapacity", true),
        new Case("queue unavailable", new QueueException("503", true), Kind.TRANSIENT, "QueueError", true),
        new Case("queue access denied", new QueueException("AccessDenied", false), Kind.NEEDS_USER,
            "QueueRequestRefused", false),
        new Case("missing credentials Secret", new ProviderAccess.MissingSecretException("Secret 'k' not found"),
            Kind.NEEDS_USER, "SecretNotFound", false),
        new Case("task list changed under the job", new TaskSourceException(TaskSourceException.TASK_LIST_CHANGED,
            "spec.tasks", "spec.tasks: changed"), Kind.PERMANENT, "TaskListChanged", false),
        new Case("task ConfigMap deleted", new TaskSourceException(TaskSourceException.CONFIG_MAP_NOT_FOUND,
            "spec.tasks", "spec.tasks.configMapRefs[0].name: not found"), Kind.NEEDS_USER, "ConfigMapNotFound", false),
        new Case("malformed task list", new TaskListException("tasks.json", 3, 4, "not JSON"), Kind.PERMANENT,
            "InvalidTaskList", false),
        new Case("no instance type fits", new NoMatchingInstanceTypeException("no type", "cpusPerTask", List.of()),
            Kind.PERMANENT, "NoMatchingInstanceType", false),
        new Case("load interrupted", new LoadException("timeout", null, true, null), Kind.TRANSIENT, "LoadRetrying",
            true),
        new Case("load cannot go on", new LoadException("too big", null, false, null), Kind.PERMANENT, "LoadFailed",
            false),
        new Case("load checkpoint write conflicted", new LoadException("load stopped at task 200 of 200", null, false,
            new KubernetesClientException("Conflict", 409, null)), Kind.TRANSIENT, "LoadRetrying", true),
        new Case("task list changed while loading", new LoadException("task list changed while loading", null, false,
            new TaskListException("tasks.json", 3, 4, "not JSON")), Kind.PERMANENT, "LoadFailed", false),
        new Case("status write conflict", new KubernetesClientException("Conflict", 409, null), Kind.TRANSIENT,
            "KubernetesApiError", true),
        new Case("operator lacks RBAC", new KubernetesClientException("Forbidden", 403, null), Kind.NEEDS_USER,
            "Forbidden", false),
        new Case("cause judged through a wrapper", new RuntimeException("wrapped",
            new ProviderAccess.MissingSecretException("Secret 'k' not found")), Kind.NEEDS_USER, "SecretNotFound",
            false),
        new Case("anything unknown is retried", new IllegalStateException("boom"), Kind.TRANSIENT, "TransientError",
            true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void judgesEachErrorOnce(Case c) {
    ErrorClassifier.Classified judged = ErrorClassifier.classify(c.error());
    assertThat(judged.kind()).isEqualTo(c.kind());
    assertThat(judged.reason()).isEqualTo(c.reason());
    assertThat(judged.kind().retried()).isEqualTo(c.retried());
    assertThat(judged.message()).isNotBlank();
  }
}
