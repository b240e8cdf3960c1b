package dev.taskjob.worker;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Durations as the worker accepts them: plain seconds ({@code 600}, {@code 0.5}) as rms-cloud-tasks takes
 * them, or the TaskJob style {@code 30s}, {@code 10m}, {@code 1h30m}.
 */
public final class DurationText implements CommandLine.ITypeConverter<Duration> {

  private static final Pattern UNITS = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+(?:\\.\\d+)?)s)?");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /** @throws IllegalArgumentException saying what is accepted */
  public static Duration parse(String text) {
    String t = text == null ? "" : text.trim();
    if (!t.isEmpty()) {
      try {
        return seconds(new BigDecimal(t));
      } catch (NumberFormatException notANumber) {
        Matcher m = UNITS.matcher(t);
        if (m.matches()) {
          BigDecimal total = BigDecimal.ZERO;
          if (m.group(1) != null) {
            total = total.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(3600)));
          }
          if (m.group(2) != null) {
            total = total.add(new BigDecimal(m.group(2)).multiply(BigDecimal.valueOf(60)));
          }
          if (m.group(3) != null) {
            total = total.add(new BigDecimal(m.group(3)));
          }
          return seconds(total);
        }
      }
    }
    throw new IllegalArgumentException("'" + text + "' is not a duration: give seconds (600, 0.5) or units (30s, 10m, 1h30m)");
  }

  private static Duration seconds(BigDecimal seconds) {
    if (seconds.signum() < 0) {
      throw new IllegalArgumentException("a duration cannot be negative, was " + seconds.toPlainString());
    }
    return Duration.ofNanos(seconds.movePointRight(9).setScale(0, java.math.RoundingMode.HALF_UP).longValueExact());
  }

  /** {@code 600 seconds}, {@code 0.5 seconds}: how the configuration summary prints a duration. */
  public static String format(Duration d) {
    BigDecimal s = BigDecimal.valueOf(d.toNanos()).movePointLeft(9).stripTrailingZeros();
    return s.toPlainString() + " seconds";
  }
}
