package dev.taskjob.provider.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

/** How a list of messages is cut into publish requests (Pub/Sub's limits: 1,000 messages, 10 MB a request). */
class PubSubBulkPublisherTest {

  private static List<PubsubMessage> messages(int count, int bytes) {
    PubsubMessage m = PubsubMessage.newBuilder().setData(ByteString.copyFrom(new byte[bytes])).build();
    return Collections.nCopies(count, m);
  }

  private static List<List<Integer>> ranges(List<PubsubMessage> messages) {
    return PubSubBulkPublisher.requests(messages).stream().map(r -> List.of(r[0], r[1])).toList();
  }

  @Test
  void requestsHoldAtMostAThousandMessages() {
    assertThat(ranges(messages(2500, 100))).containsExactly(List.of(0, 1000), List.of(1000, 2000), List.of(2000, 2500));
    assertThat(ranges(messages(1000, 100))).containsExactly(List.of(0, 1000));
    assertThat(ranges(messages(1, 100))).containsExactly(List.of(0, 1));
    assertThat(ranges(messages(0, 100))).isEmpty();
  }

  @Test
  void requestsStayUnderTheRequestSizeLimit() {
    assertThat(ranges(messages(5, 4_000_000))).containsExactly(List.of(0, 2), List.of(2, 4), List.of(4, 5));
    // A message as large as Pub/Sub allows goes alone.
    assertThat(ranges(messages(2, 10_000_000))).containsExactly(List.of(0, 1), List.of(1, 2));
  }
}
