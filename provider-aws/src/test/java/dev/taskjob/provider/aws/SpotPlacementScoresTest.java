package dev.taskjob.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.taskjob.core.cloud.PlacementScores;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * {@code GetSpotPlacementScores} through the real SDK client against a loopback stub of the EC2 query API:
 * moto does not implement that call, so the stub answers it (and {@code DescribeAvailabilityZones}) with the XML
 * EC2 documents, and records each request's form parameters. The clock is set by hand.
 */
class SpotPlacementScoresTest {

  private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
  private static final List<String> TYPES = List.of("m5.large", "c5.large", "m6i.large", "m5a.large");

  private HttpServer server;
  private final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
  /** The status and XML the next GetSpotPlacementScores gets. */
  private volatile int scoresStatus = 200;
  private volatile String scoresBody = """
      <GetSpotPlacementScoresResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
        <requestId>r-1</requestId>
        <spotPlacementScoreSet>
          <item><region>us-east-1</region><availabilityZoneId>use1-az1</availabilityZoneId><score>9</score></item>
          <item><region>us-east-1</region><availabilityZoneId>use1-az4</availabilityZoneId><score>3</score></item>
          <item><region>us-east-1</region><availabilityZoneId>use1-az9</availabilityZoneId><score>7</score></item>
        </spotPlacementScoreSet>
      </GetSpotPlacementScoresResponse>""";
  private Instant now = T0;
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  };
  private Ec2Client ec2;

  @BeforeEach
  void startStub() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      requests.add(form);
      int status = 200;
      String body;
      if ("DescribeAvailabilityZones".equals(form.get("Action"))) {
        body = """
            <DescribeAvailabilityZonesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
              <requestId>r-0</requestId>
              <availabilityZoneInfo>
                <item><zoneName>us-east-1a</zoneName><zoneId>use1-az4</zoneId><regionName>us-east-1</regionName></item>
                <item><zoneName>us-east-1b</zoneName><zoneId>use1-az1</zoneId><regionName>us-east-1</regionName></item>
              </availabilityZoneInfo>
            </DescribeAvailabilityZonesResponse>""";
      } else {
        status = scoresStatus;
        body = scoresBody;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "text/xml");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
    ec2 = Ec2Client.builder().region(Region.US_EAST_1)
        .endpointOverride(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
  }

  @AfterEach
  void stopStub() {
    ec2.close();
    server.stop(0);
  }

  @Test
  void asksForZoneScoresOfTheCandidateSetAndNamesZonesAsThisAccountDoes() {
    SpotPlacementScores scores = new SpotPlacementScores(ec2, "us-east-1", Duration.ofHours(1), clock);

    PlacementScores answer = scores.scores(TYPES, 5);

    assertThat(answer.byZone()).containsExactlyInAnyOrderEntriesOf(Map.of("us-east-1b", 9, "us-east-1a", 3));
    assertThat(answer.score("m5.large", "us-east-1b")).isEqualTo(OptionalInt.of(9));
    assertThat(answer.score("r5.large", "us-east-1b")).as("a type not in the scored set").isEmpty();
    Map<String, String> call = requests.get(1);
    assertThat(call).containsEntry("Action", "GetSpotPlacementScores").containsEntry("SingleAvailabilityZone", "true")
        .containsEntry("RegionName.1", "us-east-1").containsEntry("TargetCapacity", "8")
        .containsEntry("InstanceType.1", "c5.large").containsEntry("InstanceType.4", "m6i.large");
  }

  @Test
  void theSameConfigurationIsAskedOncePerRefreshInterval() {
    SpotPlacementScores scores = new SpotPlacementScores(ec2, "us-east-1", Duration.ofHours(1), clock);
    scores.scores(TYPES, 5);
    now = T0.plus(Duration.ofMinutes(59));
    scores.scores(List.of("m5a.large", "m6i.large", "c5.large", "m5.large"), 7); // same set, same capacity bucket
    assertThat(scoreCalls()).isEqualTo(1);

    now = T0.plus(Duration.ofMinutes(60));
    assertThat(scores.scores(TYPES, 5).byZone()).containsEntry("us-east-1a", 3);
    assertThat(scoreCalls()).isEqualTo(2);
    assertThat(requests).filteredOn(r -> "DescribeAvailabilityZones".equals(r.get("Action"))).hasSize(1);
  }

  @Test
  void fewerThanThreeTypesOrARefreshOfZeroAsksNothing() {
    assertThat(new SpotPlacementScores(ec2, "us-east-1", Duration.ofHours(1), clock)
        .scores(List.of("m5.large", "c5.large"), 1)).isEqualTo(PlacementScores.NONE);
    assertThat(new SpotPlacementScores(ec2, "us-east-1", Duration.ZERO, clock).scores(TYPES, 1))
        .isEqualTo(PlacementScores.NONE);
    assertThat(requests).isEmpty();
  }

  @Test
  void aThrottledOrRefusedCallAnswersNoneOnceWithoutRetriesAndWaitsTheInterval() {
    SpotPlacementScores scores = new SpotPlacementScores(ec2, "us-east-1", Duration.ofHours(1), clock);
    scoresStatus = 503;
    scoresBody = error("RequestLimitExceeded", "Request limit exceeded.");

    assertThat(scores.scores(TYPES, 1)).isEqualTo(PlacementScores.NONE);
    assertThat(scoreCalls()).as("no retry inside the SDK: each one counts against AWS's limits").isEqualTo(1);
    now = T0.plus(Duration.ofMinutes(30));
    assertThat(scores.scores(TYPES, 1)).isEqualTo(PlacementScores.NONE);
    assertThat(scoreCalls()).isEqualTo(1);

    scoresStatus = 400;
    scoresBody = error("UnauthorizedOperation", "You are not authorized to perform this operation.");
    now = T0.plus(Duration.ofMinutes(61));
    assertThat(scores.scores(TYPES, 1)).isEqualTo(PlacementScores.NONE);
    assertThat(scoreCalls()).isEqualTo(2);
  }

  @Test
  void atMostTenNewConfigurationsADay() {
    SpotPlacementScores scores = new SpotPlacementScores(ec2, "us-east-1", Duration.ofHours(1), clock);
    for (int i = 0; i < 12; i++) {
      scores.scores(TYPES, 1 << i); // each capacity bucket is a new configuration
    }
    assertThat(scoreCalls()).isEqualTo(SpotPlacementScores.MAX_NEW_CONFIGURATIONS_PER_DAY);
    now = T0.plus(Duration.ofHours(2));
    assertThat(scores.scores(TYPES, 1).byZone()).as("a configuration already used is asked again").isNotEmpty();
    assertThat(scores.scores(TYPES, 1 << 11)).isEqualTo(PlacementScores.NONE);
    now = T0.plus(Duration.ofHours(24));
    assertThat(scores.scores(TYPES, 1 << 11).byZone()).isNotEmpty();
  }

  private long scoreCalls() {
    return requests.stream().filter(r -> "GetSpotPlacementScores".equals(r.get("Action"))).count();
  }

  private static String error(String code, String message) {
    return "<Response><Errors><Error><Code>" + code + "</Code><Message>" + message
        + "</Message></Error></Errors><RequestID>r-e</RequestID></Response>";
  }

  private static Map<String, String> form(String body) {
    Map<String, String> out = new TreeMap<>();
    for (String pair : body.split("&")) {
      String[] kv = pair.split("=", 2);
      if (kv.length == 2) {
        out.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
      }
    }
    return out;
  }
}
