package dev.taskjob.deploy;

import dev.taskjob.operator.RbacRequirements;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the operator's code uses ({@link RbacRequirements}), as grants, and where each must apply: the
 * workload rules in every watched namespace (cluster-wide when watching all), the cluster-scoped
 * namespace read cluster-wide, leader election in the operator's own namespace.
 */
final class RequiredAccess {

  /** Resources in RbacRequirements.RULES that are not namespaced. */
  private static final Set<String> CLUSTER_SCOPED = Set.of("namespaces");

  private RequiredAccess() {}

  static Set<Grant> unscoped() {
    Set<Grant> all = new LinkedHashSet<>();
    scoped(null, "unused").forEach(g -> all.add(g.unscoped()));
    return all;
  }

  /**
   * @param watchedNamespace the one namespace a namespaced install watches, or null when it watches all
   * @param operatorNamespace where the operator runs
   */
  static Set<Grant> scoped(String watchedNamespace, String operatorNamespace) {
    Set<Grant> all = new LinkedHashSet<>();
    for (RbacRequirements.Rule rule : RbacRequirements.RULES) {
      String scope = CLUSTER_SCOPED.contains(rule.resource()) ? null : watchedNamespace;
      all.addAll(grants(rule, scope));
    }
    for (RbacRequirements.Rule rule : RbacRequirements.LEADER_ELECTION) {
      all.addAll(grants(rule, operatorNamespace));
    }
    return all;
  }

  private static Set<Grant> grants(RbacRequirements.Rule rule, String scope) {
    Set<Grant> grants = new LinkedHashSet<>();
    List<String> names = rule.resourceNames().isEmpty() ? java.util.Collections.singletonList(null) : rule.resourceNames();
    for (String verb : rule.verbs()) {
      for (String name : names) {
        grants.add(new Grant(rule.apiGroup(), rule.resource(), verb, name, scope));
      }
    }
    return grants;
  }
}
