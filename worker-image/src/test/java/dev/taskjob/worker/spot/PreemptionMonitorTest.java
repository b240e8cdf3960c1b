package dev.taskjob.worker.spot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import dev.taskjob.core.cloud.StopNotice;

/** Against {@link FakeMetadataServer}, the local stand-in for the EC2 and GCE metadata services. */
class PreemptionMonitorTest {

  private final FakeMetadataServer metadata = new FakeMetadataServer();

  PreemptionMonitorTest() throws Exception {}

  @AfterEach
  void stop() {
    metadata.close();
  }

  private PreemptionMonitor monitor(MetadataFlavor flavor) {
    return new PreemptionMonitor(flavor, metadata.baseUrl(), Duration.ofMillis(50), n -> {});
  }

  @Test
  void awsReportsNoNoticeUntilTheInstanceActionAppears() {
    PreemptionMonitor monitor = monitor(MetadataFlavor.AWS);
    assertThat(monitor.check()).isEmpty();

    Instant stop = Instant.now().plus(2, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
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
    metadata.announce(Instant.now().plusSeconds(120));

    assertThat(monitor.check()).isPresent();
    assertThat(metadata.tokenRequests()).isEqualTo(2);
  }

  @Test
  void gcpReadsPreemptedWithTheMetadataFlavorHeader() {
    PreemptionMonitor monitor = monitor(MetadataFlavor.GCP);
    assertThat(monitor.check()).isEmpty();

    metadata.announce(Instant.now());
    PreemptionNotice notice = monitor.check().orElseThrow();

    assertThat(notice.terminationTime()).isBetween(Instant.now().plusSeconds(20), Instant.now().plusSeconds(31));
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
        seen::complete);
    monitor.start();
    try {
      metadata.announce(Instant.now());
      assertThat(seen.get(10, TimeUnit.SECONDS).detail()).isEqualTo("instance/preempted=TRUE");
    } finally {
      monitor.close();
    }
  }

  @Test
  void awsNoticeWithoutAReadableTimeMeansTwoMinutes() {
    assertThat(PreemptionMonitor.awsTime("{\"action\": \"stop\"}"))
        .isBetween(Instant.now().plusSeconds(110), Instant.now().plusSeconds(121));
  }
}
