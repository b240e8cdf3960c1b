package dev.taskjob.deploy;

import java.util.Set;

/** Classifies grants for the RBAC tests: tenant data, and the known ways from a grant to more access. */
final class RbacTestSupport {

  private static final Set<String> RBAC_KINDS = Set.of("roles", "clusterroles", "rolebindings", "clusterrolebindings");
  private static final Set<String> WORKLOADS = Set.of("pods", "deployments", "daemonsets", "statefulsets",
      "replicasets", "jobs", "cronjobs", "replicationcontrollers");

  private RbacTestSupport() {}

  /** ConfigMaps and Secrets: what other controllers and users of a namespace own. */
  static boolean touchesTenantData(Grant g) {
    return g.apiGroup().isEmpty() && (g.resource().equals("secrets") || g.resource().equals("configmaps"));
  }

  /**
   * A grant that hands out more access: writing RBAC, bind/escalate/impersonate, minting tokens, running
   * pods (which mount any ServiceAccount of their namespace), exec/attach/proxy, listing Secrets,
   * changing admission webhooks or signing certificates.
   */
  static boolean escalates(Grant g) {
    String verb = g.verb();
    String resource = g.resource();
    String base = resource.contains("/") ? resource.substring(0, resource.indexOf('/')) : resource;
    boolean write = Set.of("create", "update", "patch", "delete", "deletecollection").contains(verb);
    return Set.of("bind", "escalate", "impersonate", "approve", "sign").contains(verb)
        || (g.apiGroup().equals("rbac.authorization.k8s.io") && RBAC_KINDS.contains(base) && write)
        || (resource.equals("serviceaccounts/token") && verb.equals("create"))
        || (WORKLOADS.contains(base) && write)
        || Set.of("pods/exec", "pods/attach", "pods/portforward", "nodes/proxy", "services/proxy").contains(resource)
        || (resource.equals("secrets") && (verb.equals("list") || verb.equals("watch")))
        || (g.apiGroup().equals("admissionregistration.k8s.io") && write)
        || (g.apiGroup().equals("certificates.k8s.io") && write)
        || (g.apiGroup().equals("apiextensions.k8s.io") && write);
  }
}
