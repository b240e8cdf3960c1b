package dev.taskjob.deploy;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The (group, resource, verb) triples the operator's code uses: its informers (get, list, watch), its
 * writes, JOSDK's finalizer and status patches, leader election and Events.
 */
final class RequiredAccess {

  static final String LEASES = "leases";

  private RequiredAccess() {}

  static Set<Grant> operator() {
    Set<Grant> all = new LinkedHashSet<>();
    add(all, "taskjob.dev", "taskjobs", "get", "list", "watch", "patch", "update", "delete");
    add(all, "taskjob.dev", "taskjobs/status", "get", "patch", "update");
    add(all, "taskjob.dev", "taskjobs/finalizers", "update");
    add(all, "taskjob.dev", "instancepools", "get", "list", "watch", "create", "patch", "update", "delete");
    add(all, "taskjob.dev", "instancepools/status", "get", "patch", "update");
    add(all, "taskjob.dev", "instancepools/finalizers", "update");
    add(all, "", "configmaps", "get", "list", "watch", "create", "update", "patch", "delete");
    add(all, "", "secrets", "get");
    add(all, "", "events", "create", "patch");
    add(all, "coordination.k8s.io", LEASES, "get", "create", "update");
    return all;
  }

  private static void add(Set<Grant> into, String group, String resource, String... verbs) {
    for (String verb : List.of(verbs)) {
      into.add(Grant.of(group, resource, verb));
    }
  }
}
