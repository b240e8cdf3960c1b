package dev.taskjob.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskjob.core.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code taskjob} launcher as a user runs it (its own JVM, through {@code main}): logs go to stderr, so
 * what a command prints on stdout can be piped into another program.
 */
class MachineOutputTest {

  /** Cloud SDK clients: AWS's generated Default*Client classes, Compute Engine's and Cloud Billing's clients. */
  private static final java.util.regex.Pattern CLOUD_CLIENT = java.util.regex.Pattern.compile(
      "(software\\.amazon\\.awssdk\\.services\\.\\w+\\.Default\\w+Client|com\\.google\\.cloud\\.(compute|billing)\\.v1\\.\\w+Client)\\b");

  @Test
  void offlineInstanceTypesBuildsNoCloudClient(@TempDir Path dir) throws Exception {
    List<String> offlineAws = loadedCloudClients(dir.resolve("aws.log"), "--provider", "aws", "--region", "us-east-1",
        "--offline");
    List<String> offlineGcp = loadedCloudClients(dir.resolve("gcp.log"), "--provider", "gcp", "--region",
        "us-central1", "--project", "some-project", "--offline");
    List<String> online = loadedCloudClients(dir.resolve("online.log"), "--provider", "aws", "--region", "us-east-1",
        "--endpoint", "http://127.0.0.1:9");

    assertThat(offlineAws).isEmpty();
    assertThat(offlineGcp).isEmpty();
    assertThat(online).as("the same check sees the clients a cloud lookup builds").isNotEmpty();
  }

  /** Runs {@code taskjob instance-types ARGS} in its own JVM and returns the cloud client classes it loaded. */
  private static List<String> loadedCloudClients(Path classLog, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-Xlog:class+load=info:file=" + classLog, "-cp", System.getProperty("java.class.path"),
        TaskjobCli.class.getName(), "instance-types"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.startsWith("AWS_") || name.startsWith("GOOGLE_"));
    builder.environment().put("AWS_EC2_METADATA_DISABLED", "true");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return Files.readAllLines(classLog).stream().map(CLOUD_CLIENT::matcher).filter(java.util.regex.Matcher::find)
        .map(m -> m.group(1)).distinct().toList();
  }

  @Test
  void instanceTypesJsonWithoutCloudCredentialsParsesAsJson(@TempDir Path home) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        TaskjobCli.class.getName(), "instance-types", "--provider", "aws", "--region", "us-east-1",
        "--endpoint", "http://127.0.0.1:9", "--min-cpu", "2", "--max-cpu", "4", "-o", "json");
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("AWS_"));
    env.put("HOME", home.toString());
    env.put("AWS_CONFIG_FILE", home.resolve("no-config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", home.resolve("no-credentials").toString());
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    Path stderr = home.resolve("stderr.txt");
    Process process = builder.redirectError(stderr.toFile()).start();
    byte[] stdout = process.getInputStream().readAllBytes();

    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(Files.readString(stderr)).isZero();
    JsonNode json = Json.MAPPER.readTree(new String(stdout, StandardCharsets.UTF_8));
    assertThat(json.path("provider").asText()).isEqualTo("aws");
    assertThat(json.path("prices").asText()).contains("the aws APIs could not be reached");
    assertThat(json.path("candidates")).isNotEmpty();
    assertThat(List.of(json.path("selected").asText())).doesNotContain("");
  }
}
