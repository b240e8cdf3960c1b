package dev.taskjob.worker.spot;

import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.StopNotice;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the instance metadata service for a spot/preemptible interruption notice and reports the
 * first one. AWS: an IMDSv2 session token, then {@code spot/instance-action} (404 until a notice,
 * then {@code {"action": "terminate", "time": "..."}}; two minutes' warning). GCP: {@code instance/preempted}
 * ({@code TRUE} once preempted; about 30 seconds' warning). Then the pool's stop notice for a VM chosen for
 * scale-in ({@link StopNotice#KEY}): on AWS the instance tag at {@code tags/instance/taskjob-stop}, on GCP the
 * metadata attribute {@code instance/attributes/taskjob-stop}; on the local provider, which has no metadata
 * service, the file {@link StopNotice#localFile} in the instance's directory ({@link #localStopFile}). The base
 * URL is configurable so tests point it at a local server.
 */
public final class PreemptionMonitor implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PreemptionMonitor.class);
  static final Duration GCP_NOTICE = Duration.ofSeconds(30);
  private static final Duration TOKEN_TTL = Duration.ofHours(6);
  /** How long one call to the metadata service may take: it answers on the VM itself, within milliseconds. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

  private final MetadataFlavor flavor;
  private final String baseUrl;
  private final Duration interval;
  private final Duration requestTimeout;
  private final Clock clock;
  /**
   * For the metadata service only: the local stop file and {@link MetadataFlavor#NONE} need none, and building
   * one costs a worker's start about 0.2 s of CPU (the default TLS context) and leaves a selector thread in
   * {@code epoll_wait}, which holds up the JVM's exit.
   */
  private final HttpClient http;
  /** The local provider's stop-notice file, or null. */
  private final Path stopFile;
  private final Thread thread;
  private volatile boolean closed;
  private String token;
  private Instant tokenExpiry = Instant.MIN;
  private boolean warnedUnreachable;

  /**
   * @param flavor which service to ask
   * @param baseUrl scheme://host[:port] of the metadata service, or null for the flavor's default
   * @param interval time between polls
   * @param onNotice called once, on the monitor's thread, when a notice is seen
   */
  public PreemptionMonitor(MetadataFlavor flavor, String baseUrl, Duration interval, Consumer<PreemptionNotice> onNotice) {
    this(flavor, baseUrl, null, interval, REQUEST_TIMEOUT, Clock.systemUTC(), onNotice);
  }

  /**
   * For tests: {@code requestTimeout} bounds each call to the metadata service, and {@code clock} dates the notices
   * and the IMDSv2 token's expiry.
   */
  PreemptionMonitor(MetadataFlavor flavor, String baseUrl, Duration interval, Duration requestTimeout, Clock clock,
      Consumer<PreemptionNotice> onNotice) {
    this(flavor, baseUrl, null, interval, requestTimeout, clock, onNotice);
  }

  /**
   * Watches the local provider's stop-notice file, as a cloud worker watches its metadata service.
   *
   * @param stopFile {@link StopNotice#localFile} of this worker's instance
   */
  public static PreemptionMonitor localStopFile(Path stopFile, Duration interval, Consumer<PreemptionNotice> onNotice) {
    return new PreemptionMonitor(MetadataFlavor.LOCAL, null, stopFile, interval, REQUEST_TIMEOUT, Clock.systemUTC(),
        onNotice);
  }

  private PreemptionMonitor(MetadataFlavor flavor, String baseUrl, Path stopFile, Duration interval,
      Duration requestTimeout, Clock clock, Consumer<PreemptionNotice> onNotice) {
    this.flavor = flavor;
    this.stopFile = stopFile;
    String base = baseUrl == null || baseUrl.isBlank() ? flavor.defaultBaseUrl() : baseUrl.trim();
    this.baseUrl = base == null ? null : base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.interval = interval;
    this.requestTimeout = requestTimeout;
    this.clock = clock;
    this.http = flavor == MetadataFlavor.AWS || flavor == MetadataFlavor.GCP
        ? HttpClient.newBuilder().connectTimeout(requestTimeout).build()
        : null;
    this.thread = new Thread(() -> loop(onNotice), "taskjob-preemption");
    this.thread.setDaemon(true);
  }

  public String baseUrl() {
    return baseUrl;
  }

  public void start() {
    thread.start();
  }

  private void loop(Consumer<PreemptionNotice> onNotice) {
    while (!closed) {
      Optional<PreemptionNotice> notice = check();
      if (notice.isPresent()) {
        onNotice.accept(notice.get());
        return;
      }
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One poll: the notice if there is one. Unreachable services count as "no notice" (logged once). */
  public Optional<PreemptionNotice> check() {
    try {
      Optional<PreemptionNotice> notice = switch (flavor) {
        case AWS -> checkAws().or(this::checkAwsStopTag);
        case GCP -> checkGcp().or(this::checkGcpStopAttribute);
        case LOCAL -> checkLocalStopFile();
        case NONE -> Optional.empty();
      };
      warnedUnreachable = false;
      return notice;
    } catch (IOException e) {
      if (!warnedUnreachable) {
        LOG.warn("Cannot reach the instance metadata service at {} to watch for spot interruption: {}", baseUrl,
            e.getMessage());
        warnedUnreachable = true;
      }
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private Optional<PreemptionNotice> checkAws() throws IOException, InterruptedException {
    for (int round = 0; round < 2; round++) {
      String t = awsToken();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/latest/meta-data/spot/instance-action"))
          .header("X-aws-ec2-metadata-token", t)
          .timeout(requestTimeout)
          .GET().build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 401) {
        token = null; // expired or revoked: fetch a new one and ask again
        continue;
      }
      if (r.statusCode() == 404) {
        return Optional.empty();
      }
      if (r.statusCode() != 200) {
        throw new IOException("spot/instance-action answered HTTP " + r.statusCode());
      }
      return Optional.of(new PreemptionNotice(awsTime(r.body(), clock.instant()), r.body().trim()));
    }
    throw new IOException("the metadata service refused a fresh IMDSv2 token");
  }

  private String awsToken() throws IOException, InterruptedException {
    if (token != null && clock.instant().isBefore(tokenExpiry)) {
      return token;
    }
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/latest/api/token"))
        .header("X-aws-ec2-metadata-token-ttl-seconds", Long.toString(TOKEN_TTL.toSeconds()))
        .timeout(requestTimeout)
        .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("IMDSv2 token request answered HTTP " + r.statusCode());
    }
    token = r.body().trim();
    tokenExpiry = clock.instant().plus(TOKEN_TTL).minusSeconds(60);
    return token;
  }

  /** The notice's {@code time}; two minutes after {@code now} when it is missing or unreadable. */
  static Instant awsTime(String body, Instant now) {
    try {
      String time = Json.MAPPER.readTree(body).path("time").asText("");
      if (!time.isEmpty()) {
        return Instant.parse(time);
      }
    } catch (IOException | DateTimeParseException e) {
      // fall through to the documented two minutes
    }
    return now.plus(Duration.ofMinutes(2));
  }

  private Optional<PreemptionNotice> checkGcp() throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/computeMetadata/v1/instance/preempted"))
        .header("Metadata-Flavor", "Google")
        .timeout(requestTimeout)
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("instance/preempted answered HTTP " + r.statusCode());
    }
    if ("TRUE".equalsIgnoreCase(r.body().trim())) {
      return Optional.of(new PreemptionNotice(clock.instant().plus(GCP_NOTICE), "instance/preempted=TRUE"));
    }
    return Optional.empty();
  }

  /**
   * The pool's stop notice on EC2: the instance tag {@code taskjob-stop}, read at {@code tags/instance/taskjob-stop}
   * (the VM is launched with instance metadata tags on); 404 until the tag is set.
   */
  private Optional<PreemptionNotice> checkAwsStopTag() {
    return stopNotice(() -> HttpRequest.newBuilder(URI.create(baseUrl + "/latest/meta-data/tags/instance/"
        + StopNotice.KEY)).header("X-aws-ec2-metadata-token", awsToken()));
  }

  /** The pool's stop notice on GCE: the instance metadata attribute {@code taskjob-stop}; 404 until it is set. */
  private Optional<PreemptionNotice> checkGcpStopAttribute() {
    return stopNotice(() -> HttpRequest.newBuilder(URI.create(baseUrl + "/computeMetadata/v1/instance/attributes/"
        + StopNotice.KEY)).header("Metadata-Flavor", "Google"));
  }

  /** The pool's stop notice on the local provider: the file holds a value once the pool wrote it. */
  private Optional<PreemptionNotice> checkLocalStopFile() {
    try {
      String value = stopFile == null || !Files.exists(stopFile) ? "" : Files.readString(stopFile).trim();
      return value.isEmpty() ? Optional.empty() : Optional.of(PreemptionNotice.scaleIn(StopNotice.KEY + "=" + value));
    } catch (IOException e) {
      LOG.debug("stop notice not readable: {}", e.getMessage());
      return Optional.empty();
    }
  }

  private interface RequestBuilder {
    HttpRequest.Builder build() throws IOException, InterruptedException;
  }

  /** A stop notice when the request answers 200 with a value; any failure is "no notice" (the next poll asks again). */
  private Optional<PreemptionNotice> stopNotice(RequestBuilder request) {
    try {
      HttpResponse<String> r = http.send(request.build().timeout(requestTimeout).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200 && !r.body().isBlank()) {
        return Optional.of(PreemptionNotice.scaleIn(StopNotice.KEY + "=" + r.body().trim()));
      }
      if (r.statusCode() == 401) {
        token = null;
      }
    } catch (IOException e) {
      LOG.debug("stop notice not readable: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
