package dev.taskjob.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.operator.RbacRequirements;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Maps API requests onto RBAC terms; the end-to-end tests use it to check what the operator called. */
class RbacRequirementsTest {

  /** (group, resource[/subresource], verb) of a request, as RBAC sees it. */
  record Access(String group, String resource, String verb) {
    @Override
    public String toString() {
      return (group.isEmpty() ? "core" : group) + " " + resource + " " + verb;
    }
  }

  static Access access(RecordingDispatcher.Request r) {
    String path = r.path();
    String query = path.contains("?") ? path.substring(path.indexOf('?') + 1) : "";
    path = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    String[] p = path.replaceFirst("^/", "").split("/");
    int i;
    String group;
    if (p[0].equals("api")) {
      group = "";
      i = 2;
    } else {
      group = p[1];
      i = 3;
    }
    if (i < p.length && p[i].equals("namespaces") && i + 2 < p.length) {
      i += 2; // namespaced: namespaces/NS/RESOURCE
    }
    String resource = p[i];
    String name = i + 1 < p.length ? p[i + 1] : null;
    String sub = i + 2 < p.length ? p[i + 2] : null;
    String verb = switch (r.method()) {
      case "GET" -> name != null ? "get" : query.contains("watch=true") ? "watch" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> name != null ? "delete" : "deletecollection";
      default -> r.method().toLowerCase();
    };
    return new Access(group, sub == null ? resource : resource + "/" + sub, verb);
  }

  /** Accesses the requests needed that RbacRequirements does not grant (empty when it is complete). */
  static Set<Access> notGranted(Iterable<RecordingDispatcher.Request> requests) {
    Set<Access> missing = new TreeSet<>(java.util.Comparator.comparing(Access::toString));
    for (RecordingDispatcher.Request r : requests) {
      Access a = access(r);
      if (!RbacRequirements.allows(a.group(), a.resource(), a.verb())) {
        missing.add(a);
      }
    }
    return missing;
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', textBlock = """
      GET    | /apis/taskjob.dev/v1alpha1/taskjobs?resourceVersion=0                         | taskjob.dev | taskjobs              | list
      GET    | /apis/taskjob.dev/v1alpha1/taskjobs?watch=true&resourceVersion=5              | taskjob.dev | taskjobs              | watch
      PATCH  | /apis/taskjob.dev/v1alpha1/namespaces/default/taskjobs/j/status               | taskjob.dev | taskjobs/status       | patch
      POST   | /api/v1/namespaces/default/events                                            |             | events                | create
      GET    | /api/v1/namespaces/default/configmaps/tasks                                  |             | configmaps            | get
      GET    | /api/v1/namespaces/kube-system                                               |             | namespaces            | get
      PUT    | /apis/coordination.k8s.io/v1/namespaces/default/leases/taskjob-operator       | coordination.k8s.io | leases       | update
      """)
  void mapsRequestsToRbacTerms(String method, String path, String group, String resource, String verb) {
    assertThat(access(new RecordingDispatcher.Request("ua", method.trim(), path.trim())))
        .isEqualTo(new Access(group == null ? "" : group.trim(), resource.trim(), verb.trim()));
  }

  /**
   * Where each access is granted: ConfigMaps and Secrets only in namespaces enabled for TaskJobs
   * (TENANT), never with the cluster-wide rules; deploy/ binds each list in its own scope.
   */
  @ParameterizedTest(name = "{1} {2}: {3}")
  @CsvSource(delimiter = '|', textBlock = """
      taskjob.dev         | taskjobs             | patch  | RULES
      taskjob.dev         | instancepools        | create | RULES
      ''                  | events               | create | RULES
      ''                  | configmaps           | patch  | TENANT
      ''                  | secrets              | get    | TENANT
      ''                  | namespaces           | get    | CLUSTER
      coordination.k8s.io | leases               | update | LEADER_ELECTION
      """)
  void grantsEachAccessInExactlyOneScope(String group, String resource, String verb, String scope) {
    var lists = java.util.Map.of("RULES", RbacRequirements.RULES, "TENANT", RbacRequirements.TENANT,
        "CLUSTER", RbacRequirements.CLUSTER, "LEADER_ELECTION", RbacRequirements.LEADER_ELECTION);
    Set<String> granting = new TreeSet<>();
    lists.forEach((name, rules) -> {
      if (rules.stream().anyMatch(r -> r.allows(group, resource, verb))) {
        granting.add(name);
      }
    });

    assertThat(granting).containsExactly(scope);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', textBlock = """
      secrets    | list
      secrets    | watch
      configmaps | list
      configmaps | delete
      pods       | create
      """)
  void neverListsSecretsNorTouchesWhatItDoesNotOwn(String resource, String verb) {
    assertThat(RbacRequirements.allows("", resource, verb)).isFalse();
  }
}
