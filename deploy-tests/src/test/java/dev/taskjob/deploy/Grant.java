package dev.taskjob.deploy;

/**
 * One permission: a verb on a resource (or subresource, "taskjobs/status") of an API group ("" is core).
 *
 * @param namespace where it applies: the namespace of a RoleBinding, or null for a ClusterRoleBinding
 */
record Grant(String apiGroup, String resource, String verb, String namespace) {

  /** The same permission without its scope, for comparing with what the code needs. */
  Grant unscoped() {
    return new Grant(apiGroup, resource, verb, null);
  }

  static Grant of(String apiGroup, String resource, String verb) {
    return new Grant(apiGroup, resource, verb, null);
  }

  @Override
  public String toString() {
    String group = apiGroup.isEmpty() ? "core" : apiGroup;
    return verb + " " + group + "/" + resource + (namespace == null ? "" : " in " + namespace);
  }
}
