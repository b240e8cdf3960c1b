package dev.taskjob.operator.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The OpenAPI v3 documents an API server publishes for custom resources ({@code /openapi/v3} and
 * {@code /openapi/v3/apis/GROUP/VERSION}), built from the CRDs' schemas, which is what
 * {@code kubectl explain taskjob.spec.worker} reads. Schemas are named as the API server names them
 * ({@code dev.taskjob.v1alpha1.TaskJob}: the group reversed) and carry their group, version and kind, as
 * do the read operations on the resources' paths (where kubectl looks a resource's kind up).
 */
final class OpenApiDocuments {

  private static final String INDEX = "/openapi/v3";
  private static final String PREFIX = "/openapi/v3/apis/";

  private OpenApiDocuments() {}

  /** The document the path asks for, if it is one of these. */
  static Optional<ObjectNode> document(String path, List<CustomResourceDefinition> crds) {
    if (path.equals(INDEX) || path.equals(INDEX + "/")) {
      return Optional.of(index(crds));
    }
    if (path.startsWith(PREFIX)) {
      String[] groupVersion = path.substring(PREFIX.length()).split("/");
      if (groupVersion.length == 2) {
        ObjectNode document = groupVersion(crds, groupVersion[0], groupVersion[1]);
        return document.path("components").path("schemas").isEmpty() ? Optional.empty() : Optional.of(document);
      }
    }
    return Optional.empty();
  }

  private static ObjectNode index(List<CustomResourceDefinition> crds) {
    ObjectNode index = Serialization.jsonMapper().createObjectNode();
    ObjectNode paths = index.putObject("paths");
    for (CustomResourceDefinition crd : crds) {
      for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
        String group = crd.getSpec().getGroup();
        if (Boolean.TRUE.equals(version.getServed())) {
          String relative = "apis/" + group + "/" + version.getName();
          String hash = hash(groupVersion(crds, group, version.getName()));
          paths.putObject(relative).put("serverRelativeURL", "/openapi/v3/" + relative + "?hash=" + hash);
        }
      }
    }
    return index;
  }

  private static ObjectNode groupVersion(List<CustomResourceDefinition> crds, String group, String version) {
    ObjectNode document = Serialization.jsonMapper().createObjectNode().put("openapi", "3.0.0");
    document.putObject("info").put("title", "Kubernetes CRD Swagger").put("version", "v0.1.0");
    ObjectNode paths = document.putObject("paths");
    ObjectNode schemas = document.putObject("components").putObject("schemas");
    for (CustomResourceDefinition crd : crds) {
      if (!crd.getSpec().getGroup().equals(group)) {
        continue;
      }
      for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
        if (v.getName().equals(version) && Boolean.TRUE.equals(v.getServed()) && v.getSchema() != null) {
          String kind = crd.getSpec().getNames().getKind();
          schemas.set(schemaName(group, version, kind), kindSchema(v, group, kind));
          // kubectl explain finds the kind of a resource through the operations on its paths.
          String base = "/apis/" + group + "/" + version + ("Namespaced".equals(crd.getSpec().getScope())
              ? "/namespaces/{namespace}/" : "/") + crd.getSpec().getNames().getPlural();
          for (String path : List.of(base, base + "/{name}")) {
            ObjectNode get = paths.putObject(path).putObject("get");
            get.put("description", (path.endsWith("{name}") ? "read the specified " : "list objects of kind ") + kind);
            get.putObject("x-kubernetes-group-version-kind").put("group", group).put("version", version)
                .put("kind", kind);
            get.put("x-kubernetes-action", path.endsWith("{name}") ? "get" : "list");
          }
        }
      }
    }
    return document;
  }

  private static ObjectNode kindSchema(CustomResourceDefinitionVersion version, String group, String kind) {
    ObjectNode schema = Serialization.jsonMapper().valueToTree(version.getSchema().getOpenAPIV3Schema());
    ObjectNode properties = schema.has("properties") ? (ObjectNode) schema.get("properties")
        : schema.putObject("properties");
    // What the API server adds to every custom resource's published schema.
    if (!properties.has("apiVersion")) {
      properties.putObject("apiVersion").put("type", "string").put("description",
          "APIVersion defines the versioned schema of this representation of an object.");
    }
    if (!properties.has("kind")) {
      properties.putObject("kind").put("type", "string").put("description",
          "Kind is a string value representing the REST resource this object represents.");
    }
    if (!properties.has("metadata") || properties.get("metadata").size() <= 1) {
      properties.putObject("metadata").put("type", "object").put("description",
          "Standard object's metadata: name, namespace, labels, annotations.");
    }
    schema.putArray("x-kubernetes-group-version-kind").addObject()
        .put("group", group).put("version", version.getName()).put("kind", kind);
    return schema;
  }

  /** {@code taskjob.dev}, {@code v1alpha1}, {@code TaskJob} -> {@code dev.taskjob.v1alpha1.TaskJob}. */
  static String schemaName(String group, String version, String kind) {
    List<String> parts = new java.util.ArrayList<>(List.of(group.split("\\.")));
    java.util.Collections.reverse(parts);
    return String.join(".", parts) + "." + version + "." + kind;
  }

  private static String hash(JsonNode document) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(document.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, 32).toUpperCase(java.util.Locale.ROOT);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
