package dev.taskjob.crds.v1alpha1.shared;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads a spec or status so that no stored object can make the operator fail to read it. The JSON is
 * bound strictly (unknown fields, unknown enum values, numbers beyond their Java type and floats in
 * integer fields all fail); each field that fails is left out and recorded as an
 * {@link UnreadableField}, and binding is tried again. In a cluster the CRD schema refuses most of
 * these at admission; this covers a CRD newer than the operator, one installed without its schema,
 * and API servers that validate nothing (the embedded one of {@code taskjob local}).
 *
 * @param <T> the class read; its class carries {@code @JsonDeserialize(using = <subclass>)}
 */
public abstract class LenientReader<T> extends StdDeserializer<T> {

  /** Lets the strict mapper bind the class with Jackson's bean deserializer instead of this one. */
  @JsonDeserialize
  private interface BeanBinding {}

  /** More failing fields than this in one object: the object is read as empty. */
  private static final int MAX_UNREADABLE = 50;
  private static final int MAX_VALUE_CHARS = 64;

  private final Class<T> type;
  private final String root;
  private final ObjectMapper strict;

  protected LenientReader(Class<T> type, String root) {
    super(type);
    this.type = type;
    this.root = root;
    this.strict = JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .addMixIn(type, BeanBinding.class)
        .build();
  }

  /** Keeps what was left out with the value (a spec reports it in a condition; a status drops it). */
  protected abstract void recordUnreadable(T value, List<UnreadableField> unreadable);

  @Override
  public T deserialize(JsonParser parser, DeserializationContext context) throws IOException {
    JsonNode tree = parser.readValueAsTree();
    return read(tree);
  }

  /** Binds a JSON tree, leaving out and recording every field that cannot be bound. */
  public T read(JsonNode tree) {
    List<UnreadableField> unreadable = new ArrayList<>();
    JsonNode copy = tree == null ? null : tree.deepCopy();
    while (copy != null && copy.isObject() && unreadable.size() < MAX_UNREADABLE) {
      try {
        T value = strict.treeToValue(copy, type);
        recordUnreadable(value, unreadable);
        return value;
      } catch (JsonMappingException e) {
        if (e.getPath().isEmpty() || !remove(copy, e.getPath(), unreadable, e)) {
          break;
        }
      } catch (JsonProcessingException e) {
        break;
      }
    }
    unreadable.add(new UnreadableField(root, tree == null || tree.isObject()
        ? "cannot be read" : "Invalid value: " + shown(tree) + ": must be of type object"));
    T empty = empty();
    recordUnreadable(empty, unreadable);
    return empty;
  }

  private boolean remove(JsonNode tree, List<JsonMappingException.Reference> path, List<UnreadableField> unreadable,
      JsonMappingException e) {
    StringBuilder field = new StringBuilder(root);
    JsonNode parent = tree;
    for (int i = 0; i < path.size() - 1; i++) {
      JsonMappingException.Reference step = path.get(i);
      appendStep(field, step);
      parent = step.getFieldName() != null ? parent.get(step.getFieldName()) : parent.get(step.getIndex());
      if (parent == null) {
        return false;
      }
    }
    JsonMappingException.Reference last = path.get(path.size() - 1);
    appendStep(field, last);
    JsonNode value;
    if (last.getFieldName() != null && parent instanceof ObjectNode object) {
      value = object.remove(last.getFieldName());
    } else if (last.getFieldName() == null && last.getIndex() >= 0 && parent instanceof ArrayNode array) {
      value = array.remove(last.getIndex());
    } else {
      return false;
    }
    unreadable.add(new UnreadableField(field.toString(), reason(e, value)));
    return true;
  }

  private static void appendStep(StringBuilder field, JsonMappingException.Reference step) {
    if (step.getFieldName() != null) {
      field.append('.').append(step.getFieldName());
    } else {
      field.append('[').append(step.getIndex()).append(']');
    }
  }

  private String reason(JsonMappingException e, JsonNode value) {
    if (e instanceof UnrecognizedPropertyException) {
      return "unknown field: this operator's schema has no such field";
    }
    if (e instanceof InvalidFormatException f && f.getTargetType() != null && f.getTargetType().isEnum()) {
      return "Unsupported value: " + shown(value) + ": supported values: " + supported(f.getTargetType());
    }
    if (e.getCause() instanceof InputCoercionException) {
      return "Invalid value: " + shown(value) + ": out of range";
    }
    if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
      return "Invalid value: " + shown(value) + ": must be " + typeName(m.getTargetType());
    }
    return "Invalid value: " + shown(value) + ": cannot be read";
  }

  private String supported(Class<?> enumType) {
    return Arrays.stream(enumType.getEnumConstants()).map(constant -> {
      try {
        return strict.writeValueAsString(constant);
      } catch (JsonProcessingException ex) {
        return String.valueOf(constant);
      }
    }).collect(Collectors.joining(", "));
  }

  private static String typeName(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (type == Double.class || type == double.class || type == Float.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (List.class.isAssignableFrom(type) || type.isArray()) {
      return "a list";
    }
    return "an object";
  }

  private static String shown(JsonNode value) {
    String text = value == null ? "null" : value.toString();
    return text.length() <= MAX_VALUE_CHARS ? text : text.substring(0, MAX_VALUE_CHARS) + "...";
  }

  private T empty() {
    try {
      return type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(type + " needs a no-argument constructor", e);
    }
  }
}
