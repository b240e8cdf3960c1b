package dev.taskjob.operator.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskjob.crds.schema.CelRules;
import dev.taskjob.crds.schema.SchemaValidator;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The admission step of the embedded API: a create, update or patch of a TaskJob or InstancePool is
 * checked against its CRD's schema and CEL rules (transition rules against the stored object) and
 * refused with 422 Invalid and the API server's message, so kubectl and clients of a local run are
 * answered as a cluster would answer them. Writes to the status subresource are not checked, and the
 * status of a main-resource write is left out, since the API server ignores it there.
 */
final class SchemaAdmission {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, String> kindsByGroupPlural = new ConcurrentHashMap<>();
  private final Map<String, SchemaValidator> validators = new ConcurrentHashMap<>();

  SchemaAdmission(List<CustomResourceDefinition> crds) {
    for (CustomResourceDefinition crd : crds) {
      String kind = crd.getSpec().getNames().getKind();
      if (SchemaValidator.BUNDLED_CRDS.containsKey(kind)) {
        kindsByGroupPlural.put(crd.getSpec().getGroup() + "/" + crd.getSpec().getNames().getPlural(), kind);
      }
    }
  }

  /** The 422 answer for a write that breaks its schema; empty when the write may go on to the store. */
  Optional<MockResponse> refusal(Dispatcher crud, RecordedRequest request) {
    String method = request.getMethod();
    if (!"POST".equals(method) && !"PUT".equals(method) && !"PATCH".equals(method)) {
      return Optional.empty();
    }
    String fullPath = request.getPath();
    String path = fullPath.contains("?") ? fullPath.substring(0, fullPath.indexOf('?')) : fullPath;
    Optional<ResourcePath> resource = ResourcePath.parse(path);
    if (resource.isEmpty()) {
      return Optional.empty();
    }
    String kind = kindsByGroupPlural.get(resource.get().group() + "/" + resource.get().plural());
    boolean create = "POST".equals(method) && resource.get().name() == null;
    boolean mainResource = resource.get().name() != null && path.endsWith("/" + resource.get().name());
    if (kind == null || !(create || mainResource)) {
      return Optional.empty();
    }
    try {
      JsonNode body = JSON.readTree(request.getBody().getBytes());
      JsonNode old = create ? null : stored(crud, request, path);
      if (!create && old == null) {
        return Optional.empty(); // not found: the store answers 404
      }
      JsonNode updated = "PATCH".equals(method) ? patched(old, body, request.getHeader("Content-Type")) : body;
      SchemaValidator validator =
          validators.computeIfAbsent(kind, k -> SchemaValidator.bundled(k, CelRules.INSTANCE));
      List<String> violations = create
          ? validator.validateCreate(withoutStatus(updated))
          : validator.validateUpdate(withoutStatus(old), withoutStatus(updated));
      if (violations.isEmpty()) {
        return Optional.empty();
      }
      String name = updated.path("metadata").path("name").asText(resource.get().name() == null ? ""
          : resource.get().name());
      return Optional.of(invalid(kind, resource.get().group(), name, violations));
    } catch (IOException | RuntimeException e) {
      // A body or patch the store cannot read either: it answers that itself.
      return Optional.empty();
    }
  }

  private static JsonNode stored(Dispatcher crud, RecordedRequest request, String path) {
    MockResponse response = crud.dispatch(new RecordedRequest(request.getHttpVersion(), HttpMethod.GET, path,
        request.getHeaders(), new Buffer()));
    if (response.code() != 200) {
      return null;
    }
    return DiscoveryDispatcher.readBody(response);
  }

  /** The object a patch would produce: JSON Patch as is, merge patches (what kubectl sends for CRDs) by RFC 7386. */
  private static JsonNode patched(JsonNode old, JsonNode patch, String contentType) {
    if (contentType != null && contentType.startsWith("application/json-patch+json")) {
      return JsonPatch.apply(patch, old);
    }
    return merge(old.deepCopy(), patch);
  }

  private static JsonNode merge(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    ObjectNode result = target != null && target.isObject() ? (ObjectNode) target : JSON.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getValue().isNull()) {
        result.remove(field.getKey());
      } else {
        result.set(field.getKey(), merge(result.get(field.getKey()), field.getValue()));
      }
    }
    return result;
  }

  private static JsonNode withoutStatus(JsonNode object) {
    ObjectNode copy = object.deepCopy();
    copy.remove("status");
    return copy;
  }

  /** The API server's answer: {@code TaskJob.taskjob.dev "x" is invalid: [...]} with one cause per field. */
  private static MockResponse invalid(String kind, String group, String name, List<String> violations) {
    List<StatusCause> causes = violations.stream().map(SchemaAdmission::cause).toList();
    String message = kind + "." + group + " \"" + name + "\" is invalid: "
        + (violations.size() == 1 ? violations.get(0) : "[" + String.join(", ", violations) + "]");
    String status = Serialization.asJson(new StatusBuilder().withStatus("Failure").withCode(422)
        .withReason("Invalid").withMessage(message)
        .withNewDetails().withName(name).withGroup(group).withKind(kind).withCauses(causes).endDetails().build());
    return new MockResponse().setResponseCode(422).setHeader("Content-Type", "application/json").setBody(status);
  }

  private static StatusCause cause(String violation) {
    int colon = violation.indexOf(": ");
    String field = colon < 0 ? "" : violation.substring(0, colon);
    String detail = colon < 0 ? violation : violation.substring(colon + 2);
    String reason = detail.startsWith("Required value") ? "FieldValueRequired"
        : detail.startsWith("Unsupported value") ? "FieldValueNotSupported"
        : detail.startsWith("Too long") ? "FieldValueTooLong"
        : detail.startsWith("Too many") ? "FieldValueTooMany"
        : "FieldValueInvalid";
    return new StatusCauseBuilder().withField(field).withMessage(detail).withReason(reason).build();
  }
}
