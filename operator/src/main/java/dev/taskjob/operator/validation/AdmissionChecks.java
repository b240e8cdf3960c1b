package dev.taskjob.operator.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.crds.schema.SchemaValidator;
import dev.taskjob.crds.v1alpha1.shared.Durations;
import dev.taskjob.crds.v1alpha1.shared.EnvVar;
import dev.taskjob.crds.v1alpha1.shared.GenerateSpec;
import dev.taskjob.crds.v1alpha1.shared.UnreadableField;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.operator.selection.Candidate;
import dev.taskjob.worker.MemorySize;
import dev.taskjob.worker.process.TaskLauncher;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks of a TaskJob's own fields that would otherwise fail later (at VM creation, in the worker,
 * or silently), each a pure function returning the first problem with the field and the reason.
 * {@link TaskJobValidator} runs them before any queue or VM exists.
 */
public final class AdmissionChecks {

  private AdmissionChecks() {}

  /** Names the worker sets for each task; a user value would be overwritten or break the worker. */
  static final Set<String> TASK_VARIABLES = Set.of("TASK_ID", "TASK_INDEX", "TASK_ATTEMPT", "TASK_DATA",
      "TASK_DATA_FILE");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  /** Names that hold secrets by convention: their values would travel in clear through user data and specs. */
  private static final Pattern CREDENTIAL_NAME = Pattern.compile(
      "(?:^|_)(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIALS?)$");
  private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
  private static final String DOMAIN_PART = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
  /** The image reference grammar of the OCI distribution spec: [registry[:port]/]path[:tag][@digest]. */
  private static final Pattern IMAGE_REFERENCE = Pattern.compile(
      "(?:" + DOMAIN_PART + "(?:\\." + DOMAIN_PART + ")*(?::[0-9]+)?/)?" + COMPONENT + "(?:/" + COMPONENT + ")*"
          + "(?::[\\w][\\w.-]{0,127})?"
          + "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?");
  private static final int MAX_IMAGE_NAME = 255;
  private static final Map<String, Pattern> REGION_SHAPES = Map.of(
      "aws", Pattern.compile("[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+"),
      "gcp", Pattern.compile("[a-z]+-[a-z]+[0-9]+"));
  private static final SchemaValidator TASK_JOB_SCHEMA = SchemaValidator.bundled("TaskJob", null);

  /** Fields the stored object had that this operator's classes could not read (see {@code LenientReader}). */
  static Optional<Invalid> unreadable(List<UnreadableField> fields) {
    if (fields.isEmpty()) {
      return Optional.empty();
    }
    return invalid(Invalid.UNREADABLE_FIELD, fields.get(0).path(), UnreadableField.summary(fields));
  }

  /**
   * The CRD's schema (types, ranges, lengths, enums, patterns) applied to the spec, as the API server
   * applies it at admission: it holds where no schema ran (an embedded API, a CRD installed without it).
   */
  static Optional<Invalid> schema(TaskJob job) {
    ObjectNode tree = Serialization.jsonMapper().createObjectNode();
    tree.set("spec", Serialization.jsonMapper().valueToTree(job.getSpec()));
    List<String> errors = TASK_JOB_SCHEMA.validateCreate(tree);
    if (errors.isEmpty()) {
      return Optional.empty();
    }
    String first = errors.get(0);
    return invalid(Invalid.INVALID_SPEC, first.substring(0, Math.max(0, first.indexOf(':'))), first);
  }

  /**
   * A per-task memory limit fits one task slot of the type the job starts with (its memory divided by the
   * tasks it runs at once): a larger limit could never fire before the instance itself ran out of memory.
   */
  static Optional<Invalid> maxMemoryPerTask(String quantity, Candidate best) {
    if (quantity == null) {
      return Optional.empty();
    }
    String field = "spec.worker.maxMemoryPerTask";
    long bytes;
    try {
      bytes = MemorySize.parse(quantity);
    } catch (IllegalArgumentException e) {
      return invalid(Invalid.INVALID_SPEC, field, field + ": " + e.getMessage());
    }
    double slotGiB = best.type().memoryGiB() / best.slots();
    if (bytes > slotGiB * (1L << 30)) {
      return invalid(Invalid.INVALID_SPEC, field, String.format(Locale.ROOT,
          "%s: %s is more than the %s GiB of one task slot on %s (%s GiB, %d tasks at once); lower it, or set "
              + "spec.worker.memoryPerTaskGiB so that fewer tasks share an instance", field, quantity,
          plain(slotGiB), best.typeName(), plain(best.type().memoryGiB()), best.slots()));
    }
    return Optional.empty();
  }

  private static String plain(double value) {
    return java.math.BigDecimal.valueOf(value).setScale(2, java.math.RoundingMode.HALF_UP).stripTrailingZeros()
        .toPlainString();
  }

  /** Env names are identifiers, unique, not the worker's own, and not credentials. */
  static Optional<Invalid> env(List<EnvVar> env) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; env != null && i < env.size(); i++) {
      String field = "spec.worker.env[" + i + "].name";
      String name = env.get(i) == null ? null : env.get(i).getName();
      if (name == null || name.isEmpty()) {
        return invalid(Invalid.INVALID_SPEC, field, field + ": Required value");
      }
      if (!ENV_NAME.matcher(name).matches()) {
        return invalid(Invalid.INVALID_SPEC, field, field + ": Invalid value: " + quoted(name)
            + ": must be letters, digits and '_', not starting with a digit");
      }
      if (!seen.add(name)) {
        return invalid(Invalid.INVALID_SPEC, field, field + ": Duplicate value: " + quoted(name));
      }
      String upper = name.toUpperCase(Locale.ROOT);
      if (upper.startsWith("TASKJOB_") || upper.startsWith("TASK_ARG_") || TASK_VARIABLES.contains(upper)) {
        return invalid(Invalid.INVALID_SPEC, field, field + ": Forbidden: " + quoted(name) + " is reserved: the "
            + "worker sets TASKJOB_*, TASK_ID, TASK_INDEX, TASK_ATTEMPT, TASK_DATA, TASK_DATA_FILE and TASK_ARG_* "
            + "itself; choose another name");
      }
      String value = env.get(i).getValue();
      if (value != null && value.indexOf('\0') >= 0) {
        String valueField = "spec.worker.env[" + i + "].value";
        return invalid(Invalid.INVALID_SPEC, valueField, valueField + ": Invalid value: contains a NUL character, "
            + "which no process environment can hold");
      }
      if (env.get(i).secretKeyRef() != null) {
        if (value != null) {
          String valueField = "spec.worker.env[" + i + "].value";
          return invalid(Invalid.INVALID_SPEC, valueField, valueField + ": Invalid value: give value or "
              + "valueFrom, not both");
        }
        continue; // a secret by reference never travels in clear, whatever its name
      }
      if (CREDENTIAL_NAME.matcher(upper).find()) {
        return invalid(Invalid.INVALID_SPEC, field, field + ": Forbidden: " + quoted(name) + " looks like a "
            + "credential, and env values are copied in clear into instance user data, metadata and this TaskJob; "
            + "put the value in a Secret and give it with valueFrom.secretKeyRef {name, key}, which travels "
            + "through the cloud's secret store instead");
      }
    }
    return Optional.empty();
  }

  /** Program arguments reach exec(2) as C strings: a NUL would cut them or fail every task. */
  static Optional<Invalid> command(List<String> command) {
    for (int i = 0; command != null && i < command.size(); i++) {
      if (command.get(i) != null && command.get(i).indexOf('\0') >= 0) {
        String field = "spec.worker.command[" + i + "]";
        return invalid(Invalid.INVALID_SPEC, field, field + ": Invalid value: contains a NUL character, which "
            + "no program argument can hold");
      }
    }
    return Optional.empty();
  }

  /** An image reference as a container runtime parses it. */
  static Optional<Invalid> image(String image) {
    if (image == null) {
      return Optional.empty();
    }
    String name = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    if (!IMAGE_REFERENCE.matcher(image).matches() || name.length() > MAX_IMAGE_NAME) {
      return invalid(Invalid.INVALID_SPEC, "spec.worker.image", "spec.worker.image: Invalid value: " + quoted(image)
          + ": not an image reference; expected [registry/]repository[:tag][@digest] in lower case, e.g. "
          + "ghcr.io/acme/tool:1.2 or python:3.12-slim");
    }
    return Optional.empty();
  }

  /** A task time limit of zero would kill every task at once; unset means no limit. */
  static Optional<Invalid> maxRuntime(String maxRuntime) {
    if (maxRuntime == null) {
      return Optional.empty();
    }
    Duration limit = Durations.parse("spec.worker.maxRuntime", maxRuntime);
    if (limit.isZero() || limit.isNegative()) {
      return invalid(Invalid.INVALID_SPEC, "spec.worker.maxRuntime", "spec.worker.maxRuntime: Invalid value: "
          + quoted(maxRuntime) + ": must be longer than 0; leave it unset for no limit");
    }
    return Optional.empty();
  }

  /** Generated parameters become TASK_ARG_<NAME> variables: two names must not map to one variable. */
  static Optional<Invalid> parameterNames(GenerateSpec generate) {
    if (generate == null || generate.getParameters() == null) {
      return Optional.empty();
    }
    Map<String, String> byVariable = new HashMap<>();
    for (String name : generate.getParameters().keySet().stream().sorted().toList()) {
      String other = byVariable.putIfAbsent(TaskLauncher.argVariable(name), name);
      if (other != null) {
        String field = "spec.tasks.generate.parameters." + name;
        return invalid(Invalid.INVALID_SPEC, field, field + ": Duplicate value: " + quoted(name) + " and "
            + quoted(other) + " both become " + TaskLauncher.argVariable(name) + "; rename one");
      }
    }
    return Optional.empty();
  }

  /** A region that cannot be one of the provider's, by its shape (us-east-1, europe-west4). */
  static Optional<Invalid> regionShape(String provider, String region) {
    Pattern shape = REGION_SHAPES.get(provider);
    if (shape == null || region == null || shape.matcher(region).matches()) {
      return Optional.empty();
    }
    return invalid(Invalid.UNKNOWN_REGION, "spec.region", "spec.region: Invalid value: " + quoted(region)
        + ": not a region name of provider " + provider + " (e.g. " + ("aws".equals(provider) ? "us-east-1" : "us-central1") + ")");
  }

  /**
   * A well-formed region the catalog knows nothing about (no type has a zone or a price there): a typo
   * such as us-esat-1, reported as a region problem rather than as "no price" further on.
   */
  static Optional<Invalid> regionKnown(String provider, String region, InstanceCatalog catalog) {
    if (region == null || catalog.types().isEmpty()) {
      return Optional.empty();
    }
    boolean known = catalog.types().stream().anyMatch(t -> !t.zones().isEmpty() || t.onDemandPrice() != null
        || (t.spotPrices() != null && !t.spotPrices().isEmpty()));
    if (known) {
      return Optional.empty();
    }
    return invalid(Invalid.UNKNOWN_REGION, "spec.region", "spec.region: Invalid value: " + quoted(region)
        + ": " + provider + " has no such region (no instance type has a zone or a price there); check the name");
  }

  private static String quoted(String value) {
    JsonNode node = Serialization.jsonMapper().getNodeFactory().textNode(value);
    String text = node.toString();
    return text.length() <= 80 ? text : text.substring(0, 80) + "...\"";
  }

  private static Optional<Invalid> invalid(String reason, String field, String message) {
    return Optional.of(new Invalid(reason, field, message, false));
  }
}
