package dev.taskjob.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.taskjob.crds.v1alpha1.shared.EnvVar;
import dev.taskjob.crds.v1alpha1.shared.EnvVarSource;
import dev.taskjob.crds.v1alpha1.shared.SecretKeySelector;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.operator.reliability.FaultRun;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code env[].valueFrom.secretKeyRef} on provider local, from apply to delete: the value reaches every
 * task, and nothing the operator wrote (the TaskJob with its status, the InstancePool's worker
 * environment, the ledger ConfigMap, Events, the operator's log, the instances' startup scripts, worker
 * logs and every other file under the local root but the 0600 secret store) holds it, in clear or in
 * base64. The store's copy is gone once the job is deleted.
 */
class SecretByReferenceTest {

  private static final String SECRET_VALUE = "s3cr3t-Value-7f1e9a!";

  @TempDir Path root;

  @Test
  void aSecretGivenByReferenceReachesTheTasksAndNothingTheOperatorWroteHoldsIt() throws Exception {
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    Logger rootLogger = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    log.start();
    rootLogger.addAppender(log);
    try (OperatorHarness harness = new OperatorHarness(FaultRun.settings("secret-test", root))) {
      harness.start();
      harness.client.secrets().inNamespace(OperatorHarness.NAMESPACE).resource(new SecretBuilder()
          .withNewMetadata().withName("db").addToLabels("taskjob.dev/task-env", "true").endMetadata()
          .withData(Map.of("password", base64(SECRET_VALUE))).build()).create();
      harness.configMap("secret-tasks", "tasks.json", TaskJobs.additionTasks(6));
      // The task checks the value by its hash, so the spec does not hold the value either.
      TaskJob job = TaskJobs.fromConfigMap("uses-secret", "secret-tasks", "tasks.json", List.of("sh", "-c",
          "test \"$(printf %s \"$DB_PASSWORD\" | sha256sum | cut -c1-64)\" = " + sha256(SECRET_VALUE)
              + " && test \"$GREETING\" = hello"));
      job.getSpec().getWorker().setEnv(List.of(secretEnv("DB_PASSWORD", "db", "password"),
          new EnvVar("GREETING", "hello")));
      job.getSpec().getWorker().setCpusPerTask(0.25);
      harness.apply(job);

      TaskJob done = harness.awaitJob("uses-secret", Duration.ofMinutes(3),
          j -> j.getStatus() != null && j.getStatus().getPhase().isFinished());

      assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(TaskJobPhase.SUCCEEDED);
      assertThat(done.getStatus().getSucceeded()).as("every task saw the secret").isEqualTo(6);
      InstancePool pool = harness.pool("uses-secret");
      assertThat(pool.getSpec().getWorkerEnvironment()).containsEntry("GREETING", "hello")
          .doesNotContainKey("DB_PASSWORD").containsKey("TASKJOB_SECRET_SCOPE");
      String scope = pool.getSpec().getWorkerEnvironment().get("TASKJOB_SECRET_SCOPE");
      assertThat(root.resolve("secrets").resolve(scope + ".json")).exists();

      List<String> written = new ArrayList<>();
      written.add(Serialization.asJson(done));
      harness.pools().forEach(p -> written.add(Serialization.asJson(p)));
      harness.client.configMaps().inNamespace(OperatorHarness.NAMESPACE).list().getItems().stream()
          .map(Serialization::asJson).forEach(written::add);
      harness.client.v1().events().inNamespace(OperatorHarness.NAMESPACE).list().getItems().stream()
          .map(Serialization::asJson).forEach(written::add);
      written.addAll(filesUnder(root, root.resolve("secrets")));
      log.list.forEach(e -> written.add(e.getFormattedMessage()
          + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()))));
      assertThat(written.size()).as("objects, files and log lines scanned").isGreaterThan(20);
      assertThat(written).as("the startup script and the worker's log were scanned")
          .anyMatch(s -> s.contains("TASKJOB_SECRET_SCOPE")).anyMatch(s -> s.contains("Secret env values for tasks"));
      assertThat(written).noneMatch(s -> s.contains(SECRET_VALUE)).noneMatch(s -> s.contains(base64(SECRET_VALUE)));

      harness.client.resource(done).delete();
      OperatorHarness.await(Duration.ofMinutes(1), () -> harness.job("uses-secret") == null, gone -> gone,
          "deleted job");
      assertThat(root.resolve("secrets").resolve(scope + ".json")).as("deleted with the job").doesNotExist();
    } finally {
      rootLogger.detachAppender(log);
    }
  }

  private static EnvVar secretEnv(String name, String secret, String key) {
    EnvVar v = new EnvVar();
    v.setName(name);
    v.setValueFrom(new EnvVarSource(new SecretKeySelector(secret, key)));
    return v;
  }

  /** Every regular file under {@code dir} but those under {@code except}, as text. */
  private static List<String> filesUnder(Path dir, Path except) throws IOException {
    List<String> contents = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.startsWith(except)).toList()) {
        contents.add(file + "\n" + new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
      }
    }
    return contents;
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String sha256(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }
}
