package dev.taskjob.operator.selection;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * This cluster's own record of spot interruptions per (instance type, zone): interruptions seen and the
 * VM-hours they were seen over, both decayed with a half-life of days so old weather fades. A plain value:
 * the operator keeps it in a small ConfigMap ({@link #toData} / {@link #fromData}); the estimate is a pure
 * function of the record and the clock reading passed in.
 *
 * <p>An observed rate is trusted once it rests on at least {@link #MIN_EXPOSURE_HOURS} VM-hours; before that
 * the caller falls back to the user's hint or the default prior ({@link InterruptionRate#estimate}).
 */
public final class InterruptionHistory {

  /** Old observations weigh half as much after this long. */
  public static final Duration HALF_LIFE = Duration.ofDays(3);
  /** VM-hours (after decay) an observed rate needs before it is used. */
  public static final double MIN_EXPOSURE_HOURS = 2.0;
  private static final String KEY_SEPARATOR = "__";
  private static final String ANY_ZONE = "any";

  /** Decayed counts for one (type, zone) as of {@code updated}. */
  public record Observed(double interruptions, double exposureHours, Instant updated) {

    /** The counts as they weigh at {@code now}. */
    Observed decayedTo(Instant now) {
      if (!now.isAfter(updated)) {
        return this;
      }
      double factor = Math.pow(0.5, Duration.between(updated, now).toMillis() / (double) HALF_LIFE.toMillis());
      return new Observed(interruptions * factor, exposureHours * factor, now);
    }
  }

  private final Map<String, Observed> byOffering;

  public InterruptionHistory() {
    this(new TreeMap<>());
  }

  private InterruptionHistory(Map<String, Observed> byOffering) {
    this.byOffering = byOffering;
  }

  /** Adds what a look saw: {@code vmHours} of running VMs of the offering and {@code interruptions} among them. */
  public synchronized void record(String type, String zone, double vmHours, int interruptions, Instant now) {
    if (vmHours < 0 || interruptions < 0) {
      throw new IllegalArgumentException("observations must not be negative: " + vmHours + " VM-hours, "
          + interruptions + " interruptions");
    }
    String key = key(type, zone);
    Observed before = byOffering.getOrDefault(key, new Observed(0, 0, now)).decayedTo(now);
    byOffering.put(key, new Observed(before.interruptions() + interruptions, before.exposureHours() + vmHours, now));
  }

  /** The observed rate per VM-hour, once enough VM-hours back it. */
  public synchronized Optional<Observed> observed(String type, String zone, Instant now) {
    Observed o = byOffering.get(key(type, zone));
    if (o == null) {
      return Optional.empty();
    }
    Observed decayed = o.decayedTo(now);
    return decayed.exposureHours() >= MIN_EXPOSURE_HOURS ? Optional.of(decayed) : Optional.empty();
  }

  /** ConfigMap data: one key per offering, {@code <type>__<zone>}, value {@code <interruptions> <VM-hours> <as of>}. */
  public synchronized Map<String, String> toData() {
    Map<String, String> data = new LinkedHashMap<>();
    byOffering.forEach((k, o) -> data.put(k, String.format(Locale.ROOT, "%.4f %.4f %s", o.interruptions(),
        o.exposureHours(), o.updated())));
    return data;
  }

  /** Reads {@link #toData}'s form; an entry that does not parse is skipped (the record is advisory). */
  public static InterruptionHistory fromData(Map<String, String> data) {
    Map<String, Observed> parsed = new TreeMap<>();
    if (data != null) {
      data.forEach((k, v) -> {
        String[] parts = v == null ? new String[0] : v.trim().split("\\s+");
        if (!k.contains(KEY_SEPARATOR) || parts.length != 3) {
          return;
        }
        try {
          double interruptions = Double.parseDouble(parts[0]);
          double hours = Double.parseDouble(parts[1]);
          if (interruptions >= 0 && hours >= 0 && Double.isFinite(interruptions) && Double.isFinite(hours)) {
            parsed.put(k, new Observed(interruptions, hours, Instant.parse(parts[2])));
          }
        } catch (RuntimeException unreadable) {
          // skipped: a hand-edited or truncated entry must not stop selection
        }
      });
    }
    return new InterruptionHistory(parsed);
  }

  /** ConfigMap keys allow [-._a-zA-Z0-9]; type names and zones use only those, and never a double underscore. */
  static String key(String type, String zone) {
    Objects.requireNonNull(type, "type");
    return type + KEY_SEPARATOR + (zone == null ? ANY_ZONE : zone);
  }
}
