package dev.taskjob.deploy;

/**
 * One permission: a verb on a resource (or subresource, "taskjobs/status") of an API group ("" is core),
 * optionally on one named object.
 *
 * @param resourceName the one object it applies to, or null for all
 * @param namespace where it applies: the namespace of a RoleBinding, or null for a ClusterRoleBinding
 */
record Grant(String apiGroup, String resource, String verb, String resourceName, String namespace) {

  /** The same permission without its scope, for comparing with what the code needs. */
  Grant unscoped() {
    return new Grant(apiGroup, resource, verb, resourceName, null);
  }

  Grant in(String scope) {
    return new Grant(apiGroup, resource, verb, resourceName, scope);
  }

  @Override
  public String toString() {
    String group = apiGroup.isEmpty() ? "core" : apiGroup;
    return verb + " " + group + "/" + resource + (resourceName == null ? "" : "/" + resourceName)
        + (namespace == null ? " cluster-wide" : " in " + namespace);
  }
}
