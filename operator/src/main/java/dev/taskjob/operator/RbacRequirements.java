package dev.taskjob.operator;

import java.util.List;
import java.util.stream.Stream;

/**
 * The Kubernetes API access the operator's code uses: every resource and verb of its informers and
 * writes, and nothing else. deploy/ grants exactly this (its test compares), and a test records every
 * request the operator makes during end-to-end runs and checks each is listed here.
 *
 * <p>SelfSubjectRulesReview (create), which JOSDK's leader election sends to check its Lease access,
 * is allowed to every authenticated user by Kubernetes' default {@code system:basic-user} role and is
 * not listed.
 */
public final class RbacRequirements {

  /**
   * One RBAC rule.
   *
   * @param apiGroup API group ("" for core)
   * @param resource resource, or resource/subresource
   * @param verbs the verbs used
   * @param resourceNames when not empty, only these objects
   * @param why what in the operator needs it
   */
  public record Rule(String apiGroup, String resource, List<String> verbs, List<String> resourceNames, String why) {
    public Rule {
      verbs = List.copyOf(verbs);
      resourceNames = List.copyOf(resourceNames);
    }

    Rule(String apiGroup, String resource, List<String> verbs, String why) {
      this(apiGroup, resource, verbs, List.of(), why);
    }

    public boolean allows(String group, String res, String verb) {
      return apiGroup.equals(group) && resource.equals(res) && verbs.contains(verb);
    }
  }

  public static final String GROUP = "taskjob.dev";

  /**
   * In every watched namespace: a ClusterRole bound cluster-wide when watching all namespaces, else a
   * Role per namespace. Only the operator's own kinds and Events: nothing here reads or changes an
   * object a namespace's users or other controllers own.
   */
  public static final List<Rule> RULES = List.of(
      new Rule(GROUP, "taskjobs", List.of("get", "list", "watch", "patch", "delete"),
          "informer; finalizer added and removed; deleted after ttlSecondsAfterFinished"),
      new Rule(GROUP, "taskjobs/status", List.of("patch"), "status, and the load checkpoint status.loaded"),
      new Rule(GROUP, "taskjobs/finalizers", List.of("update"),
          "owner references with blockOwnerDeletion from the job's InstancePool and ledger ConfigMap"),
      new Rule(GROUP, "instancepools", List.of("get", "list", "watch", "create", "patch", "delete"),
          "informer; a job creates, resizes and deletes its pool; finalizer; the orphan sweep lists pools"),
      new Rule(GROUP, "instancepools/status", List.of("patch"), "pool status"),
      new Rule("", "events", List.of("create"), "Kubernetes Events on TaskJobs and InstancePools"));

  /**
   * Only in the namespaces an admin enabled for TaskJobs, one RoleBinding each (ClusterRole
   * {@code taskjob-operator-tenant}, deploy/tenant), or in the one namespace of a namespaced install.
   * Never cluster-wide: reading every Secret and patching every ConfigMap (kube-system's included)
   * would let anyone who can run code as the operator act as a cluster admin. The operator reads and
   * writes these only in the namespace of the TaskJob that names them.
   */
  public static final List<Rule> TENANT = List.of(
      new Rule("", "configmaps", List.of("get", "create", "patch"),
          "task lists (read), the job's ledger ConfigMap and the namespace's taskjob-interruptions record"
              + " (created, then patched)"),
      new Rule("", "secrets", List.of("get"), "cloud credentials named by spec.credentials.secretRef"));

  /** Cluster-scoped objects. */
  public static final List<Rule> CLUSTER = List.of(
      new Rule("", "namespaces", List.of("get"), List.of("kube-system"),
          "the cluster id, derived from kube-system's uid when --cluster-id is not given"));

  /** In the operator's own namespace: leader election. */
  public static final List<Rule> LEADER_ELECTION = List.of(
      new Rule("coordination.k8s.io", "leases", List.of("get", "create", "update"),
          "leader election on the Lease named by --lease-name"));

  private RbacRequirements() {}

  /** True when some rule (any list) allows the verb on the resource. */
  public static boolean allows(String apiGroup, String resource, String verb) {
    return all().stream().anyMatch(r -> r.allows(apiGroup, resource, verb));
  }

  /** Every rule, whatever its scope. */
  public static List<Rule> all() {
    return Stream.of(RULES, TENANT, CLUSTER, LEADER_ELECTION).flatMap(List::stream).toList();
  }
}
