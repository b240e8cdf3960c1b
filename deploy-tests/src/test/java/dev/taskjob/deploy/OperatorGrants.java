package dev.taskjob.deploy;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What a render grants the operator's ServiceAccount: every rule of every Role or ClusterRole bound
 * to it, expanded to one {@link Grant} per (group, resource, verb), scoped by the binding.
 */
final class OperatorGrants {

  static final String SERVICE_ACCOUNT = "taskjob-operator";

  private OperatorGrants() {}

  /** The namespace the operator runs in (that of its ServiceAccount). */
  static String operatorNamespace(Rendered render) {
    return render.get("ServiceAccount", SERVICE_ACCOUNT).path("metadata").path("namespace").asText();
  }

  static List<Grant> of(Rendered render) {
    String namespace = operatorNamespace(render);
    List<Grant> grants = new ArrayList<>();
    for (String bindingKind : List.of("ClusterRoleBinding", "RoleBinding")) {
      for (JsonNode binding : render.ofKind(bindingKind)) {
        if (!bindsServiceAccount(binding, namespace)) {
          continue;
        }
        String scope = bindingKind.equals("RoleBinding") ? binding.path("metadata").path("namespace").asText() : null;
        for (JsonNode rule : roleOf(render, binding).path("rules")) {
          List<String> names = new ArrayList<>();
          rule.path("resourceNames").forEach(n -> names.add(n.asText()));
          if (names.isEmpty()) {
            names.add(null);
          }
          for (JsonNode group : rule.path("apiGroups")) {
            for (JsonNode resource : rule.path("resources")) {
              for (JsonNode verb : rule.path("verbs")) {
                for (String name : names) {
                  grants.add(new Grant(group.asText(), resource.asText(), verb.asText(), name, scope));
                }
              }
            }
          }
        }
      }
    }
    return grants;
  }

  private static boolean bindsServiceAccount(JsonNode binding, String namespace) {
    for (JsonNode subject : binding.path("subjects")) {
      if (subject.path("kind").asText().equals("ServiceAccount")
          && subject.path("name").asText().equals(SERVICE_ACCOUNT)
          && subject.path("namespace").asText().equals(namespace)) {
        return true;
      }
    }
    return false;
  }

  private static JsonNode roleOf(Rendered render, JsonNode binding) {
    JsonNode ref = binding.path("roleRef");
    String kind = ref.path("kind").asText();
    String name = ref.path("name").asText();
    String bindingName = binding.path("kind").asText() + " " + binding.path("metadata").path("name").asText();
    // A role that is not part of the render (a built-in such as "edit") would grant unknown access.
    JsonNode role = render.find(kind, name).orElseGet(
        () -> fail(bindingName + " refers to " + kind + " " + name + ", which " + render + " does not define"));
    if (kind.equals("Role")
        && !role.path("metadata").path("namespace").asText().equals(binding.path("metadata").path("namespace").asText())) {
      return fail(bindingName + " refers to Role " + name + " in another namespace");
    }
    return role;
  }
}
