package dev.taskjob.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event queue's batched deliveries: one lease file per segment read, acked whole. */
class BatchedMessageDirectoryTest {

  @TempDir Path root;

  private MessageDirectory batchedQueueWithThreeSegments() {
    MessageDirectory events = new MessageDirectory("events", root.resolve("events"), true);
    events.create();
    events.append(List.of("a1", "a2"));
    events.append(List.of("b1", "b2"));
    events.append(List.of("c1", "c2"));
    return events;
  }

  @Test
  void oneReceiveLeasesEachSegmentReadAsOneFile() throws Exception {
    MessageDirectory events = batchedQueueWithThreeSegments();

    List<MessageDirectory.Message> got = events.receive(100, Duration.ofMinutes(5), Duration.ZERO, 0, null);

    assertThat(got).extracting(MessageDirectory.Message::body).containsExactly("a1", "a2", "b1", "b2", "c1", "c2");
    try (Stream<Path> active = Files.list(root.resolve("events").resolve("active"))) {
      assertThat(active.count()).isEqualTo(3);
    }
    events.deleteBatches(got.stream().map(MessageDirectory.Message::receipt).toList());
    assertThat(events.counts(0).total()).isZero();
  }

  @Test
  void aBatchAckedInPartComesBackWholeAndAnAckedOneDoesNot() {
    MessageDirectory events = batchedQueueWithThreeSegments();
    // A zero lease makes every delivery ready again at once, so redelivery needs no waiting.
    List<MessageDirectory.Message> first = events.receive(100, Duration.ZERO, Duration.ZERO, 0, null);

    events.deleteBatches(List.of(first.get(0).receipt(), first.get(1).receipt(), first.get(2).receipt()));
    List<MessageDirectory.Message> again = events.receive(100, Duration.ofMinutes(5), Duration.ZERO, 0, null);

    assertThat(again).extracting(MessageDirectory.Message::body).containsExactlyInAnyOrder("b1", "b2", "c1", "c2");
    assertThat(again).allSatisfy(m -> assertThat(m.attempt()).isEqualTo(2));
  }

  @Test
  void aRedeliveredBatchIsNotSplitToFitASmallerReceive() {
    MessageDirectory events = batchedQueueWithThreeSegments();
    events.receive(100, Duration.ZERO, Duration.ZERO, 0, null);

    List<MessageDirectory.Message> got = events.receive(3, Duration.ofMinutes(5), Duration.ZERO, 0, null);

    assertThat(got).hasSize(2);
    assertThat(got.get(0).receipt().substring(0, got.get(0).receipt().indexOf('#')))
        .isEqualTo(got.get(1).receipt().substring(0, got.get(1).receipt().indexOf('#')));
  }
}
