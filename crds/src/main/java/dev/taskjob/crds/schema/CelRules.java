package dev.taskjob.crds.schema;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Evaluates the CRDs' {@code x-kubernetes-validations} rules with Google's CEL for Java, so a
 * {@link SchemaValidator} checks what an API server checks where none runs ({@code taskjob local}, its
 * embedded API). {@code self} and {@code oldSelf} are dynamically typed, as the API server binds them
 * from the schema; each rule is compiled once.
 */
public final class CelRules implements SchemaValidator.Rules {

  /** Shared: the compiled programs are immutable and the cache is thread-safe. */
  public static final CelRules INSTANCE = new CelRules();

  private static final Cel CEL = CelFactory.standardCelBuilder()
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar("self", SimpleType.DYN)
      .addVar("oldSelf", SimpleType.DYN)
      .build();

  private final Map<String, CelRuntime.Program> programs = new ConcurrentHashMap<>();

  private CelRules() {}

  @Override
  public boolean holds(String expression, Object self, Object oldSelf) {
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
