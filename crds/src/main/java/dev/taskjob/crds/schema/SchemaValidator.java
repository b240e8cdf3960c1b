package dev.taskjob.crds.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a manifest against a CRD's {@code openAPIV3Schema} as the API server does with
 * {@code kubectl --validate=strict}: {@code default}s applied, unknown fields refused, the OpenAPI
 * keywords the CRDs use (types, ranges, lengths, sizes, enums, patterns, required), and, when a
 * {@link Rules} evaluator is given, every {@code x-kubernetes-validations} rule with {@code self} (and
 * on updates {@code oldSelf}) bound at the rule's schema node. Messages follow the API server's,
 * e.g. {@code spec.worker.cpusPerTask: Invalid value: 0: should be greater than 0}.
 *
 * <p>A schema keyword it does not implement makes it throw, so a new kind of constraint in the classes
 * cannot pass unchecked.
 */
public final class SchemaValidator {

  /** Evaluates one CEL rule; {@code oldSelf} is null except for transition rules on updates. */
  @FunctionalInterface
  public interface Rules {
    boolean holds(String expression, Object self, Object oldSelf);
  }

  /** The committed CRDs (crds/*.yml), by kind, as resources of this module's jar. */
  public static final Map<String, String> BUNDLED_CRDS = Map.of(
      "TaskJob", "META-INF/taskjob/crds/taskjobs.taskjob.dev-v1.yml",
      "InstancePool", "META-INF/taskjob/crds/instancepools.taskjob.dev-v1.yml");

  private static final Set<String> KNOWN_KEYWORDS = Set.of(
      "type", "description", "properties", "required", "items", "additionalProperties", "enum", "pattern",
      "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems",
      "maxItems", "maxProperties", "default", "x-kubernetes-validations");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final int MAX_VALUE_CHARS = 64;
  /** The API server's notice that CEL rules were skipped because of a blocking error (no field: {@code <nil>}). */
  public static final String RULES_NOT_CHECKED = "<nil>: Invalid value: \"null\": some validation rules were not checked "
      + "because the object was invalid; correct the existing errors to complete validation";
  private static final Pattern BLOCKING = Pattern.compile(
      ": (?:Unsupported value: |Required value$|Too long: |Too many: |Invalid value: .*: must be of type )");

  private final JsonNode schema;
  private final Rules rules;
  private final Map<String, Pattern> patterns = new HashMap<>();

  /**
   * @param crd a CustomResourceDefinition (its first version's schema is used)
   * @param rules evaluates {@code x-kubernetes-validations}; null to leave those rules out
   */
  public SchemaValidator(JsonNode crd, Rules rules) {
    this.schema = crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
    this.rules = rules;
  }

  /** The validator for a kind whose CRD this module bundles (TaskJob, InstancePool), or null for other kinds. */
  public static SchemaValidator bundled(String kind, Rules rules) {
    String resource = BUNDLED_CRDS.get(kind);
    if (resource == null) {
      return null;
    }
    try (InputStream in = SchemaValidator.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("CRD " + resource + " is not on the class path");
      }
      return new SchemaValidator(YAML.readTree(in), rules);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read CRD " + resource, e);
    }
  }

  /** Violations of a create, as {@code path: message}; empty when the API server would accept it. */
  public List<String> validateCreate(JsonNode manifest) {
    return validate(manifest, null);
  }

  /** Violations of an update from {@code old} to {@code manifest}. */
  public List<String> validateUpdate(JsonNode old, JsonNode manifest) {
    return validate(manifest, old);
  }

  /** A copy of the manifest with the schema's defaults applied, as the API server stores it. */
  public JsonNode withDefaults(JsonNode manifest) {
    return withDefaults(schema, manifest.deepCopy());
  }

  private List<String> validate(JsonNode manifest, JsonNode old) {
    JsonNode value = withDefaults(schema, manifest.deepCopy());
    JsonNode oldValue = old == null ? null : withDefaults(schema, old.deepCopy());
    List<String> errors = new ArrayList<>();
    List<String> ruleErrors = new ArrayList<>();
    walk(schema, value, oldValue, "", errors, ruleErrors);
    if (errors.stream().anyMatch(SchemaValidator::blocksRules)) {
      // As the API server: CEL rules are not reported on an object whose shape is already wrong.
      if (rules != null) {
        errors.add(RULES_NOT_CHECKED);
      }
    } else {
      errors.addAll(ruleErrors);
    }
    return errors;
  }

  /** The API server's blocking error types: NotSupported, Required, TooLong, TooMany, TypeInvalid. */
  private static boolean blocksRules(String error) {
    return BLOCKING.matcher(error).find();
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

  private void walk(JsonNode schema, JsonNode value, JsonNode old, String path, List<String> errors,
      List<String> ruleErrors) {
    schema.fieldNames().forEachRemaining(keyword -> {
      if (!KNOWN_KEYWORDS.contains(keyword)) {
        throw new IllegalStateException("schema keyword '" + keyword + "' at " + path + " is not checked by this validator");
      }
    });
    String type = schema.path("type").asText();
    if (!checkType(type, value)) {
      errors.add(invalid(path, value, "must be of type " + type));
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
            errors.add(child(path, field.getKey()) + ": unknown field \"" + child(path, field.getKey()) + "\"");
          }
          continue;
        }
        JsonNode oldField = old == null || !old.isObject() ? null : old.get(field.getKey());
        walk(fieldSchema, field.getValue(), oldField, child(path, field.getKey()), errors, ruleErrors);
      }
    } else if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) {
        walk(schema.get("items"), value.get(i), null, path + "[" + i + "]", errors, ruleErrors);
      }
    }
    if (rules == null) {
      return;
    }
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      String expression = rule.path("rule").asText();
      boolean transition = expression.contains("oldSelf");
      if (transition && old == null) {
        continue;
      }
      try {
        if (!rules.holds(expression, toCel(schema, value), transition ? toCel(schema, old) : null)) {
          ruleErrors.add((path.isEmpty() ? "<root>" : path) + ": Invalid value: \"object\": "
              + rule.path("message").asText(expression));
        }
      } catch (RuntimeException e) {
        ruleErrors.add(path + ": rule '" + expression + "' failed to evaluate: " + e.getMessage());
      }
    }
  }

  private static String child(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  private static String invalid(String path, JsonNode value, String detail) {
    String shown = value.toString();
    if (shown.length() > MAX_VALUE_CHARS) {
      shown = shown.substring(0, MAX_VALUE_CHARS) + "...";
    }
    return path + ": Invalid value: " + shown + ": " + detail;
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

  private void checkConstraints(JsonNode schema, JsonNode value, String path, List<String> errors) {
    if (schema.has("enum")) {
      boolean listed = false;
      List<String> supported = new ArrayList<>();
      for (JsonNode allowed : schema.get("enum")) {
        listed |= allowed.equals(value);
        supported.add(allowed.toString());
      }
      if (!listed) {
        errors.add(path + ": Unsupported value: " + value + ": supported values: " + String.join(", ", supported));
      }
    }
    if (value.isTextual()) {
      String text = value.asText();
      if (schema.has("pattern")) {
        String pattern = schema.get("pattern").asText();
        if (!patterns.computeIfAbsent(pattern, Pattern::compile).matcher(text).find()) {
          errors.add(invalid(path, value, "should match '" + pattern + "'"));
        }
      }
      if (schema.has("minLength") && text.length() < schema.get("minLength").asInt()) {
        errors.add(invalid(path, value, "should be at least " + schema.get("minLength").asInt() + " chars long"));
      }
      if (schema.has("maxLength") && text.length() > schema.get("maxLength").asInt()) {
        errors.add(path + ": Too long: may not be more than " + schema.get("maxLength").asInt() + " bytes");
      }
    }
    if (value.isNumber()) {
      double number = value.asDouble();
      boolean exclusiveMin = schema.path("exclusiveMinimum").asBoolean(false);
      boolean exclusiveMax = schema.path("exclusiveMaximum").asBoolean(false);
      if (schema.has("minimum")) {
        double min = schema.get("minimum").asDouble();
        if (exclusiveMin ? number <= min : number < min) {
          errors.add(invalid(path, value,
              "should be greater than " + (exclusiveMin ? "" : "or equal to ") + number(schema.get("minimum"))));
        }
      }
      if (schema.has("maximum")) {
        double max = schema.get("maximum").asDouble();
        if (exclusiveMax ? number >= max : number > max) {
          errors.add(invalid(path, value,
              "should be less than " + (exclusiveMax ? "" : "or equal to ") + number(schema.get("maximum"))));
        }
      }
    }
    if (value.isArray()) {
      if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
        errors.add(invalid(path, value, "should have at least " + schema.get("minItems").asInt() + " items"));
      }
      if (schema.has("maxItems") && value.size() > schema.get("maxItems").asInt()) {
        errors.add(path + ": Too many: " + value.size() + ": must have at most " + schema.get("maxItems").asInt()
            + " items");
      }
    }
    if (value.isObject() && schema.has("maxProperties") && value.size() > schema.get("maxProperties").asInt()) {
      errors.add(path + ": Too many: " + value.size() + ": must have at most " + schema.get("maxProperties").asInt()
          + " properties");
    }
  }

  /** A schema bound as written in the classes: 10000 rather than 10000.0, 1.0E15 as is. */
  private static String number(JsonNode bound) {
    double value = bound.asDouble();
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : bound.asText();
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
}
