package dev.taskjob.crds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates manifests against a CRD's {@code openAPIV3Schema} the way the API server does, since no
 * API server runs in these tests: it applies {@code default}s, rejects unknown fields (kubectl's
 * default strict field validation), checks the OpenAPI keywords the CRDs use, and evaluates every
 * {@code x-kubernetes-validations} rule with Google's CEL for Java, with {@code self} (and, on
 * updates, {@code oldSelf}) bound to the value at the rule's schema node. Transition rules run only
 * on updates where the old value exists, objects in maps are correlated by key and list items are
 * not correlated, as in Kubernetes.
 *
 * <p>A schema keyword it does not implement makes it throw, so a new kind of constraint in the
 * classes cannot pass these tests unchecked.
 */
final class CrdSchemaValidator {

  private static final Set<String> KNOWN_KEYWORDS = Set.of(
      "type", "description", "properties", "required", "items", "additionalProperties", "enum", "pattern",
      "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems",
      "maxItems", "maxProperties", "default", "x-kubernetes-validations");

  private static final Cel CEL = CelFactory.standardCelBuilder()
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar("self", SimpleType.DYN)
      .addVar("oldSelf", SimpleType.DYN)
      .build();

  private final JsonNode schema;
  private final Map<String, CelRuntime.Program> programs = new HashMap<>();

  CrdSchemaValidator(JsonNode crd) {
    this.schema = crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
  }

  /** Violations of a create, as {@code path: message}; empty when the API server would accept it. */
  List<String> validateCreate(JsonNode manifest) {
    return validate(manifest, null);
  }

  /** Violations of an update from {@code old} to {@code manifest}. */
  List<String> validateUpdate(JsonNode old, JsonNode manifest) {
    return validate(manifest, old);
  }

  /** A copy of the manifest with the schema's defaults applied, as the API server stores it. */
  JsonNode withDefaults(JsonNode manifest) {
    return withDefaults(schema, manifest.deepCopy());
  }

  private List<String> validate(JsonNode manifest, JsonNode old) {
    JsonNode value = withDefaults(schema, manifest.deepCopy());
    JsonNode oldValue = old == null ? null : withDefaults(schema, old.deepCopy());
    List<String> errors = new ArrayList<>();
    walk(schema, value, oldValue, "", errors);
    return errors;
  }

  private static JsonNode withDefaults(JsonNode schema, JsonNode value) {
    if (value instanceof ObjectNode object) {
      for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> property = it.next();
        if (!object.has(property.getKey()) && property.getValue().has("default")) {
          object.set(property.getKey(), property.getValue().get("default").deepCopy());
        }
        if (object.has(property.getKey())) {
          withDefaults(property.getValue(), object.get(property.getKey()));
        }
      }
      if (schema.has("additionalProperties")) {
        object.forEach(v -> withDefaults(schema.get("additionalProperties"), v));
      }
    } else if (value != null && value.isArray() && schema.has("items")) {
      value.forEach(v -> withDefaults(schema.get("items"), v));
    }
    return value;
  }

  private void walk(JsonNode schema, JsonNode value, JsonNode old, String path, List<String> errors) {
    schema.fieldNames().forEachRemaining(keyword -> {
      if (!KNOWN_KEYWORDS.contains(keyword)) {
        throw new IllegalStateException("schema keyword '" + keyword + "' at " + path + " is not checked by this validator");
      }
    });
    if (!checkType(schema.path("type").asText(), value)) {
      errors.add(path + ": must be of type " + schema.path("type").asText());
      return;
    }
    checkConstraints(schema, value, path, errors);
    if (value.isObject()) {
      JsonNode properties = schema.path("properties");
      for (JsonNode required : schema.path("required")) {
        if (!value.has(required.asText())) {
          errors.add(child(path, required.asText()) + ": Required value");
        }
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode fieldSchema = schema.has("additionalProperties")
            ? schema.get("additionalProperties")
            : properties.get(field.getKey());
        if (fieldSchema == null) {
          if (!path.isEmpty() || !Set.of("apiVersion", "kind", "metadata").contains(field.getKey())) {
            errors.add(child(path, field.getKey()) + ": unknown field");
          }
          continue;
        }
        JsonNode oldField = old == null || !old.isObject() ? null : old.get(field.getKey());
        walk(fieldSchema, field.getValue(), oldField, child(path, field.getKey()), errors);
      }
    } else if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) {
        walk(schema.get("items"), value.get(i), null, path + "[" + i + "]", errors);
      }
    }
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      String expression = rule.path("rule").asText();
      boolean transition = expression.contains("oldSelf");
      if (transition && old == null) {
        continue;
      }
      Map<String, Object> variables = new HashMap<>();
      variables.put("self", toCel(schema, value));
      if (transition) {
        variables.put("oldSelf", toCel(schema, old));
      }
      try {
        if (!Boolean.TRUE.equals(program(expression).eval(variables))) {
          errors.add((path.isEmpty() ? "<root>" : path) + ": " + rule.path("message").asText(expression));
        }
      } catch (CelEvaluationException e) {
        errors.add(path + ": rule '" + expression + "' failed to evaluate: " + e.getMessage());
      }
    }
  }

  private static String child(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  private static boolean checkType(String type, JsonNode value) {
    return switch (type) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      case "" -> true;
      default -> throw new IllegalStateException("unknown schema type " + type);
    };
  }

  private static void checkConstraints(JsonNode schema, JsonNode value, String path, List<String> errors) {
    if (schema.has("enum")) {
      boolean listed = false;
      for (JsonNode allowed : schema.get("enum")) {
        listed |= allowed.equals(value);
      }
      if (!listed) {
        errors.add(path + ": Unsupported value " + value + ", supported values: " + schema.get("enum"));
      }
    }
    if (value.isTextual()) {
      String text = value.asText();
      if (schema.has("pattern") && !Pattern.compile(schema.get("pattern").asText()).matcher(text).find()) {
        errors.add(path + ": should match '" + schema.get("pattern").asText() + "'");
      }
      if (schema.has("minLength") && text.length() < schema.get("minLength").asInt()) {
        errors.add(path + ": should be at least " + schema.get("minLength").asInt() + " chars long");
      }
      if (schema.has("maxLength") && text.length() > schema.get("maxLength").asInt()) {
        errors.add(path + ": may not be more than " + schema.get("maxLength").asInt() + " bytes");
      }
    }
    if (value.isNumber()) {
      double number = value.asDouble();
      boolean exclusiveMin = schema.path("exclusiveMinimum").asBoolean(false);
      boolean exclusiveMax = schema.path("exclusiveMaximum").asBoolean(false);
      if (schema.has("minimum")) {
        double min = schema.get("minimum").asDouble();
        if (exclusiveMin ? number <= min : number < min) {
          errors.add(path + ": should be greater than " + (exclusiveMin ? "" : "or equal to ") + schema.get("minimum"));
        }
      }
      if (schema.has("maximum")) {
        double max = schema.get("maximum").asDouble();
        if (exclusiveMax ? number >= max : number > max) {
          errors.add(path + ": should be less than " + (exclusiveMax ? "" : "or equal to ") + schema.get("maximum"));
        }
      }
    }
    if (value.isArray()) {
      if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
        errors.add(path + ": should have at least " + schema.get("minItems").asInt() + " items");
      }
      if (schema.has("maxItems") && value.size() > schema.get("maxItems").asInt()) {
        errors.add(path + ": must have at most " + schema.get("maxItems").asInt() + " items");
      }
    }
    if (value.isObject() && schema.has("maxProperties") && value.size() > schema.get("maxProperties").asInt()) {
      errors.add(path + ": must have at most " + schema.get("maxProperties").asInt() + " properties");
    }
  }

  /** The CEL value of a JSON value, typed by its schema as Kubernetes does (number: double, integer: int). */
  private static Object toCel(JsonNode schema, JsonNode value) {
    switch (schema.path("type").asText()) {
      case "object" -> {
        Map<String, Object> map = new LinkedHashMap<>();
        value.fields().forEachRemaining(f -> {
          JsonNode fieldSchema = schema.has("additionalProperties")
              ? schema.get("additionalProperties")
              : schema.path("properties").get(f.getKey());
          if (fieldSchema != null) {
            map.put(f.getKey(), toCel(fieldSchema, f.getValue()));
          }
        });
        return map;
      }
      case "array" -> {
        List<Object> list = new ArrayList<>();
        value.forEach(item -> list.add(toCel(schema.get("items"), item)));
        return list;
      }
      case "integer" -> {
        return value.asLong();
      }
      case "number" -> {
        return value.asDouble();
      }
      case "boolean" -> {
        return value.asBoolean();
      }
      default -> {
        return value.asText();
      }
    }
  }

  private CelRuntime.Program program(String expression) {
    return programs.computeIfAbsent(expression, e -> {
      try {
        return CEL.createProgram(CEL.compile(e).getAst());
      } catch (CelValidationException | CelEvaluationException ex) {
        throw new IllegalStateException("rule does not compile: " + e, ex);
      }
    });
  }
}
