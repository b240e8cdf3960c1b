package dev.taskjob.operator.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Puts what kubectl needs in front of fabric8's CRUD mock server: API discovery documents
 * ({@code /api}, {@code /apis}, resource lists), OpenAPI v3 documents built from the CRD schemas (for
 * {@code kubectl explain}), field selectors on lists (what {@code kubectl describe} uses to find an
 * object's Events and {@code kubectl wait} to find its object), and server-side printing
 * ({@code as=Table}: the CRDs' printer columns, and the usual columns for Events), so kubectl against a
 * local run shows what it shows on a cluster. Writes pass {@link SchemaAdmission} (the CRDs' schema and CEL
 * rules); everything else goes to the CRUD dispatcher unchanged.
 * Watches are streamed by {@link KubectlGateway}, which sits in front of this.
 */
final class DiscoveryDispatcher extends Dispatcher {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Built-in resources the operator and local mode use, as group/version -> resources. */
  private static final List<BuiltIn> BUILT_INS = List.of(
      new BuiltIn("", "v1", "namespaces", "Namespace", false, List.of("ns")),
      new BuiltIn("", "v1", "configmaps", "ConfigMap", true, List.of("cm")),
      new BuiltIn("", "v1", "secrets", "Secret", true, List.of()),
      new BuiltIn("", "v1", "events", "Event", true, List.of("ev")),
      new BuiltIn("coordination.k8s.io", "v1", "leases", "Lease", true, List.of()),
      new BuiltIn("events.k8s.io", "v1", "events", "Event", true, List.of("ev")),
      new BuiltIn("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false,
          List.of("crd", "crds")));

  private record BuiltIn(String group, String version, String plural, String kind, boolean namespaced,
      List<String> shortNames) {}

  private final Dispatcher crud;
  private final List<CustomResourceDefinition> crds;
  private final SchemaAdmission admission;

  DiscoveryDispatcher(Dispatcher crud, List<CustomResourceDefinition> crds) {
    this.crud = crud;
    this.crds = List.copyOf(crds);
    this.admission = new SchemaAdmission(crds);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String fullPath = request.getPath();
    String path = fullPath.contains("?") ? fullPath.substring(0, fullPath.indexOf('?')) : fullPath;
    if ("GET".equals(request.getMethod())) {
      Optional<ObjectNode> discovery = discovery(path);
      if (discovery.isPresent()) {
        return json(discovery.get());
      }
      Optional<ObjectNode> openApi = OpenApiDocuments.document(path, crds);
      if (openApi.isPresent()) {
        return json(openApi.get());
      }
      Map<String, String> query = ResourcePath.query(fullPath);
      String accept = String.valueOf(request.getHeader("Accept"));
      boolean asTable = accept.contains("as=Table");
      String fieldSelector = query.get("fieldSelector");
      Optional<ResourcePath> resource = ResourcePath.parse(path);
      boolean list = resource.isPresent() && resource.get().name() == null;
      if (resource.isPresent() && !ResourcePath.isWatch(query) && (asTable || list)) {
        MockResponse plain = crud.dispatch(new RecordedRequest(request.getHttpVersion(), request.method(),
            ResourcePath.withoutQueryParameter(fullPath, "fieldSelector"), request.getHeaders(), request.getBody()));
        if (plain.code() != 200) {
          return plain;
        }
        JsonNode body = readBody(plain);
        if (body.has("items")) {
          ObjectNode filtered = FieldSelector.parse(fieldSelector).filterList((ObjectNode) body);
          // Typed clients (kubectl describe reading Events) decode only a list of the right kind, not "List".
          context(resource.get()).ifPresent(c -> filtered.put("kind", c.getKind() + "List"));
          body = filtered;
        }
        if (asTable) {
          Optional<ObjectNode> table = table(resource.get(), body, true, accept.contains("includeObject=Object"));
          if (table.isPresent()) {
            return json(table.get());
          }
        }
        return json(body);
      }
    }
    Optional<MockResponse> refused = admission.refusal(crud, request);
    return refused.orElseGet(() -> UnappliablePatches.dispatch(crud, request));
  }

  /**
   * The object or list as a meta.k8s.io/v1 Table, when this API knows how to print the resource (the CRDs'
   * printer columns, Events); empty for others, which kubectl then prints itself.
   */
  Optional<ObjectNode> table(ResourcePath resource, JsonNode body, boolean withColumns, boolean fullObjects) {
    if (resource.plural().equals("events") && resource.group().isEmpty()) {
      return Optional.of(EventTable.table(body, withColumns));
    }
    return crdFor(resource).map(crd -> table(crd, body, withColumns, fullObjects));
  }

  /** The fabric8 coordinates of the resource a path names, for the built-ins listed here and the CRDs. */
  Optional<io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext> context(ResourcePath resource) {
    for (BuiltIn b : BUILT_INS) {
      if (b.group().equals(resource.group()) && b.version().equals(resource.version())
          && b.plural().equals(resource.plural())) {
        return Optional.of(new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder()
            .withGroup(b.group()).withVersion(b.version()).withPlural(b.plural()).withKind(b.kind())
            .withNamespaced(b.namespaced()).build());
      }
    }
    return crdFor(resource).map(crd -> new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder()
        .withGroup(crd.getSpec().getGroup()).withVersion(resource.version())
        .withPlural(crd.getSpec().getNames().getPlural()).withKind(crd.getSpec().getNames().getKind())
        .withNamespaced("Namespaced".equals(crd.getSpec().getScope())).build());
  }

  @Override
  public void shutdown() {
    crud.shutdown();
  }

  private Optional<ObjectNode> discovery(String path) {
    switch (path) {
      case "/version":
        ObjectNode version = JSON.createObjectNode();
        version.put("major", "1").put("minor", "33").put("gitVersion", "v1.33.0-taskjob-local")
            .put("platform", "embedded/fabric8-mock");
        return Optional.of(version);
      case "/api":
        ObjectNode versions = JSON.createObjectNode().put("kind", "APIVersions");
        versions.putArray("versions").add("v1");
        versions.putArray("serverAddressByClientCIDRs");
        return Optional.of(versions);
      case "/apis":
        return Optional.of(groupList());
      case "/api/v1":
        return Optional.of(resourceList("v1", "", "v1"));
      default:
        break;
    }
    String[] parts = path.split("/");
    if (parts.length == 4 && parts[1].equals("apis")) {
      if (groups().containsKey(parts[2]) && groups().get(parts[2]).contains(parts[3])) {
        return Optional.of(resourceList(parts[2] + "/" + parts[3], parts[2], parts[3]));
      }
    }
    if (parts.length == 3 && parts[1].equals("apis") && groups().containsKey(parts[2])) {
      return Optional.of(group(parts[2], groups().get(parts[2])));
    }
    return Optional.empty();
  }

  private Map<String, List<String>> groups() {
    Map<String, List<String>> groups = new LinkedHashMap<>();
    for (BuiltIn b : BUILT_INS) {
      if (!b.group().isEmpty()) {
        groups.computeIfAbsent(b.group(), g -> new ArrayList<>());
        if (!groups.get(b.group()).contains(b.version())) {
          groups.get(b.group()).add(b.version());
        }
      }
    }
    for (CustomResourceDefinition crd : crds) {
      List<String> vs = groups.computeIfAbsent(crd.getSpec().getGroup(), g -> new ArrayList<>());
      crd.getSpec().getVersions().stream().filter(CustomResourceDefinitionVersion::getServed)
          .map(CustomResourceDefinitionVersion::getName).filter(v -> !vs.contains(v)).forEach(vs::add);
    }
    return groups;
  }

  private ObjectNode groupList() {
    ObjectNode list = JSON.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
    ArrayNode items = list.putArray("groups");
    groups().forEach((name, versions) -> items.add(group(name, versions)));
    return list;
  }

  private ObjectNode group(String name, List<String> versions) {
    ObjectNode group = JSON.createObjectNode().put("kind", "APIGroup").put("apiVersion", "v1").put("name", name);
    ArrayNode vs = group.putArray("versions");
    for (String v : versions) {
      vs.addObject().put("groupVersion", name + "/" + v).put("version", v);
    }
    group.putObject("preferredVersion").put("groupVersion", name + "/" + versions.get(0))
        .put("version", versions.get(0));
    return group;
  }

  private ObjectNode resourceList(String groupVersion, String group, String version) {
    ObjectNode list = JSON.createObjectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
        .put("groupVersion", groupVersion);
    ArrayNode resources = list.putArray("resources");
    for (BuiltIn b : BUILT_INS) {
      if (b.group().equals(group) && b.version().equals(version)) {
        addResource(resources, b.plural(), b.kind(), b.namespaced(), b.shortNames(), List.of(), false);
      }
    }
    for (CustomResourceDefinition crd : crds) {
      var spec = crd.getSpec();
      boolean served = spec.getVersions().stream().anyMatch(v -> v.getName().equals(version) && v.getServed());
      if (spec.getGroup().equals(group) && served) {
        var names = spec.getNames();
        boolean status = spec.getVersions().stream()
            .anyMatch(v -> v.getName().equals(version) && v.getSubresources() != null
                && v.getSubresources().getStatus() != null);
        addResource(resources, names.getPlural(), names.getKind(), "Namespaced".equals(spec.getScope()),
            names.getShortNames() == null ? List.of() : names.getShortNames(),
            names.getCategories() == null ? List.of() : names.getCategories(), status);
      }
    }
    return list;
  }

  private static void addResource(ArrayNode resources, String plural, String kind, boolean namespaced,
      List<String> shortNames, List<String> categories, boolean statusSubresource) {
    ObjectNode r = resources.addObject().put("name", plural).put("singularName", kind.toLowerCase())
        .put("namespaced", namespaced).put("kind", kind);
    ArrayNode verbs = r.putArray("verbs");
    List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch").forEach(verbs::add);
    ArrayNode sn = r.putArray("shortNames");
    shortNames.forEach(sn::add);
    if (!categories.isEmpty()) {
      ArrayNode cs = r.putArray("categories");
      categories.forEach(cs::add);
    }
    if (statusSubresource) {
      ObjectNode s = resources.addObject().put("name", plural + "/status").put("singularName", "")
          .put("namespaced", namespaced).put("kind", kind);
      ArrayNode sv = s.putArray("verbs");
      List.of("get", "patch", "update").forEach(sv::add);
    }
  }

  /** The CRD whose resources the path addresses. */
  private Optional<CustomResourceDefinition> crdFor(ResourcePath resource) {
    return crds.stream()
        .filter(c -> c.getSpec().getGroup().equals(resource.group())
            && c.getSpec().getNames().getPlural().equals(resource.plural()))
        .findFirst();
  }

  /**
   * A meta.k8s.io/v1 Table of the object or list, with the CRD's printer columns after Name. A watch sends the
   * column definitions with its first event only, as the API server does.
   */
  private ObjectNode table(CustomResourceDefinition crd, JsonNode body, boolean withColumns, boolean fullObjects) {
    List<CustomResourceColumnDefinition> printed = crd.getSpec().getVersions().get(0)
        .getAdditionalPrinterColumns() == null ? List.of()
        : crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns();
    ObjectNode table = JSON.createObjectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    table.putObject("metadata").put("resourceVersion", body.path("metadata").path("resourceVersion").asText(""));
    ArrayNode defs = table.putArray("columnDefinitions");
    if (withColumns) {
      defs.addObject().put("name", "Name").put("type", "string").put("format", "name").put("priority", 0)
          .put("description", "Name of the resource");
      for (CustomResourceColumnDefinition c : printed) {
        defs.addObject().put("name", c.getName()).put("type", c.getType())
            .put("format", c.getFormat() == null ? "" : c.getFormat())
            .put("priority", c.getPriority() == null ? 0 : c.getPriority())
            .put("description", c.getDescription() == null ? "" : c.getDescription());
      }
    }
    ArrayNode rows = table.putArray("rows");
    List<JsonNode> items = new ArrayList<>();
    if (body.has("items")) {
      body.get("items").forEach(items::add);
    } else {
      items.add(body);
    }
    for (JsonNode item : items) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      cells.add(item.path("metadata").path("name").asText());
      for (CustomResourceColumnDefinition c : printed) {
        JsonNode value = at(item, c.getJsonPath());
        if (value == null || value.isMissingNode() || value.isNull()) {
          cells.add("");
        } else if ("date".equals(c.getType())) {
          cells.add(age(value.asText()));
        } else {
          cells.add(value);
        }
      }
      if (fullObjects) {
        row.set("object", item);
      } else {
        ObjectNode object = row.putObject("object").put("kind", "PartialObjectMetadata")
            .put("apiVersion", "meta.k8s.io/v1");
        object.set("metadata", item.path("metadata"));
      }
    }
    return table;
  }

  /** Follows a simple JSONPath ({@code .status.phase}); printer columns use only this form. */
  static JsonNode at(JsonNode node, String jsonPath) {
    JsonNode current = node;
    for (String segment : jsonPath.replaceFirst("^\\.", "").split("\\.")) {
      if (segment.isEmpty()) {
        continue;
      }
      current = current.path(segment);
    }
    return current;
  }

  /** kubectl's short age format: 45s, 3m12s, 5h, 2d. */
  static String age(String timestamp) {
    try {
      Duration d = Duration.between(OffsetDateTime.parse(timestamp).toInstant(), Instant.now());
      long s = Math.max(0, d.toSeconds());
      if (s < 120) {
        return s + "s";
      }
      if (s < 600) {
        return (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
      }
      if (s < 3 * 3600) {
        return (s / 60) + "m";
      }
      if (s < 48 * 3600) {
        return (s / 3600) + "h";
      }
      return (s / 86400) + "d";
    } catch (RuntimeException e) {
      return timestamp;
    }
  }

  static JsonNode readBody(MockResponse response) {
    try {
      return JSON.readTree(response.getBody().readUtf8());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static MockResponse json(JsonNode body) {
    return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
        .setBody(body.toString());
  }
}
