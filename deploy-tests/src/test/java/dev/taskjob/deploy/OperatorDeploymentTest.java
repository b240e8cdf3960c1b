package dev.taskjob.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.taskjob.operator.cli.TaskjobCli;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The operator's Deployment and metrics Service in every install, as rendered. */
class OperatorDeploymentTest {

  static List<String> installs() {
    return Installs.all();
  }

  @ParameterizedTest
  @MethodSource("installs")
  void meetsTheRestrictedPodSecurityStandard(String install) {
    JsonNode template = Kustomize.render(install).only("Deployment").path("spec").path("template");

    assertThat(PodSecurity.restrictedViolations(template)).as(install).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("installs")
  void namespaceEnforcesTheRestrictedStandard(String install) {
    JsonNode namespace = Kustomize.render(install).only("Namespace");

    assertThat(namespace.at("/metadata/labels/pod-security.kubernetes.io~1enforce").asText()).isEqualTo("restricted");
  }

  @ParameterizedTest
  @MethodSource("installs")
  void rootFilesystemIsReadOnlyAndTmpIsAWritableEmptyDir(String install) {
    Rendered render = Kustomize.render(install);
    JsonNode container = Workloads.operatorContainer(render);
    JsonNode tmpMount = null;
    for (JsonNode mount : container.path("volumeMounts")) {
      if (mount.path("mountPath").asText().equals("/tmp")) {
        tmpMount = mount;
      }
    }

    assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(tmpMount).as("a volume mounted at /tmp").isNotNull();
    assertThat(tmpMount.path("readOnly").asBoolean(false)).isFalse();
    String volumeName = tmpMount.path("name").asText();
    JsonNode volume = null;
    for (JsonNode v : Workloads.podSpec(render.only("Deployment")).path("volumes")) {
      if (v.path("name").asText().equals(volumeName)) {
        volume = v;
      }
    }
    assertThat(volume).isNotNull();
    assertThat(volume.has("emptyDir")).as("/tmp is an emptyDir").isTrue();
  }

  @ParameterizedTest
  @MethodSource("installs")
  void runsOneReplicaWithLeaderElection(String install) {
    Rendered render = Kustomize.render(install);

    assertThat(render.only("Deployment").at("/spec/replicas").asInt()).isEqualTo(1);
    assertThat(Workloads.args(Workloads.operatorContainer(render))).startsWith("operator").contains("--leader-election");
  }

  @ParameterizedTest
  @MethodSource("installs")
  void argumentsAreAcceptedByTheOperatorCommand(String install) {
    JsonNode container = Workloads.operatorContainer(Kustomize.render(install));

    CommandLine.ParseResult parsed = TaskjobCli.commandLine().parseArgs(Workloads.args(container).toArray(String[]::new));

    assertThat(parsed.subcommand()).as("a subcommand").isNotNull();
    assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("operator");
    assertThat(parsed.subcommand().matchedOptionValue("--leader-election", false)).isTrue();
    assertThat(parsed.subcommand().matchedOptionValue("--metrics-port", 0)).isEqualTo(containerPort(container, "metrics"));
    assertThat(parsed.subcommand().matchedOptionValue("--health-port", 0)).isEqualTo(containerPort(container, "health"));
  }

  @ParameterizedTest
  @MethodSource("installs")
  void everyEnvironmentVariableIsOneTheOperatorReads(String install) {
    // Without interpolation the defaults read as declared, e.g. ${env:TASKJOB_WATCH_NAMESPACES}.
    CommandLine.Model.CommandSpec operator = TaskjobCli.commandLine().setInterpolateVariables(false)
        .getSubcommands().get("operator").getCommandSpec();
    List<String> read = new ArrayList<>();
    for (CommandLine.Model.OptionSpec option : operator.options()) {
      String defaultValue = option.defaultValue();
      if (defaultValue != null) {
        Matcher env = Pattern.compile("\\$\\{env:([A-Z0-9_]+)").matcher(defaultValue);
        while (env.find()) {
          read.add(env.group(1));
        }
      }
    }
    List<String> set = new ArrayList<>();
    Workloads.operatorContainer(Kustomize.render(install)).path("env").forEach(e -> set.add(e.path("name").asText()));

    assertThat(read).as("variables the operator command reads").containsAll(set);
  }

  @ParameterizedTest
  @MethodSource("installs")
  void probePathsAreTheOnesTheOperatorServes(String install) {
    JsonNode container = Workloads.operatorContainer(Kustomize.render(install));
    String description = String.join(" ",
        TaskjobCli.commandLine().getSubcommands().get("operator").getCommandSpec().usageMessage().description());

    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      assertThat(description).as("the operator command documents %s's path", probe)
          .contains(container.path(probe).at("/httpGet/path").asText());
    }
  }

  @ParameterizedTest
  @MethodSource("installs")
  void requestsAndLimitsCpuAndMemory(String install) {
    JsonNode resources = Workloads.operatorContainer(Kustomize.render(install)).path("resources");

    for (String resource : List.of("cpu", "memory")) {
      JsonNode request = resources.path("requests").path(resource);
      JsonNode limit = resources.path("limits").path(resource);
      assertThat(request.isMissingNode()).as("%s request", resource).isFalse();
      assertThat(limit.isMissingNode()).as("%s limit", resource).isFalse();
      assertThat(quantity(request.asText())).as("%s request <= limit", resource)
          .isLessThanOrEqualTo(quantity(limit.asText()));
    }
  }

  @ParameterizedTest
  @MethodSource("installs")
  void probesAskTheOperatorsHealthPort(String install) {
    JsonNode container = Workloads.operatorContainer(Kustomize.render(install));
    List<String> portNames = new ArrayList<>();
    container.path("ports").forEach(p -> portNames.add(p.path("name").asText()));

    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      JsonNode httpGet = container.path(probe).path("httpGet");
      assertThat(httpGet.path("path").asText()).as(probe + " path").startsWith("/");
      assertThat(portNames).as(probe + " port").contains(httpGet.path("port").asText());
    }
  }

  @ParameterizedTest
  @MethodSource("installs")
  void metricsServiceReachesTheMetricsPort(String install) {
    Rendered render = Kustomize.render(install);
    JsonNode service = render.only("Service");
    JsonNode podLabels = render.only("Deployment").at("/spec/template/metadata/labels");
    List<String> portNames = new ArrayList<>();
    Workloads.operatorContainer(render).path("ports").forEach(p -> portNames.add(p.path("name").asText()));

    service.path("spec").path("selector").fields().forEachRemaining(
        label -> assertThat(podLabels.path(label.getKey()).asText()).as("pod label " + label.getKey())
            .isEqualTo(label.getValue().asText()));
    assertThat(service.at("/spec/ports/0/name").asText()).isEqualTo("metrics");
    assertThat(portNames).contains(service.at("/spec/ports/0/targetPort").asText());
  }

  @Test
  void imageIsSetByAKustomizeImagesEntry() throws IOException {
    // An overlay of the user's, as `kustomize edit set image` writes it.
    Path overlay = Files.createDirectories(Kustomize.repoRoot().resolve("deploy-tests/target/image-override"));
    String base = overlay.relativize(Kustomize.repoRoot().resolve(Installs.BASE)).toString();
    Files.writeString(overlay.resolve("kustomization.yaml"), """
        resources:
          - %s
        images:
          - name: taskjob-operator
            newName: registry.internal/platform/taskjob-operator
            newTag: "1.2.3"
        """.formatted(base));

    JsonNode container = Workloads.operatorContainer(Kustomize.renderUncached(overlay));

    assertThat(container.path("image").asText()).isEqualTo("registry.internal/platform/taskjob-operator:1.2.3");
  }

  private static int containerPort(JsonNode container, String name) {
    for (JsonNode port : container.path("ports")) {
      if (port.path("name").asText().equals(name)) {
        return port.path("containerPort").asInt();
      }
    }
    throw new AssertionError("no container port named " + name);
  }

  /** Kubernetes quantities as used here: plain, milli (m), binary (Ki, Mi, Gi) and decimal (k, M, G). */
  static BigDecimal quantity(String text) {
    String[][] suffixes = {
        {"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"},
        {"m", "0.001"}, {"k", "1000"}, {"M", "1000000"}, {"G", "1000000000"}};
    for (String[] suffix : suffixes) {
      if (text.endsWith(suffix[0])) {
        return new BigDecimal(text.substring(0, text.length() - suffix[0].length())).multiply(new BigDecimal(suffix[1]));
      }
    }
    return new BigDecimal(text);
  }
}
