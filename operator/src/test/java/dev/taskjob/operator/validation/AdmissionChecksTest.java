package dev.taskjob.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import dev.taskjob.core.cloud.VmPrice;
import dev.taskjob.crds.v1alpha1.shared.EnvVar;
import dev.taskjob.crds.v1alpha1.shared.EnvVarSource;
import dev.taskjob.crds.v1alpha1.shared.SecretKeySelector;
import dev.taskjob.operator.selection.Candidate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The admission checks as tables: each refused input names its field and reason; each accepted one passes. */
class AdmissionChecksTest {

  @ParameterizedTest(name = "env {0}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "MY_VAR          | -",
      "_PRIVATE_DIR    | -",
      "TOKEN_LIMIT     | -",
      "MAX_TOKENS      | -",
      "SECRET_NAME     | -",
      "PATH_EXTRA      | -",
      "BAD-NAME        | spec.worker.env[0].name: Invalid value: \"BAD-NAME\": must be letters, digits and '_'",
      "9LIVES          | spec.worker.env[0].name: Invalid value: \"9LIVES\"",
      "A B             | spec.worker.env[0].name: Invalid value: \"A B\"",
      "TASKJOB_EVENT_LOG_TO_QUEUE | spec.worker.env[0].name: Forbidden: \"TASKJOB_EVENT_LOG_TO_QUEUE\" is reserved",
      "taskjob_queue_name | spec.worker.env[0].name: Forbidden: \"taskjob_queue_name\" is reserved",
      "TASK_DATA_FILE  | is reserved",
      "TASK_ARG_X      | is reserved",
      "DB_PASSWORD     | spec.worker.env[0].name: Forbidden: \"DB_PASSWORD\" looks like a credential",
      "PASSWORD        | looks like a credential",
      "AWS_SECRET_ACCESS_KEY | looks like a credential",
      "AWS_SESSION_TOKEN | looks like a credential",
      "OPENAI_API_KEY  | looks like a credential",
      "STRIPE_APIKEY   | looks like a credential",
      "SSH_PRIVATE_KEY | looks like a credential",
      "CLIENT_SECRET   | looks like a credential",
      "GOOGLE_APPLICATION_CREDENTIALS | looks like a credential",
      "gh_token        | looks like a credential"})
  void envNames(String name, String problem) {
    assertProblem(AdmissionChecks.env(List.of(new EnvVar(name, "v"))), problem);
  }

  @ParameterizedTest(name = "{0} by Secret reference")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "DB_PASSWORD     | -      | -",
      "AWS_SECRET_ACCESS_KEY | - | -",
      "GREETING        | -      | -",
      "DB_PASSWORD     | literal | spec.worker.env[0].value: Invalid value: give value or valueFrom, not both",
      "TASKJOB_QUEUE_NAME | -   | spec.worker.env[0].name: Forbidden: \"TASKJOB_QUEUE_NAME\" is reserved"})
  void envBySecretReference(String name, String value, String problem) {
    EnvVar v = new EnvVar(name, value);
    v.setValueFrom(new EnvVarSource(new SecretKeySelector("db", "password")));
    assertProblem(AdmissionChecks.env(List.of(v)), problem);
  }

  @ParameterizedTest(name = "image {0}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "python:3.12-slim                              | -",
      "ubuntu                                        | -",
      "ghcr.io/acme/tools/add:1.2.3                  | -",
      "localhost:5000/add                            | -",
      "123456789012.dkr.ecr.us-east-1.amazonaws.com/add:v1 | -",
      "us-docker.pkg.dev/proj/repo/add@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef | -",
      "Python:3.12                                   | spec.worker.image: Invalid value: \"Python:3.12\": not an image reference",
      "my image                                      | not an image reference",
      "ubuntu:                                       | not an image reference",
      "-leading-dash                                 | not an image reference",
      "ubuntu:tag with space                         | not an image reference",
      "repo@sha256:abc                               | not an image reference",
      "https://ghcr.io/acme/add                      | not an image reference"})
  void imageReferences(String image, String problem) {
    assertProblem(AdmissionChecks.image(image.strip()), problem);
  }

  @ParameterizedTest(name = "maxRuntime {0}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "1s   | -",
      "1h30m | -",
      "0s   | spec.worker.maxRuntime: Invalid value: \"0s\": must be longer than 0",
      "0m   | must be longer than 0"})
  void maxRuntime(String value, String problem) {
    assertProblem(AdmissionChecks.maxRuntime(value), problem);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "aws | us-east-1      | -",
      "aws | eu-central-2   | -",
      "aws | us-gov-west-1  | -",
      "aws | us-east        | spec.region: Invalid value: \"us-east\": not a region name of provider aws",
      "aws | US-EAST-1      | not a region name of provider aws",
      "aws | us-central1    | not a region name of provider aws",
      "gcp | us-central1    | -",
      "gcp | europe-west4   | -",
      "gcp | us-central-1   | spec.region: Invalid value: \"us-central-1\": not a region name of provider gcp",
      "local | anything     | -"})
  void regionShapes(String provider, String region, String problem) {
    assertProblem(AdmissionChecks.regionShape(provider, region), problem);
  }

  @ParameterizedTest(name = "catalog with zones {0}, price {1}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "true  | 0.1 | -",
      "false | 0.1 | -",
      "true  | -   | -",
      "false | -   | spec.region: Invalid value: \"us-esat-1\": aws has no such region"})
  void aRegionTheCatalogDoesNotKnowIsARegionProblem(boolean zones, Double price, String problem) {
    InstanceType type = new InstanceType("m5.large", 2, 8, Architecture.X86_64, 0, 0, null, false, true,
        zones ? List.of("us-esat-1a") : List.of(), price, Map.of(), PriceSource.SNAPSHOT, false);
    assertProblem(AdmissionChecks.regionKnown("aws", "us-esat-1",
        new InstanceCatalog("aws", "us-esat-1", List.of(type), Instant.EPOCH)), problem);
  }

  @ParameterizedTest(name = "{0} and {1}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "a-b | a_b | spec.tasks.generate.parameters.a_b: Duplicate value: \"a_b\" and \"a-b\" both become TASK_ARG_A_B",
      "x   | X   | both become TASK_ARG_X",
      "a.b | a_b | both become TASK_ARG_A_B",
      "x   | y   | -"})
  void generatedParameterNamesMustStayDistinctAsVariables(String first, String second, String problem) {
    var range = new dev.taskjob.crds.v1alpha1.shared.ParameterRange();
    range.setFrom(1.0);
    range.setTo(2.0);
    var generate = new dev.taskjob.crds.v1alpha1.shared.GenerateSpec();
    generate.setParameters(Map.of(first, range, second, range));
    assertProblem(AdmissionChecks.parameterNames(generate), problem);
  }

  @ParameterizedTest(name = "maxMemoryPerTask {0} with {1} tasks on 8 GiB")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "-     | 2 | -",
      "4Gi   | 2 | -",
      "4096Mi| 2 | -",
      "512Mi | 8 | -",
      "4.1Gi | 2 | spec.worker.maxMemoryPerTask: 4.1Gi is more than the 4 GiB of one task slot on m6i.large (8 GiB, 2 tasks at once)",
      "2Gi   | 8 | spec.worker.maxMemoryPerTask: 2Gi is more than the 1 GiB of one task slot on m6i.large (8 GiB, 8 tasks at once)",
      "3Gi   | 3 | spec.worker.maxMemoryPerTask: 3Gi is more than the 2.67 GiB of one task slot",
      "0Mi   | 2 | spec.worker.maxMemoryPerTask: '0Mi' must be more than 0 bytes"})
  void aMemoryLimitFitsOneTaskSlotOfTheChosenType(String quantity, int slots, String problem) {
    InstanceType type = new InstanceType("m6i.large", 2, 8, Architecture.X86_64, 0, 0, null, false, true,
        List.of("us-east-1a"), 0.096, Map.of(), PriceSource.SNAPSHOT, false);
    Candidate best = new Candidate(type, false, new VmPrice(0.096, 20, 0), null, slots, 0.096 / slots, 0, 0, 20, PriceSource.SNAPSHOT);
    assertProblem(AdmissionChecks.maxMemoryPerTask(quantity, best), problem);
  }

  private static void assertProblem(Optional<Invalid> result, String problem) {
    if (problem == null) {
      assertThat(result).isEmpty();
    } else {
      assertThat(result).hasValueSatisfying(invalid -> {
        assertThat(invalid.message()).contains(problem);
        assertThat(invalid.message()).startsWith(invalid.field() + ":");
      });
    }
  }
}
