package dev.taskjob.core.cloud;

import java.time.Instant;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A cloud's spot placement scores for one set of spot instance types, by zone: how likely, from 1 to 10, a
 * spot request for that set of types succeeds in the zone now (EC2's {@code GetSpotPlacementScores} with
 * {@code SingleAvailabilityZone}). A score is for the set, not for each type: every type of the set gets its
 * zone's score.
 *
 * @param types the spot types scored together
 * @param byZone score by zone name
 * @param asOf when the cloud answered, or null for {@link #NONE}
 */
public record PlacementScores(Set<String> types, Map<String, Integer> byZone, Instant asOf) {

  /** No scores: the cloud has none, or the call failed. */
  public static final PlacementScores NONE = new PlacementScores(Set.of(), Map.of(), null);

  public PlacementScores {
    types = Set.copyOf(types);
    byZone = Map.copyOf(byZone);
  }

  /** The score of a spot type in a zone, when the type was in the scored set and the zone has a score. */
  public OptionalInt score(String type, String zone) {
    Integer score = zone == null || !types.contains(type) ? null : byZone.get(zone);
    return score == null ? OptionalInt.empty() : OptionalInt.of(score);
  }

  public boolean isEmpty() {
    return byZone.isEmpty();
  }
}
