package dev.taskjob.worker;

import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Memory sizes as the worker accepts them: Kubernetes-style quantities ({@code 512Mi}, {@code 2Gi},
 * {@code 1.5G}) or a plain number of GiB, as {@code --memory-per-task} takes it.
 */
public final class MemorySize implements CommandLine.ITypeConverter<Long> {

  private static final Pattern QUANTITY = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(Ki|Mi|Gi|Ti|k|K|M|G|T)?");
  private static final Map<String, Long> UNITS = Map.of("Ki", 1L << 10, "Mi", 1L << 20, "Gi", 1L << 30,
      "Ti", 1L << 40, "k", 1000L, "K", 1000L, "M", 1_000_000L, "G", 1_000_000_000L, "T", 1_000_000_000_000L);

  @Override
  public Long convert(String value) {
    return parse(value);
  }

  /**
   * Bytes, rounded down.
   *
   * @throws IllegalArgumentException saying what is accepted
   */
  public static long parse(String text) {
    String t = text == null ? "" : text.trim();
    Matcher m = QUANTITY.matcher(t);
    if (m.matches()) {
      long unit = m.group(2) == null ? 1L << 30 : UNITS.get(m.group(2));
      BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
      if (bytes.signum() > 0 && bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
        return bytes.longValue();
      }
      throw new IllegalArgumentException("'" + text + "' must be more than 0 bytes and less than 8 EiB");
    }
    throw new IllegalArgumentException("'" + text + "' is not a memory size: give GiB (2, 0.5) or a quantity "
        + "(512Mi, 2Gi, 1.5G)");
  }
}
