package dev.taskjob.crds.v1alpha1.shared;

import java.util.List;

/**
 * A field of a stored object that this operator's classes cannot hold (an unknown field, an enum value
 * from a newer CRD, a number beyond the Java type), left out when the object was read.
 *
 * @param path the field, e.g. {@code spec.instances.maxInstances}
 * @param reason what is wrong with it, kubectl style, e.g. {@code Invalid value: 3000000000: out of range}
 */
public record UnreadableField(String path, String reason) {

  /** {@code path: reason}, as a condition message or a kubectl error line. */
  public String message() {
    return path + ": " + reason;
  }

  /** The first field's message and the paths of the others, for a condition: {@code a: ... (and 1 more: b)}. */
  public static String summary(List<UnreadableField> fields) {
    UnreadableField first = fields.get(0);
    String more = fields.size() == 1 ? "" : " (and " + (fields.size() - 1) + " more: "
        + String.join(", ", fields.stream().skip(1).map(UnreadableField::path).toList()) + ")";
    return first.message() + more;
  }
}
