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
