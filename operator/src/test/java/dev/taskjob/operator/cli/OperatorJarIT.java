package dev.taskjob.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two packaged jars: {@code target/taskjob-operator.jar}, which the operator image runs, holds no test
 * infrastructure (fabric8's mock server, its Vert.x server), no local mode and no local provider, and still runs
 * the operator command; {@code target/taskjob.jar}, the CLI, keeps all of them. Run by failsafe after
 * {@code package}: {@code mvn -pl operator -am verify -Dit.test=OperatorJarIT -Dtest=none
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class OperatorJarIT {

  private static final long BOUND_SECONDS = 120;
  private static final List<String> LEFT_OUT = List.of("io/fabric8/mockwebserver/", "okhttp3/mockwebserver/",
      "io/fabric8/kubernetes/client/server/mock/", "io/vertx/", "dev/taskjob/operator/local/",
      "dev/taskjob/provider/local/", "dev/taskjob/operator/cli/LocalCommand");

  @TempDir Path dir;

  @Test
  void theOperatorJarHasNoTestInfrastructureNoLocalModeAndNoLocalProvider() throws IOException {
    List<String> entries = entries(jar("taskjob.operator.jar"));
    for (String prefix : LEFT_OUT) {
      assertThat(entries).as("entries under %s", prefix).noneMatch(e -> e.startsWith(prefix));
    }
    assertThat(entries).contains("dev/taskjob/operator/cli/OperatorCommand.class",
        "dev/taskjob/operator/progress/JobSummary.class", "dev/taskjob/provider/aws/AwsProviderModule.class");
    try (JarFile jar = new JarFile(jar("taskjob.operator.jar").toFile())) {
      ZipEntry services = jar.getEntry("META-INF/services/dev.taskjob.core.cloud.ProviderModule");
      String modules = new String(jar.getInputStream(services).readAllBytes(), StandardCharsets.UTF_8);
      assertThat(modules).contains("aws", "gcp").doesNotContain("dev.taskjob.provider.local");
    }
  }

  @Test
  void theCliJarKeepsLocalMode() throws IOException {
    List<String> entries = entries(jar("taskjob.cli.jar"));
    for (String prefix : LEFT_OUT.subList(2, LEFT_OUT.size())) {
      assertThat(entries).as("entries under %s", prefix).anyMatch(e -> e.startsWith(prefix));
    }
  }

  @Test
  void theOperatorJarRunsTheOperatorCommand() throws Exception {
    Run help = run("taskjob.operator.jar", "operator", "--help");
    assertThat(help.exitCode()).as(help.toString()).isZero();
    assertThat(help.stdout()).contains("Usage: taskjob operator", "--allow-local-provider");
    assertThat(help.stderr()).as("no warning such as a second HTTP client's").isEmpty();

    Run top = run("taskjob.operator.jar", "--help");
    assertThat(top.exitCode()).as(top.toString()).isZero();
    assertThat(top.stdout()).contains("operator", "status", "vms").doesNotContain("  local ");
  }

  @Test
  void theOperatorJarRefusesTheLocalProviderWithTheReason() throws Exception {
    Run refused = run("taskjob.operator.jar", "operator", "--allow-local-provider", "--no-leader-election");
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
    assertThat(refused.stderr()).contains(OperatorCommand.LOCAL_PROVIDER_MISSING);

    Run local = run("taskjob.operator.jar", "local", "job.yaml");
    assertThat(local.exitCode()).as(local.toString()).isEqualTo(2);
  }

  @Test
  void theCliJarStillRunsLocalMode() throws Exception {
    Run help = run("taskjob.cli.jar", "local", "--help");
    assertThat(help.exitCode()).as(help.toString()).isZero();
    assertThat(help.stdout()).contains("Usage: taskjob local");
  }

  private static Path jar(String property) {
    Path jar = Path.of(System.getProperty(property, "target/missing.jar"));
    assertThat(jar).as("%s; run this test with failsafe after package", property).isRegularFile();
    return jar;
  }

  private static List<String> entries(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      return Collections.list(file.entries()).stream().map(ZipEntry::getName).toList();
    }
  }

  private record Run(int exitCode, String stdout, String stderr) {}

  private Run run(String jarProperty, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar(jarProperty).toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process process = new ProcessBuilder(command).directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      assertThat(process.waitFor(BOUND_SECONDS, TimeUnit.SECONDS)).as("%s exits", command).isTrue();
    } finally {
      process.destroyForcibly();
    }
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }
}
