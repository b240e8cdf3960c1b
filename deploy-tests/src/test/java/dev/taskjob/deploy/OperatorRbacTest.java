package dev.taskjob.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The RBAC of every install, as rendered by {@code kubectl kustomize}, against what the operator's code
 * uses ({@link dev.taskjob.operator.RbacRequirements}): nothing missing, nothing more, nowhere else. A
 * cluster-wide install is checked together with {@code deploy/tenant}, which enables one namespace.
 */
class OperatorRbacTest {

  private static final Set<String> WRITE_VERBS = Set.of("create", "update", "patch", "delete", "deletecollection");

  static List<String> installs() {
    return Installs.all();
  }

  static List<String> clusterWideInstalls() {
    return Installs.clusterWide();
  }

  /** The namespace deploy/tenant enables. */
  private static String tenantNamespace() {
    return Kustomize.render(Installs.TENANT).only("RoleBinding").at("/metadata/namespace").asText();
  }

  @ParameterizedTest
  @MethodSource("installs")
  void grantsTheOperatorExactlyTheAccessItsCodeUses(String install) {
    Set<Grant> granted = OperatorGrants.of(Installs.withOneTenant(install)).stream()
        .map(Grant::unscoped)
        .collect(Collectors.toCollection(LinkedHashSet::new));

    assertSameGrants(install, granted, RequiredAccess.unscoped());
  }

  @ParameterizedTest
  @MethodSource("installs")
  void grantsEachPermissionOnlyWhereItIsNeeded(String install) {
    Rendered render = Installs.withOneTenant(install);
    String operatorNamespace = OperatorGrants.operatorNamespace(render);
    boolean namespaced = install.equals(Installs.NAMESPACED);
    String watched = namespaced ? operatorNamespace : null;
    String tenant = namespaced ? operatorNamespace : tenantNamespace();

    assertSameGrants(install, new LinkedHashSet<>(OperatorGrants.of(render)),
        RequiredAccess.scoped(watched, tenant, operatorNamespace));
  }

  /**
   * Whoever can run code as the operator (a bug, a compromised image) holds its token: it must not read
   * Secrets or write ConfigMaps across the cluster (kube-system's tokens, EKS's aws-auth ConfigMap), and
   * nothing may reach them before an admin enables a namespace.
   */
  @ParameterizedTest
  @MethodSource("clusterWideInstalls")
  void readsSecretsAndWritesConfigMapsOnlyInNamespacesAnAdminEnabled(String install) {
    List<Grant> beforeEnabling = OperatorGrants.of(Kustomize.render(install)).stream()
        .filter(RbacTestSupport::touchesTenantData).toList();
    List<Grant> afterEnabling = OperatorGrants.of(Installs.withOneTenant(install)).stream()
        .filter(RbacTestSupport::touchesTenantData).toList();

    assertThat(beforeEnabling).as("%s alone: ConfigMap or Secret access", install).isEmpty();
    assertThat(afterEnabling).as("%s + %s", install, Installs.TENANT).isNotEmpty()
        .allSatisfy(g -> assertThat(g.namespace()).as(g.toString()).isEqualTo(tenantNamespace()));
  }

  @ParameterizedTest
  @MethodSource("installs")
  void grantsNoWayToEscalate(String install) {
    List<Grant> escalating = OperatorGrants.of(Installs.withOneTenant(install)).stream()
        .filter(RbacTestSupport::escalates).toList();

    assertThat(escalating).as("%s: grants that lead to more access", install).isEmpty();
  }

  @Test
  void enablingANamespaceBindsOnlyTheTenantRoleThere() {
    Rendered tenant = Kustomize.render(Installs.TENANT);
    JsonNode binding = tenant.only("RoleBinding");

    assertThat(tenant.objects()).hasSize(1);
    assertThat(binding.at("/roleRef/kind").asText() + "/" + binding.at("/roleRef/name").asText())
        .isEqualTo("ClusterRole/taskjob-operator-tenant");
    assertThat(binding.at("/subjects/0/namespace").asText())
        .isEqualTo(OperatorGrants.operatorNamespace(Kustomize.render(Installs.BASE)));
    assertThat(binding.at("/metadata/namespace").asText()).isNotEqualTo("kube-system");
  }

  @ParameterizedTest
  @MethodSource("installs")
  void userRolesGrantOnlyTaskJobKindsAndNeverTheirStatus(String install) {
    Rendered render = Kustomize.render(install);
    List<String> beyond = new ArrayList<>();
    for (String name : List.of("taskjob-view", "taskjob-edit")) {
      for (JsonNode rule : render.get("ClusterRole", name).path("rules")) {
        texts(rule.path("apiGroups")).stream().filter(g -> !g.equals("taskjob.dev"))
            .forEach(g -> beyond.add(name + ": group " + g));
        if (name.equals("taskjob-edit")) {
          texts(rule.path("resources")).stream().filter(r -> r.contains("/"))
              .forEach(r -> beyond.add(name + ": " + r));
        }
      }
    }
    assertThat(beyond).as("%s: access a namespace user gains beyond TaskJobs and InstancePools", install).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("installs")
  void noRoleUsesWildcards(String install) {
    List<String> wildcards = new ArrayList<>();
    for (JsonNode role : roles(Installs.withOneTenant(install))) {
      for (JsonNode rule : role.path("rules")) {
        for (String field : List.of("apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs")) {
          for (JsonNode value : rule.path(field)) {
            if (value.asText().contains("*")) {
              wildcards.add(role.path("metadata").path("name").asText() + " " + field + ": " + value.asText());
            }
          }
        }
      }
    }
    assertThat(wildcards).as("%s: wildcard rules", install).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("installs")
  void noRoleMayChangeCustomResourceDefinitions(String install) {
    List<String> crdWrites = new ArrayList<>();
    for (JsonNode role : roles(Installs.withOneTenant(install))) {
      for (JsonNode rule : role.path("rules")) {
        boolean apiextensions = contains(rule.path("apiGroups"), "apiextensions.k8s.io");
        boolean crds = contains(rule.path("resources"), "customresourcedefinitions");
        for (JsonNode verb : rule.path("verbs")) {
          if (apiextensions && crds && WRITE_VERBS.contains(verb.asText())) {
            crdWrites.add(role.path("metadata").path("name").asText() + ": " + verb.asText());
          }
        }
      }
    }
    assertThat(crdWrites).as("%s: write access to CustomResourceDefinitions", install).isEmpty();
  }

  @Test
  void namespacedInstallBindsNoClusterRoleButTheClusterIdReader() {
    Rendered render = Kustomize.render(Installs.NAMESPACED);

    assertThat(render.ofKind("ClusterRoleBinding"))
        .extracting(b -> b.at("/roleRef/name").asText())
        .containsExactly("taskjob-operator-cluster-id");
  }

  @Test
  void namespacedInstallWatchesTheNamespaceItRunsIn() {
    JsonNode operator = Workloads.operatorContainer(Kustomize.render(Installs.NAMESPACED));
    JsonNode watchNamespace = Workloads.env(operator, "TASKJOB_WATCH_NAMESPACES")
        .orElseThrow(() -> new AssertionError("the namespaced Deployment does not set TASKJOB_WATCH_NAMESPACES"));

    assertThat(watchNamespace.at("/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("metadata.namespace");
  }

  @Test
  void usersWithEditInANamespaceMayRunTaskJobs() {
    Rendered render = Kustomize.render(Installs.BASE);
    JsonNode edit = render.get("ClusterRole", "taskjob-edit");
    JsonNode view = render.get("ClusterRole", "taskjob-view");

    assertThat(edit.at("/metadata/labels/rbac.authorization.k8s.io~1aggregate-to-edit").asText()).isEqualTo("true");
    assertThat(view.at("/metadata/labels/rbac.authorization.k8s.io~1aggregate-to-view").asText()).isEqualTo("true");
    assertThat(texts(edit.at("/rules/0/verbs"))).contains("create", "delete");
    assertThat(texts(edit.at("/rules/0/resources"))).contains("taskjobs");
  }

  private static void assertSameGrants(String install, Set<Grant> granted, Set<Grant> required) {
    Set<Grant> missing = new LinkedHashSet<>(required);
    missing.removeAll(granted);
    Set<Grant> unused = new LinkedHashSet<>(granted);
    unused.removeAll(required);

    assertThat(missing).as("%s: access RbacRequirements lists but the install does not grant", install).isEmpty();
    assertThat(unused).as("%s: access granted that RbacRequirements does not list", install).isEmpty();
  }

  private static List<JsonNode> roles(Rendered render) {
    List<JsonNode> roles = new ArrayList<>(render.ofKind("ClusterRole"));
    roles.addAll(render.ofKind("Role"));
    return roles;
  }

  private static boolean contains(JsonNode array, String value) {
    return texts(array).contains(value);
  }

  private static List<String> texts(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }
}
