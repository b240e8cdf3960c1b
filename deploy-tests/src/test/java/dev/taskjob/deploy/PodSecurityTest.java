package dev.taskjob.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The "restricted" checker flags each control it claims to check (so a pass means something). */
class PodSecurityTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String COMPLIANT = """
      {"metadata": {"annotations": {}},
       "spec": {
         "securityContext": {"runAsNonRoot": true, "runAsUser": 65532, "seccompProfile": {"type": "RuntimeDefault"}},
         "volumes": [{"name": "tmp", "emptyDir": {}}],
         "containers": [{
           "name": "app",
           "ports": [{"containerPort": 8080}],
           "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]}}
      """;

  static Stream<Arguments> violations() {
    return Stream.of(
        Arguments.of("host namespaces", (Consumer<ObjectNode>) p -> spec(p).put("hostNetwork", true)),
        Arguments.of("host namespaces", (Consumer<ObjectNode>) p -> spec(p).put("hostPID", true)),
        Arguments.of("privileged containers", (Consumer<ObjectNode>) p -> context(p).put("privileged", true)),
        Arguments.of("capabilities", (Consumer<ObjectNode>) p -> context(p).putObject("capabilities").putArray("drop")),
        Arguments.of("capabilities",
            (Consumer<ObjectNode>) p -> ((ObjectNode) context(p).path("capabilities")).putArray("add").add("SYS_ADMIN")),
        Arguments.of("volume types",
            (Consumer<ObjectNode>) p -> spec(p).withArray("volumes").addObject().put("name", "h")
                .putObject("hostPath").put("path", "/")),
        Arguments.of("host ports",
            (Consumer<ObjectNode>) p -> ((ObjectNode) container(p).path("ports").get(0)).put("hostPort", 80)),
        Arguments.of("privilege escalation", (Consumer<ObjectNode>) p -> context(p).remove("allowPrivilegeEscalation")),
        Arguments.of("running as non-root", (Consumer<ObjectNode>) p -> context(p).put("runAsNonRoot", false)),
        Arguments.of("running as non-root", (Consumer<ObjectNode>) p -> podContext(p).remove("runAsNonRoot")),
        Arguments.of("running as non-root user", (Consumer<ObjectNode>) p -> context(p).put("runAsUser", 0)),
        Arguments.of("seccomp",
            (Consumer<ObjectNode>) p -> podContext(p).putObject("seccompProfile").put("type", "Unconfined")),
        Arguments.of("seccomp", (Consumer<ObjectNode>) p -> podContext(p).remove("seccompProfile")),
        Arguments.of("/proc mount type", (Consumer<ObjectNode>) p -> context(p).put("procMount", "Unmasked")),
        Arguments.of("sysctls",
            (Consumer<ObjectNode>) p -> podContext(p).putArray("sysctls").addObject().put("name", "kernel.msgmax")),
        Arguments.of("AppArmor",
            (Consumer<ObjectNode>) p -> context(p).putObject("appArmorProfile").put("type", "Unconfined")),
        Arguments.of("SELinux",
            (Consumer<ObjectNode>) p -> context(p).putObject("seLinuxOptions").put("type", "spc_t")),
        Arguments.of("HostProcess",
            (Consumer<ObjectNode>) p -> context(p).putObject("windowsOptions").put("hostProcess", true)));
  }

  @Test
  void compliantPodHasNoViolations() throws Exception {
    assertThat(PodSecurity.restrictedViolations(JSON.readTree(COMPLIANT))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("violations")
  void flagsEachRestrictedControl(String control, Consumer<ObjectNode> breakIt) throws Exception {
    ObjectNode pod = (ObjectNode) JSON.readTree(COMPLIANT);
    breakIt.accept(pod);

    assertThat(PodSecurity.restrictedViolations(pod)).anySatisfy(v -> assertThat(v).startsWith(control + ":"));
  }

  private static ObjectNode spec(ObjectNode pod) {
    return (ObjectNode) pod.path("spec");
  }

  private static ObjectNode podContext(ObjectNode pod) {
    return (ObjectNode) spec(pod).path("securityContext");
  }

  private static ObjectNode container(ObjectNode pod) {
    return (ObjectNode) spec(pod).path("containers").get(0);
  }

  private static ObjectNode context(ObjectNode pod) {
    JsonNode context = container(pod).path("securityContext");
    return (ObjectNode) context;
  }
}
