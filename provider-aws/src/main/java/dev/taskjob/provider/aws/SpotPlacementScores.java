package dev.taskjob.provider.aws;

import dev.taskjob.core.cloud.PlacementScores;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AvailabilityZone;
import software.amazon.awssdk.services.ec2.model.GetSpotPlacementScoresRequest;
import software.amazon.awssdk.services.ec2.model.GetSpotPlacementScoresResponse;
import software.amazon.awssdk.services.ec2.model.SpotPlacementScore;

/**
 * EC2's spot placement scores for one region, by zone ({@code GetSpotPlacementScores} with
 * {@code SingleAvailabilityZone=true}), asked sparingly and cached.
 *
 * <p>AWS scores a request configuration (a set of types and a target capacity), not a type: with fewer than
 * three types the score is always low, so fewer are not asked. It may refuse new configurations within 24
 * hours when it sees too many, while configurations already used may be asked again; so a configuration is the
 * (sorted) first {@value #MAX_TYPES} candidate types and the target capacity rounded up to a power of two, each
 * is asked at most once per refresh interval (answer or failure), and at most
 * {@value #MAX_NEW_CONFIGURATIONS_PER_DAY} new ones are asked in any 24 hours. The answer names zones by id
 * ({@code use1-az1}); one {@code DescribeAvailabilityZones} maps them to this account's zone names. A failed
 * call (no permission, throttled, unreachable) logs one line and answers {@link PlacementScores#NONE}; it is
 * not retried inside the SDK, since every retry counts against AWS's limits.
 */
final class SpotPlacementScores {

  static final int MIN_TYPES = 3;
  static final int MAX_TYPES = 10;
  static final int MAX_NEW_CONFIGURATIONS_PER_DAY = 10;
  static final Duration DEFAULT_REFRESH = Duration.ofHours(1);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration DAY = Duration.ofHours(24);
  private static final Logger log = LoggerFactory.getLogger(SpotPlacementScores.class);
  private static final SdkPlugin NO_RETRIES = config -> config.overrideConfiguration(
      config.overrideConfiguration().toBuilder().retryStrategy(AwsRetryStrategy.doNotRetry()).build());

  /** What AWS scores: the same configuration asked again is no new one. */
  record Configuration(List<String> types, int targetCapacity) {}

  private record Answer(PlacementScores scores, Instant asked) {}

  private final Ec2Client ec2;
  private final String region;
  private final Duration refresh;
  private final Clock clock;
  private final Map<Configuration, Answer> answers = new HashMap<>();
  private final Deque<Instant> newConfigurationsAsked = new ArrayDeque<>();
  private Map<String, String> zoneNamesById;
  private int calls;

  /** @param refresh how long an answer is used before the same configuration is asked again; zero asks never */
  SpotPlacementScores(Ec2Client ec2, String region, Duration refresh, Clock clock) {
    this.ec2 = ec2;
    this.region = region;
    this.refresh = refresh;
    this.clock = clock;
  }

  /** The configuration asked for these candidates: at most the first {@value #MAX_TYPES}, sorted; null when too few. */
  static Configuration configuration(List<String> spotTypes, int targetInstances) {
    List<String> types = spotTypes.stream().distinct().limit(MAX_TYPES).sorted().toList();
    if (types.size() < MIN_TYPES) {
      return null;
    }
    int capacity = 1;
    while (capacity < targetInstances && capacity < (1 << 20)) {
      capacity <<= 1;
    }
    return new Configuration(types, capacity);
  }

  /** Calls made to EC2 (both APIs), for tests and the log. */
  synchronized int calls() {
    return calls;
  }

  synchronized PlacementScores scores(List<String> spotTypes, int targetInstances) {
    Configuration configuration = configuration(spotTypes, targetInstances);
    if (refresh.isZero() || configuration == null) {
      return PlacementScores.NONE;
    }
    Instant now = clock.instant();
    Answer answer = answers.get(configuration);
    if (answer != null && now.isBefore(answer.asked().plus(refresh))) {
      return answer.scores();
    }
    if (answer == null) {
      newConfigurationsAsked.removeIf(at -> !now.isBefore(at.plus(DAY)));
      answers.values().removeIf(a -> !now.isBefore(a.asked().plus(DAY)));
      if (newConfigurationsAsked.size() >= MAX_NEW_CONFIGURATIONS_PER_DAY) {
        log.debug("spot placement scores: {} new configurations asked in 24 h, not asking {}",
            newConfigurationsAsked.size(), configuration);
        return PlacementScores.NONE;
      }
      newConfigurationsAsked.add(now);
    }
    PlacementScores scores = ask(configuration, now);
    answers.put(configuration, new Answer(scores, now));
    return scores;
  }

  private PlacementScores ask(Configuration configuration, Instant now) {
    try {
      Map<String, String> zoneNames = zoneNamesById();
      calls++;
      GetSpotPlacementScoresResponse response = ec2.getSpotPlacementScores(GetSpotPlacementScoresRequest.builder()
          .instanceTypes(configuration.types()).targetCapacity(configuration.targetCapacity())
          .singleAvailabilityZone(true).regionNames(region).maxResults(10)
          .overrideConfiguration(o -> o.apiCallTimeout(CALL_TIMEOUT).addPlugin(NO_RETRIES)).build());
      Map<String, Integer> byZone = new TreeMap<>();
      for (SpotPlacementScore s : response.spotPlacementScores()) {
        String zone = zoneNames.get(s.availabilityZoneId());
        boolean ours = s.region() == null || region.equals(s.region());
        if (zone != null && ours && s.score() != null) {
          byZone.put(zone, Math.max(1, Math.min(10, s.score())));
        }
      }
      log.info("spot placement scores in {} for {} x {}: {}", region, configuration.targetCapacity(),
          configuration.types(), byZone);
      return new PlacementScores(Set.copyOf(configuration.types()), byZone, now);
    } catch (AwsServiceException | SdkClientException e) {
      log.warn("spot placement scores in {} not available, ranking without them until {}: {}", region,
          now.plus(refresh), e instanceof AwsServiceException a && a.awsErrorDetails() != null
              ? a.awsErrorDetails().errorCode() + ": " + a.awsErrorDetails().errorMessage() : e.toString());
      return PlacementScores.NONE;
    }
  }

  private Map<String, String> zoneNamesById() {
    if (zoneNamesById == null) {
      calls++;
      Map<String, String> names = new HashMap<>();
      for (AvailabilityZone z : ec2.describeAvailabilityZones(r -> r.overrideConfiguration(
          o -> o.apiCallTimeout(CALL_TIMEOUT))).availabilityZones()) {
        if (z.zoneId() != null && z.zoneName() != null) {
          names.put(z.zoneId(), z.zoneName());
        }
      }
      zoneNamesById = Map.copyOf(names);
    }
    return zoneNamesById;
  }
}
