package dev.taskjob.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The Pod Security Standard "restricted" (which includes "baseline"), as the Kubernetes Pod Security
 * admission controller checks it at version "latest": each check here names the control it enforces.
 * Run against the rendered pod template, so it sees what the API server would.
 */
final class PodSecurity {

  private static final Set<String> RESTRICTED_VOLUME_TYPES = Set.of(
      "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret");
  private static final Set<String> SAFE_SYSCTLS = Set.of(
      "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
      "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
      "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
      "net.ipv4.tcp_keepalive_probes");
  private static final Set<String> SELINUX_TYPES = Set.of(
      "", "container_t", "container_init_t", "container_kvm_t", "container_engine_t");
  private static final Set<String> SECCOMP_ALLOWED = Set.of("RuntimeDefault", "Localhost");

  private PodSecurity() {}

  /** Violations of "restricted" by a pod template ({metadata, spec}); empty when it complies. */
  static List<String> restrictedViolations(JsonNode podTemplate) {
    JsonNode pod = podTemplate.path("spec");
    JsonNode podContext = pod.path("securityContext");
    List<JsonNode> containers = Workloads.containers(pod);
    List<String> violations = new ArrayList<>();

    for (String hostNamespace : List.of("hostNetwork", "hostPID", "hostIPC")) {
      if (pod.path(hostNamespace).asBoolean(false)) {
        violations.add("host namespaces: " + hostNamespace + " is true");
      }
    }
    if (podContext.at("/windowsOptions/hostProcess").asBoolean(false)) {
      violations.add("HostProcess: the pod sets windowsOptions.hostProcess");
    }
    for (JsonNode volume : pod.path("volumes")) {
      for (Iterator<String> fields = volume.fieldNames(); fields.hasNext(); ) {
        String field = fields.next();
        if (!field.equals("name") && !RESTRICTED_VOLUME_TYPES.contains(field)) {
          violations.add("volume types: volume " + volume.path("name").asText() + " is of type " + field);
        }
      }
    }
    for (JsonNode sysctl : podContext.path("sysctls")) {
      if (!SAFE_SYSCTLS.contains(sysctl.path("name").asText())) {
        violations.add("sysctls: " + sysctl.path("name").asText() + " is not a safe sysctl");
      }
    }
    checkSeLinux("pod", podContext, violations);
    checkAppArmor("pod", podContext, violations);
    podTemplate.path("metadata").path("annotations").fields().forEachRemaining(annotation -> {
      if (annotation.getKey().startsWith("container.apparmor.security.beta.kubernetes.io/")
          && annotation.getValue().asText().equals("unconfined")) {
        violations.add("AppArmor: " + annotation.getKey() + " is unconfined");
      }
    });
    if (podContext.path("runAsUser").isNumber() && podContext.path("runAsUser").asLong() == 0) {
      violations.add("running as non-root user: the pod sets runAsUser 0");
    }
    String podSeccomp = podContext.at("/seccompProfile/type").asText("");
    if (!podSeccomp.isEmpty() && !SECCOMP_ALLOWED.contains(podSeccomp)) {
      violations.add("seccomp: the pod's profile is " + podSeccomp);
    }
    boolean podRunAsNonRoot = podContext.path("runAsNonRoot").asBoolean(false);

    for (JsonNode container : containers) {
      String name = "container " + container.path("name").asText();
      JsonNode context = container.path("securityContext");
      if (context.path("privileged").asBoolean(false)) {
        violations.add("privileged containers: " + name + " is privileged");
      }
      if (context.at("/windowsOptions/hostProcess").asBoolean(false)) {
        violations.add("HostProcess: " + name + " sets windowsOptions.hostProcess");
      }
      for (JsonNode port : container.path("ports")) {
        if (port.path("hostPort").asInt(0) != 0) {
          violations.add("host ports: " + name + " uses hostPort " + port.path("hostPort").asInt());
        }
      }
      String procMount = context.path("procMount").asText("Default");
      if (!procMount.equals("Default")) {
        violations.add("/proc mount type: " + name + " uses " + procMount);
      }
      checkSeLinux(name, context, violations);
      checkAppArmor(name, context, violations);
      if (!context.path("allowPrivilegeEscalation").isBoolean() || context.path("allowPrivilegeEscalation").asBoolean()) {
        violations.add("privilege escalation: " + name + " does not set allowPrivilegeEscalation: false");
      }
      JsonNode runAsNonRoot = context.path("runAsNonRoot");
      if (runAsNonRoot.isBoolean() ? !runAsNonRoot.asBoolean() : !podRunAsNonRoot) {
        violations.add("running as non-root: " + name + " may run as root (runAsNonRoot is not true)");
      }
      if (context.path("runAsUser").isNumber() && context.path("runAsUser").asLong() == 0) {
        violations.add("running as non-root user: " + name + " sets runAsUser 0");
      }
      String seccomp = context.at("/seccompProfile/type").asText(podSeccomp);
      if (!SECCOMP_ALLOWED.contains(seccomp)) {
        violations.add("seccomp: " + name + " has no RuntimeDefault or Localhost profile (" + seccomp + ")");
      }
      List<String> dropped = new ArrayList<>();
      context.at("/capabilities/drop").forEach(c -> dropped.add(c.asText()));
      if (!dropped.contains("ALL")) {
        violations.add("capabilities: " + name + " does not drop ALL");
      }
      for (JsonNode added : context.at("/capabilities/add")) {
        if (!added.asText().equals("NET_BIND_SERVICE")) {
          violations.add("capabilities: " + name + " adds " + added.asText());
        }
      }
    }
    return violations;
  }

  private static void checkSeLinux(String where, JsonNode context, List<String> violations) {
    JsonNode options = context.path("seLinuxOptions");
    if (!SELINUX_TYPES.contains(options.path("type").asText(""))) {
      violations.add("SELinux: " + where + " sets type " + options.path("type").asText());
    }
    for (String field : List.of("user", "role")) {
      if (!options.path(field).asText("").isEmpty()) {
        violations.add("SELinux: " + where + " sets " + field);
      }
    }
  }

  private static void checkAppArmor(String where, JsonNode context, List<String> violations) {
    if (context.at("/appArmorProfile/type").asText("").equals("Unconfined")) {
      violations.add("AppArmor: " + where + " is Unconfined");
    }
  }
}
