package dev.taskjob.core.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class StartupScriptTest {

  @Test
  void writesTheWorkerEnvironmentToAnEnvFileAndRunsTheWorkerImage() {
    String script = StartupScript.render("ghcr.io/acme/worker:1.2", Map.of(
        "TASKJOB_QUEUE_NAME", "job-a", "TASKJOB_PROVIDER", "aws", "TASKJOB_COMMAND", "[\"python3\",\"add.py\"]",
        "TASKJOB_SHUTDOWN_GRACE_PERIOD", "60"));

    assertThat(script).startsWith("#!/bin/bash\n")
        .contains("cat > /etc/taskjob/worker.env <<'TASKJOB_WORKER_ENV'\n"
            + "TASKJOB_COMMAND=[\"python3\",\"add.py\"]\nTASKJOB_PROVIDER=aws\nTASKJOB_QUEUE_NAME=job-a\n"
            + "TASKJOB_SHUTDOWN_GRACE_PERIOD=60\nTASKJOB_WORKER_ENV\n")
        .contains("--env-file /etc/taskjob/worker.env", "--stop-timeout 65 ghcr.io/acme/worker:1.2")
        .doesNotContain("{{");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "AWS_SECRET_ACCESS_KEY | x | workerEnvironment: AWS_SECRET_ACCESS_KEY carries credentials",
      "MY_DB_PASSWORD | x | workerEnvironment: MY_DB_PASSWORD carries credentials",
      "GOOGLE_APPLICATION_CREDENTIALS | /k.json | workerEnvironment: GOOGLE_APPLICATION_CREDENTIALS carries credentials",
      "BAD-NAME | x | workerEnvironment: 'BAD-NAME' is not an environment variable name",
      "TASKJOB_SHUTDOWN_GRACE_PERIOD | 1m | workerEnvironment: TASKJOB_SHUTDOWN_GRACE_PERIOD must be whole seconds",
  })
  void refusesCredentialsAndUnsafeEntries(String name, String value, String message) {
    assertThatThrownBy(() -> StartupScript.render("worker:1", Map.of(name, value)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void refusesMultiLineValuesAndImagesThatAreNotPlainReferences() {
    assertThatThrownBy(() -> StartupScript.render("worker:1", Map.of("A", "x\nrm -rf /")))
        .hasMessage("workerEnvironment: the value of A must be one line");
    assertThatThrownBy(() -> StartupScript.render("worker:1; curl evil", Map.of()))
        .hasMessage("worker image 'worker:1; curl evil' is not a plain image reference");
  }
}
