package dev.taskjob.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.shared.EnvVar;
import dev.taskjob.crds.v1alpha1.shared.EnvVarSource;
import dev.taskjob.crds.v1alpha1.shared.SecretKeySelector;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.operator.reconciler.OperatorHarness;
import dev.taskjob.operator.reconciler.TaskJobs;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TaskJob in a namespace no admin enabled (deploy/tenant not applied there): the API server refuses
 * the operator's ConfigMap and Secret requests, as RBAC would. The job says so and nothing is created.
 */
class TenantAccessTest {

  private static final Pattern TENANT_DATA = Pattern.compile("/api/v1/namespaces/([^/]+)/(configmaps|secrets)(?:/([^/?]+))?.*");

  @Test
  void aJobInANamespaceNotEnabledSaysWhatIsForbiddenAndCreatesNothing(@TempDir Path root) throws IOException {
    OperatorSettings settings = OperatorSettings.defaults("test-cluster").fast()
        .withProviderProperties(Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString()));
    try (OperatorHarness harness = new OperatorHarness(settings, Providers.available(), ForbidTenantData::new)) {
      harness.configMap("tasks", "tasks.json", TaskJobs.additionTasks(3));
      harness.start();

      harness.apply(TaskJobs.fromConfigMap("not-enabled", "tasks", "tasks.json", List.of("true")));
      TaskJob seen = harness.awaitJob("not-enabled", OperatorHarness.PATIENCE, j -> j.getStatus() != null
          && Conditions.find(j.getStatus().getConditions(), "Degraded").filter(c -> Condition.TRUE.equals(c.getStatus()))
              .isPresent());

      Condition degraded = Conditions.find(seen.getStatus().getConditions(), "Degraded").orElseThrow();
      assertThat(degraded.getMessage()).contains("configmaps \"tasks\" is forbidden");
      assertThat(seen.getStatus().getQueueName()).isNull();
      assertThat(harness.pool("not-enabled")).isNull();
      for (String dir : List.of("queues", "instances")) {
        if (Files.exists(root.resolve(dir))) {
          try (Stream<Path> entries = Files.list(root.resolve(dir))) {
            // The local provider names queues and instances after the job; its .lock is always there.
            assertThat(entries.map(p -> p.getFileName().toString())).as(dir).noneMatch(n -> n.contains("not-enabled"));
          }
        }
      }
    }
  }

  /**
   * A Secret the operator may not read (a namespace whose admin bound taskjob-operator-tenant without Secret
   * access, or a Secret outside it): a job naming it in {@code valueFrom.secretKeyRef} says which Secret is
   * forbidden and creates nothing, and the operator never tries another way to read it (no list, no watch).
   */
  @Test
  void aJobReferencingASecretTheOperatorMayNotReadSaysSoAndCreatesNothing(@TempDir Path root) throws IOException {
    OperatorSettings settings = OperatorSettings.defaults("test-cluster").fast()
        .withProviderProperties(Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString()));
    try (OperatorHarness harness = new OperatorHarness(settings, Providers.available(),
        next -> new ForbidTenantData(next, "secrets"))) {
      harness.configMap("tasks", "tasks.json", TaskJobs.additionTasks(3));
      harness.start();

      TaskJob job = TaskJobs.fromConfigMap("secret-forbidden", "tasks", "tasks.json", List.of("true"));
      EnvVar password = new EnvVar();
      password.setName("DB_PASSWORD");
      password.setValueFrom(new EnvVarSource(new SecretKeySelector("db", "password")));
      job.getSpec().getWorker().setEnv(List.of(password));
      harness.apply(job);
      TaskJob seen = harness.awaitJob("secret-forbidden", OperatorHarness.PATIENCE, j -> j.getStatus() != null
          && Conditions.find(j.getStatus().getConditions(), "Degraded").filter(c -> Condition.TRUE.equals(c.getStatus()))
              .isPresent());

      Condition degraded = Conditions.find(seen.getStatus().getConditions(), "Degraded").orElseThrow();
      assertThat(degraded.getMessage()).contains("secrets \"db\" is forbidden");
      assertThat(seen.getStatus().getQueueName()).isNull();
      assertThat(harness.pool("secret-forbidden")).isNull();
      assertThat(root.resolve("secrets")).doesNotExist();
      assertThat(harness.operatorRequests()).filteredOn(r -> r.path().contains("/secrets"))
          .allSatisfy(r -> {
            assertThat(r.method()).isEqualTo("GET");
            assertThat(r.path()).startsWith("/api/v1/namespaces/default/secrets/db");
          });
    }
  }

  /** Answers the operator's requests for the given kinds 403 Forbidden, as the API server does without RBAC. */
  private static final class ForbidTenantData extends Dispatcher {
    private final Dispatcher next;
    private final String forbidden;

    ForbidTenantData(Dispatcher next) {
      this(next, "configmaps|secrets");
    }

    ForbidTenantData(Dispatcher next, String forbidden) {
      this.next = next;
      this.forbidden = forbidden;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      Matcher m = TENANT_DATA.matcher(request.getPath());
      if (OperatorHarness.OPERATOR_USER_AGENT.equals(request.getHeader("User-Agent")) && m.matches()
          && m.group(2).matches(forbidden)) {
        String object = m.group(3) == null ? m.group(2) : m.group(2) + " \\\"" + m.group(3) + "\\\"";
        String message = object + " is forbidden: User \\\"system:serviceaccount:taskjob-system:taskjob-operator\\\" "
            + "cannot " + request.getMethod().toLowerCase() + " resource \\\"" + m.group(2)
            + "\\\" in API group \\\"\\\" in the namespace \\\"" + m.group(1) + "\\\"";
        return new MockResponse().setResponseCode(403).setHeader("Content-Type", "application/json").setBody(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"" + message
                + "\",\"reason\":\"Forbidden\",\"code\":403}");
      }
      return next.dispatch(request);
    }
  }
}
