package dev.taskjob.worker.spot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import dev.taskjob.core.cloud.StopNotice;

/**
 * Against {@link FakeMetadataServer}, the local stand-in for the EC2 and GCE metadata services. The monitor's clock
 * stands still, and its calls may take minutes rather than the VM's 2 s: on a loaded machine a loopback call can take
 * seconds, and a call that runs out counts as "no notice", which is not what these tests look at.
 */
class PreemptionMonitorTest {

  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  /** A safety net only: each call answers at once unless the machine is starved. */
  private static final Duration SAFETY_NET = Duration.ofMinutes(5);

  private final FakeMetadataServer metadata = new FakeMetadataServer();

  PreemptionMonitorTest() throws Exception {}

  @AfterEach
  void stop() {
    metadata.close();
  }

  private PreemptionMonitor monitor(MetadataFlavor flavor) {
    return new PreemptionMonitor(flavor, metadata.baseUrl(), Duration.ofMillis(50), SAFETY_NET, CLOCK, n -> {});
  }

  @Test
  void awsReportsNoNoticeUntilTheInstanceActionAppears() {
    PreemptionMonitor monitor = monitor(MetadataFlavor.AWS);
    assertThat(monitor.check()).isEmpty();

    Instant stop = NOW.plus(2, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
    metadata.announce(stop);
    PreemptionNotice notice = monitor.check().orElseThrow();

    assertThat(notice.terminationTime()).isEqualTo(stop);
    assertThat(notice.detail()).contains("\"action\": \"terminate\"");
    assertThat(metadata.tokenRequests()).as("one IMDSv2 token reused across polls").isEqualTo(1);
  }

  @Test
  void awsFetchesANewTokenWhenTheOldOneIsRefused() {
    PreemptionMonitor monitor = monitor(MetadataFlavor.AWS);
    assertThat(monitor.check()).isEmpty();
    metadata.expireTokens();
    metadata.announce(NOW.plusSeconds(120));

    assertThat(monitor.check()).map(PreemptionNotice::terminationTime).contains(NOW.plusSeconds(120));
    assertThat(metadata.tokenRequests()).isEqualTo(2);
  }

  @Test
  void gcpReadsPreemptedWithTheMetadataFlavorHeader() {
    PreemptionMonitor monitor = monitor(MetadataFlavor.GCP);
    assertThat(monitor.check()).isEmpty();

    metadata.announce(NOW);
    PreemptionNotice notice = monitor.check().orElseThrow();

    assertThat(notice.terminationTime()).as("about 30 s' warning from when the monitor saw it")
        .isEqualTo(NOW.plusSeconds(30));
  }

  @ParameterizedTest
  @EnumSource(value = MetadataFlavor.class, names = {"AWS", "GCP"})
  void thePoolsStopNoticeIsAScaleInNoticeWithoutATerminationTime(MetadataFlavor flavor) {
    PreemptionMonitor monitor = monitor(flavor);
    assertThat(monitor.check()).isEmpty();

    metadata.setInstanceValue(StopNotice.KEY, StopNotice.SCALE_IN);
    PreemptionNotice notice = monitor.check().orElseThrow();

    assertThat(notice.scaleIn()).isTrue();
    assertThat(notice.terminationTime()).isNull();
    assertThat(notice.detail()).isEqualTo("taskjob-stop=scale-in");
  }

  @Test
  void theLocalProvidersStopNoticeIsAFileInTheInstancesDirectory(@TempDir Path localRoot) throws Exception {
    Path file = StopNotice.localFile(localRoot, "worker-a");
    PreemptionMonitor monitor = PreemptionMonitor.localStopFile(file, Duration.ofMillis(50), n -> {});
    assertThat(monitor.check()).as("no instance directory yet").isEmpty();
    Files.createDirectories(file.getParent());
    assertThat(monitor.check()).as("no notice yet").isEmpty();

    Files.writeString(file, StopNotice.SCALE_IN);
    PreemptionNotice notice = monitor.check().orElseThrow();

    assertThat(notice.scaleIn()).isTrue();
    assertThat(notice.terminationTime()).isNull();
    assertThat(notice.detail()).isEqualTo("taskjob-stop=scale-in");
  }

  /**
   * An HTTP client costs a worker's start about 0.2 s of CPU and leaves a selector thread in native code, which holds
   * up the JVM's exit: a monitor that asks no metadata service builds none.
   */
  @Test
  void aMonitorThatAsksNoMetadataServiceStartsNoHttpClient(@TempDir Path localRoot) {
    Set<String> before = httpClientThreads();
    PreemptionMonitor local = PreemptionMonitor.localStopFile(StopNotice.localFile(localRoot, "worker-a"),
        Duration.ofMillis(50), n -> {});
    PreemptionMonitor none = new PreemptionMonitor(MetadataFlavor.NONE, null, Duration.ofMillis(50), n -> {});
    assertThat(local.check()).isEmpty();
    assertThat(none.check()).isEmpty();

    Set<String> started = httpClientThreads();
    started.removeAll(before);
    assertThat(started).as("HTTP client threads started by the two monitors").isEmpty();
  }

  /** The JDK's HttpClient names its selector thread HttpClient-N-SelectorManager, N unique per client. */
  private static Set<String> httpClientThreads() {
    Set<String> names = new HashSet<>();
    Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(n -> n.startsWith("HttpClient-"))
        .forEach(names::add);
    return names;
  }

  @Test
  void theLocalProviderIsWatchedForItsStopNoticeOnly() {
    assertThat(MetadataFlavor.forProvider("local")).isEqualTo(MetadataFlavor.LOCAL);
    assertThat(MetadataFlavor.parse("local")).isEqualTo(MetadataFlavor.LOCAL);
    assertThat(MetadataFlavor.LOCAL.defaultBaseUrl()).isNull();
  }

  @Test
  void anUnreachableServiceIsNoNotice() {
    PreemptionMonitor monitor = new PreemptionMonitor(MetadataFlavor.AWS, "http://127.0.0.1:1", Duration.ofSeconds(1),
        n -> {});
    assertThat(monitor.check()).isEmpty();
  }

  @Test
  void reportsTheFirstNoticeOnceFromItsThread() throws Exception {
    CompletableFuture<PreemptionNotice> seen = new CompletableFuture<>();
    PreemptionMonitor monitor = new PreemptionMonitor(MetadataFlavor.GCP, metadata.baseUrl(), Duration.ofMillis(20),
        SAFETY_NET, CLOCK, seen::complete);
    monitor.start();
    try {
      metadata.announce(NOW);
      // the bound is a safety net: the notice comes at the next poll, 20 ms on an idle machine
      assertThat(seen.get(SAFETY_NET.toMinutes(), TimeUnit.MINUTES).detail()).isEqualTo("instance/preempted=TRUE");
    } finally {
      monitor.close();
    }
  }

  @Test
  void awsNoticeWithoutAReadableTimeMeansTwoMinutes() {
    assertThat(PreemptionMonitor.awsTime("{\"action\": \"stop\"}", NOW)).isEqualTo(NOW.plusSeconds(120));
    assertThat(PreemptionMonitor.awsTime("{\"action\": \"stop\", \"time\": \"soon\"}", NOW))
        .isEqualTo(NOW.plusSeconds(120));
  }
}
