package dev.taskjob.operator.selection;

import dev.taskjob.core.cloud.CapacityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Offerings (type, zone, spot) that recently failed with a capacity or quota error, remembered for a few
 * minutes so the pool moves on to the next zone or type instead of retrying the same one, as Karpenter's
 * unavailable-offerings cache does. A mark with a null zone covers every zone. Thread-safe.
 */
public final class UnavailableOfferings {

  /** How long an offering stays marked unless told otherwise. */
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(3);

  private record Offering(String type, String zone, boolean spot) {}

  private final Clock clock;
  private final Duration ttl;
  private final Map<Offering, Instant> until = new ConcurrentHashMap<>();

  public UnavailableOfferings(Clock clock, Duration ttl) {
    this.clock = clock;
    this.ttl = ttl;
  }

  public UnavailableOfferings() {
    this(Clock.systemUTC(), DEFAULT_TTL);
  }

  /** Marks the offering a create failed on. */
  public void mark(CapacityException e) {
    mark(e.instanceType(), e.zone(), e.spot());
  }

  public void mark(String type, String zone, boolean spot) {
    until.put(new Offering(type, zone, spot), clock.instant().plus(ttl));
  }

  /** True while (type, zone, spot), or (type, any zone, spot), is marked. */
  public boolean isUnavailable(String type, String zone, boolean spot) {
    return marked(new Offering(type, zone, spot)) || (zone != null && marked(new Offering(type, null, spot)));
  }

  /** The zones of {@code zones} where the type is not marked. */
  public List<String> availableZones(String type, boolean spot, List<String> zones) {
    // Asked at every pool look and launch: a loop, and no lookups at all while nothing is marked.
    List<String> available = new ArrayList<>(zones.size());
    boolean anyMarked = !until.isEmpty();
    for (String zone : zones) {
      if (!anyMarked || !isUnavailable(type, zone, spot)) {
        available.add(zone);
      }
    }
    return Collections.unmodifiableList(available);
  }

  /**
   * The selection's candidates without the marked ones (a candidate priced in one zone is dropped when that
   * zone is marked; one priced for every zone only when all zones are), best first; empty when all are marked.
   */
  public List<Candidate> available(Selection selection, List<String> zones) {
    return selection.ranked().stream().filter(c -> {
      if (c.zone() != null) {
        return !isUnavailable(c.typeName(), c.zone(), c.spot());
      }
      if (zones.isEmpty()) {
        return !isUnavailable(c.typeName(), null, c.spot());
      }
      return !availableZones(c.typeName(), c.spot(), zones).isEmpty();
    }).toList();
  }

  private boolean marked(Offering offering) {
    Instant expiry = until.get(offering);
    if (expiry == null) {
      return false;
    }
    if (!clock.instant().isBefore(expiry)) {
      until.remove(offering, expiry);
      return false;
    }
    return true;
  }
}
