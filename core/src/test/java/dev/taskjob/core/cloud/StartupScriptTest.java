package dev.taskjob.core.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StartupScriptTest {

  static final StartupScript.Machine M6I = new StartupScript.Machine("aws", "us-east-1", "m6i.large", 2, 8.0, 0,
      true, 0.0385);

  @Test
  void writesTheWorkerEnvironmentAndTheMachinesFactsToAnEnvFileAndRunsTheWorkerImage() {
    String script = StartupScript.render("ghcr.io/acme/worker:1.2", "python:3.12-slim", Map.of(
        "TASKJOB_QUEUE_NAME", "job-a", "TASKJOB_PROVIDER", "aws", "TASKJOB_COMMAND", "[\"python3\",\"add.py\"]",
        "TASKJOB_SHUTDOWN_GRACE_PERIOD", "60"), M6I);

    assertThat(script).startsWith("#!/bin/bash\n")
        .contains("<<'TASKJOB_WORKER_ENV' || return\n"
            + "TASKJOB_COMMAND=[\"python3\",\"add.py\"]\nTASKJOB_INSTANCE_TYPE=m6i.large\nTASKJOB_MEMORY_GIB=8\n"
            + "TASKJOB_PRICE_PER_HOUR=0.0385\nTASKJOB_PROVIDER=aws\nTASKJOB_QUEUE_NAME=job-a\n"
            + "TASKJOB_SHUTDOWN_GRACE_PERIOD=60\nTASKJOB_SPOT=true\nTASKJOB_VCPUS=2\nTASKJOB_WORKER_ENV\n")
        .contains("cloud='aws'", "region='us-east-1'", "instance_type='m6i.large'",
            "worker_image='ghcr.io/acme/worker:1.2'", "task_image='python:3.12-slim'", "stop_timeout='65'",
            "worker_registry_kind='none'", "task_registry_kind='none'", "gpus='0'")
        .doesNotContainPattern("\\{\\{[A-Z_]+}}");
  }

  @Test
  void aPlaceholderInAValueIsKeptAsWritten() {
    String script = StartupScript.render("worker:1", "app:1", Map.of("NOTE", "{{WORKER_IMAGE}}"), M6I);

    assertThat(script).contains("\nNOTE={{WORKER_IMAGE}}\n");
  }

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @CsvSource(nullValues = "-", value = {
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/lab/app:3, ecr, 123456789012.dkr.ecr.eu-west-1.amazonaws.com",
      "123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/app@sha256:ab, ecr, 123456789012.dkr.ecr-fips.us-east-1.amazonaws.com",
      "europe-west4-docker.pkg.dev/proj/repo/app:1, google, europe-west4-docker.pkg.dev",
      "gcr.io/proj/app:1, google, gcr.io",
      "eu.gcr.io/proj/app:1, google, eu.gcr.io",
      "python:3.12-slim, none, -",
      "ghcr.io/acme/worker:1, none, -",
      "public.ecr.aws/docker/library/python:3.12, none, -",
  })
  void theRegistryLoginFollowsTheImagesHost(String image, String kind, String host) {
    assertThat(StartupScript.Registry.of(image))
        .isEqualTo(new StartupScript.Registry(kind, host == null ? "" : host));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "AWS_SECRET_ACCESS_KEY | x | workerEnvironment: AWS_SECRET_ACCESS_KEY carries credentials",
      "MY_DB_PASSWORD | x | workerEnvironment: MY_DB_PASSWORD carries credentials",
      "GOOGLE_APPLICATION_CREDENTIALS | /k.json | workerEnvironment: GOOGLE_APPLICATION_CREDENTIALS carries credentials",
      "BAD-NAME | x | workerEnvironment: 'BAD-NAME' is not an environment variable name",
      "A=B | x | workerEnvironment: 'A=B' is not an environment variable name",
      "TASKJOB_SHUTDOWN_GRACE_PERIOD | 1m | workerEnvironment: TASKJOB_SHUTDOWN_GRACE_PERIOD must be whole seconds",
  })
  void refusesCredentialsAndUnsafeEntries(String name, String value, String message) {
    assertThatThrownBy(() -> StartupScript.render("worker:1", "app:1", Map.of(name, value), M6I))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void refusesMultiLineValuesImagesThatAreNotPlainReferencesAndUnknownClouds() {
    assertThatThrownBy(() -> StartupScript.render("worker:1", "app:1", Map.of("A", "x\nrm -rf /"), M6I))
        .hasMessage("workerEnvironment: the value of A must be one line");
    assertThatThrownBy(() -> StartupScript.render("worker:1; curl evil", "app:1", Map.of(), M6I))
        .hasMessage("worker image 'worker:1; curl evil' is not a plain image reference");
    assertThatThrownBy(() -> StartupScript.render("worker:1", "app:1 $(curl evil)", Map.of(), M6I))
        .hasMessage("spec.worker.image: 'app:1 $(curl evil)' is not a plain image reference");
    assertThatThrownBy(() -> new StartupScript.Machine("local", "here", "local-2", 2, 4, 0, false, null))
        .hasMessage("startup scripts exist for aws and gcp, not 'local'");
  }

  @Test
  void aRequestWithoutTheWorkerImagePropertyIsRefusedNamingIt() {
    CreateInstanceRequest request = new CreateInstanceRequest("vm-1", "key-1", "m6i.large", null, false, Map.of(),
        null, 20, null, Map.of(StartupScript.TASK_IMAGE_ENV, "python:3.12-slim"), null);

    assertThatThrownBy(() -> StartupScript.forRequest(request, null, M6I))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("provider property worker.image is not set");
    assertThat(StartupScript.forRequest(request, "taskjob-worker:1", M6I))
        .contains("worker_image='taskjob-worker:1'", "task_image='python:3.12-slim'");
  }

  @Test
  void theJobsStartupScriptIsEmbeddedAsWrittenAndTheTemplatesCommentsAreLeftOut() {
    String job = "# the job's comment\necho {{ENVIRONMENT}} $HOME\n";
    String script = StartupScript.render("worker:1", "app:1", Map.of(StartupScript.JOB_STARTUP_SCRIPT_ENV,
        Base64.getEncoder().encodeToString(job.getBytes(StandardCharsets.UTF_8)), "NOTE", "{{JOB_STARTUP_SCRIPT}}"),
        M6I);

    assertThat(script).contains("<<'TASKJOB_JOB_STARTUP_SCRIPT' || return\n# the job's comment\n"
            + "echo {{ENVIRONMENT}} $HOME\nTASKJOB_JOB_STARTUP_SCRIPT\n", "job_startup_script='yes'",
            "\nNOTE={{JOB_STARTUP_SCRIPT}}\n")
        .doesNotContain(StartupScript.JOB_STARTUP_SCRIPT_ENV);
    assertThat(script.lines().skip(1).filter(line -> line.strip().startsWith("#")))
        .containsExactly("# the job's comment");
    assertThat(StartupScript.render("worker:1", "app:1", Map.of(), M6I)).contains("job_startup_script='no'");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "4097 | spec.worker.startupScript: 4097 bytes, more than the 4096",
      "0    | spec.worker.startupScript: a line may not be TASKJOB_JOB_STARTUP_SCRIPT",
  })
  void refusesJobStartupScriptsThatDoNotFit(int length, String message) {
    String text = length > 0 ? "x".repeat(length) : "echo a\nTASKJOB_JOB_STARTUP_SCRIPT\necho b";
    String base64 = Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> StartupScript.render("worker:1", "app:1",
        Map.of(StartupScript.JOB_STARTUP_SCRIPT_ENV, base64), M6I))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
  }
}
