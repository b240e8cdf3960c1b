package dev.taskjob.crds.v1alpha1.shared;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;

/**
 * Durations as written in manifests: one or more number-unit pairs, units {@code h}, {@code m},
 * {@code s} and {@code ms}, as in {@code 30s}, {@code 10m}, {@code 1h30m}, {@code 1500ms} or
 * {@code 1.5h}. The same language as the schema pattern {@link Patterns#DURATION}.
 */
public final class Durations {

  private static final java.util.regex.Pattern WHOLE = java.util.regex.Pattern.compile(Patterns.DURATION);
  private static final java.util.regex.Pattern PART = java.util.regex.Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(h|ms|m|s)");

  private Durations() {}

  /**
   * Parses a manifest duration.
   *
   * @param field the field's path, for the error message (e.g. {@code spec.worker.maxRuntime})
   * @param value the text, e.g. {@code 1h30m}
   * @throws IllegalArgumentException naming the field, the value and the accepted form
   */
  public static Duration parse(String field, String value) {
    if (value == null || !WHOLE.matcher(value).matches()) {
      throw new IllegalArgumentException(
          field + ": '" + value + "' is not a duration; use number-unit pairs with units h, m, s, ms,"
              + " such as 30s, 10m, 1h30m or 1500ms");
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(value);
    while (m.find()) {
      BigDecimal amount = new BigDecimal(m.group(1));
      long nanosPerUnit = switch (m.group(2)) {
        case "h" -> 3_600_000_000_000L;
        case "m" -> 60_000_000_000L;
        case "s" -> 1_000_000_000L;
        default -> 1_000_000L;
      };
      try {
        long nanos = amount.multiply(BigDecimal.valueOf(nanosPerUnit)).longValueExact();
        total = total.plusNanos(nanos);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(field + ": '" + value + "' is too long or finer than a nanosecond", e);
      }
    }
    return total;
  }

  /** Parses a manifest duration; errors name the value but no field. */
  public static Duration parse(String value) {
    return parse("duration", value);
  }

  /** Parses {@code value}, or returns {@code fallback} when it is null. */
  public static Duration parseOrDefault(String field, String value, Duration fallback) {
    return value == null ? fallback : parse(field, value);
  }

  /**
   * Formats a duration in the manifest language, to whole seconds below a day and whole minutes
   * above ({@code 0s}, {@code 45s}, {@code 12m5s}, {@code 3h20m}); negative durations format as
   * {@code 0s}. {@link #parse} reads the result back.
   */
  public static String format(Duration duration) {
    long seconds = Math.max(0, duration.getSeconds());
    long hours = seconds / 3600;
    long minutes = (seconds % 3600) / 60;
    long secs = seconds % 60;
    StringBuilder out = new StringBuilder();
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (minutes > 0) {
      out.append(minutes).append('m');
    }
    if (secs > 0 && hours < 24) {
      out.append(secs).append('s');
    }
    return out.isEmpty() ? "0s" : out.toString();
  }
}
