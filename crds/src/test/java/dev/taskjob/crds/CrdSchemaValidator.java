package dev.taskjob.crds;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.taskjob.crds.schema.SchemaValidator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The production {@link SchemaValidator} with every {@code x-kubernetes-validations} rule evaluated by
 * Google's CEL for Java, so the tests check what an API server checks: the schema keywords, unknown
 * fields and the CEL rules ({@code oldSelf} bound on updates, transition rules skipped on creates).
 */
final class CrdSchemaValidator {

  private static final Cel CEL = CelFactory.standardCelBuilder()
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar("self", SimpleType.DYN)
      .addVar("oldSelf", SimpleType.DYN)
      .build();
  private static final Map<String, CelRuntime.Program> PROGRAMS = new ConcurrentHashMap<>();

  private final SchemaValidator validator;

  CrdSchemaValidator(JsonNode crd) {
    this.validator = new SchemaValidator(crd, CrdSchemaValidator::holds);
  }

  List<String> validateCreate(JsonNode manifest) {
    return validator.validateCreate(manifest);
  }

  List<String> validateUpdate(JsonNode old, JsonNode manifest) {
    return validator.validateUpdate(old, manifest);
  }

  JsonNode withDefaults(JsonNode manifest) {
    return validator.withDefaults(manifest);
  }

  private static boolean holds(String expression, Object self, Object oldSelf) {
    Map<String, Object> variables = new HashMap<>();
    variables.put("self", self);
    if (oldSelf != null) {
      variables.put("oldSelf", oldSelf);
    }
    try {
      return Boolean.TRUE.equals(program(expression).eval(variables));
    } catch (CelEvaluationException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static CelRuntime.Program program(String expression) {
    return PROGRAMS.computeIfAbsent(expression, e -> {
      try {
        return CEL.createProgram(CEL.compile(e).getAst());
      } catch (CelValidationException | CelEvaluationException ex) {
        throw new IllegalStateException("rule does not compile: " + e, ex);
      }
    });
  }
}
