package dev.taskjob.deploy;

import dev.taskjob.operator.RbacRequirements;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the operator's code uses ({@link RbacRequirements}), as grants, and where each must apply: its
 * own kinds and Events in every watched namespace (cluster-wide when watching all), ConfigMaps and
 * Secrets only in namespaces enabled for TaskJobs, the kube-system read cluster-wide, leader election in
 * the operator's own namespace.
 */
final class RequiredAccess {

  private RequiredAccess() {}

  static Set<Grant> unscoped() {
    Set<Grant> all = new LinkedHashSet<>();
    scoped(null, "unused", "unused").forEach(g -> all.add(g.unscoped()));
    return all;
  }

  /**
   * @param watchedNamespace the one namespace a namespaced install watches, or null when it watches all
   * @param tenantNamespace the namespace enabled for TaskJobs (the watched one in a namespaced install)
   * @param operatorNamespace where the operator runs
   */
  static Set<Grant> scoped(String watchedNamespace, String tenantNamespace, String operatorNamespace) {
    Set<Grant> all = new LinkedHashSet<>();
    RbacRequirements.RULES.forEach(rule -> all.addAll(grants(rule, watchedNamespace)));
    RbacRequirements.TENANT.forEach(rule -> all.addAll(grants(rule, tenantNamespace)));
    RbacRequirements.CLUSTER.forEach(rule -> all.addAll(grants(rule, null)));
    RbacRequirements.LEADER_ELECTION.forEach(rule -> all.addAll(grants(rule, operatorNamespace)));
    return all;
  }

  private static Set<Grant> grants(RbacRequirements.Rule rule, String scope) {
    Set<Grant> grants = new LinkedHashSet<>();
    List<String> names = rule.resourceNames().isEmpty() ? Collections.singletonList(null) : rule.resourceNames();
    for (String verb : rule.verbs()) {
      for (String name : names) {
        grants.add(new Grant(rule.apiGroup(), rule.resource(), verb, name, scope));
      }
    }
    return grants;
  }
}
