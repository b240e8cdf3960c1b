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
 * uses ({@link dev.taskjob.operator.RbacRequirements}): nothing missing, nothing more, nowhere else.
 */
class OperatorRbacTest {

  private static final Set<String> WRITE_VERBS = Set.of("create", "update", "patch", "delete", "deletecollection");

  static List<String> installs() {
    return Installs.all();
  }

  @ParameterizedTest
  @MethodSource("installs")
  void grantsTheOperatorExactlyTheAccessItsCodeUses(String install) {
    Set<Grant> granted = OperatorGrants.of(Kustomize.render(install)).stream()
        .map(Grant::unscoped)
        .collect(Collectors.toCollection(LinkedHashSet::new));

    assertSameGrants(install, granted, RequiredAccess.unscoped());
  }

  @ParameterizedTest
  @MethodSource("installs")
  void grantsEachPermissionOnlyWhereItIsNeeded(String install) {
    Rendered render = Kustomize.render(install);
    String operatorNamespace = OperatorGrants.operatorNamespace(render);
    String watched = install.equals(Installs.NAMESPACED) ? operatorNamespace : null;

    assertSameGrants(install, new LinkedHashSet<>(OperatorGrants.of(render)),
        RequiredAccess.scoped(watched, operatorNamespace));
  }

  @ParameterizedTest
  @MethodSource("installs")
  void noRoleUsesWildcards(String install) {
    List<String> wildcards = new ArrayList<>();
    for (JsonNode role : roles(Kustomize.render(install))) {
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
    for (JsonNode role : roles(Kustomize.render(install))) {
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
