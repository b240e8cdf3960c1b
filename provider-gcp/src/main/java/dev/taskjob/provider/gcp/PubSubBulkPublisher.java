package dev.taskjob.provider.gcp;

import com.google.api.core.ApiFuture;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.api.gax.rpc.UnaryCallable;
import com.google.pubsub.v1.PublishRequest;
import com.google.pubsub.v1.PublishResponse;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.TopicName;
import dev.taskjob.core.queue.QueueException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.IntFunction;

/**
 * Publishes a list of messages straight through Pub/Sub's publish RPC, as few requests as its limits allow
 * (1,000 messages, about 10 MB each), all in flight at once. A task loader's batch becomes one request, with
 * no per-message future or batching thread as in the client library's {@code Publisher}.
 *
 * <p>A request is all or nothing: Pub/Sub accepts every message in it (one message id each, checked) or none.
 * A request that failed with a retryable error is sent again, whole, up to {@link #MAX_ATTEMPTS} times with
 * doubling waits (the RPC's own retry settings apply inside each attempt); a refused one (not retryable)
 * fails at once. Either way the caller learns through a {@link QueueException} whether a later try may help;
 * requests that succeeded before it stay published, which at-least-once delivery allows.
 */
final class PubSubBulkPublisher {

  static final int MAX_MESSAGES_PER_REQUEST = 1000;
  /** Under Pub/Sub's 10 MB per request, leaving room for the request's own fields. */
  static final long MAX_REQUEST_BYTES = 9_500_000;
  /** Bytes a message adds to a request beyond its data: its field tag and lengths. */
  private static final int MESSAGE_OVERHEAD_BYTES = 16;
  static final int MAX_ATTEMPTS = 6;

  private final UnaryCallable<PublishRequest, PublishResponse> publish;
  private final Duration firstBackoff;

  PubSubBulkPublisher(UnaryCallable<PublishRequest, PublishResponse> publish, Duration firstBackoff) {
    this.publish = publish;
    this.firstBackoff = firstBackoff;
  }

  /**
   * Publishes {@code messages} to {@code topic} and returns once every one is accepted. {@code describe} names
   * the message at an index of the list in errors.
   */
  void publish(TopicName topic, List<PubsubMessage> messages, IntFunction<String> describe) {
    List<int[]> pending = requests(messages);
    long backoffMillis = firstBackoff.toMillis();
    for (int attempt = 1; !pending.isEmpty(); attempt++) {
      List<ApiFuture<PublishResponse>> futures = new ArrayList<>(pending.size());
      for (int[] range : pending) {
        futures.add(publish.futureCall(PublishRequest.newBuilder().setTopic(topic.toString())
            .addAllMessages(messages.subList(range[0], range[1])).build()));
      }
      List<int[]> failed = new ArrayList<>();
      ApiException lastError = null;
      for (int k = 0; k < futures.size(); k++) {
        int[] range = pending.get(k);
        try {
          int ids = futures.get(k).get().getMessageIdsCount();
          if (ids != range[1] - range[0]) {
            throw new QueueException("Pub/Sub answered " + ids + " message ids for a request of " + (range[1] - range[0])
                + " messages to " + topic.getTopic(), true);
          }
        } catch (ExecutionException e) {
          if (e.getCause() instanceof NotFoundException nf) {
            throw new QueueException("cannot publish to " + topic.getTopic() + ": the Pub/Sub topic does not exist", false, nf);
          } else if (e.getCause() instanceof ApiException api && api.isRetryable()) {
            failed.add(range);
            lastError = api;
          } else {
            throw new QueueException("Pub/Sub refused a request of " + (range[1] - range[0]) + " messages ("
                + describe.apply(range[0]) + (range[1] - range[0] > 1 ? " to " + describe.apply(range[1] - 1) : "") + "): "
                + e.getCause().getMessage(), false, e.getCause());
          }
        } catch (InterruptedException e) {
          futures.forEach(f -> f.cancel(true));
          Thread.currentThread().interrupt();
          throw new QueueException("interrupted while publishing to " + topic.getTopic(), true, e);
        }
      }
      if (!failed.isEmpty() && attempt >= MAX_ATTEMPTS) {
        int messagesFailed = failed.stream().mapToInt(r -> r[1] - r[0]).sum();
        throw new QueueException("Pub/Sub kept failing " + messagesFailed + " messages to " + topic.getTopic() + " after "
            + attempt + " attempts: " + lastError.getMessage(), true, lastError);
      }
      if (!failed.isEmpty()) {
        sleep(backoffMillis);
        backoffMillis = Math.min(backoffMillis * 2, 5_000);
      }
      pending = failed;
    }
  }

  /** The list cut into requests within Pub/Sub's limits, as index ranges [from, to); at least one message each. */
  static List<int[]> requests(List<PubsubMessage> messages) {
    List<int[]> out = new ArrayList<>();
    int from = 0;
    long bytes = 0;
    for (int i = 0; i < messages.size(); i++) {
      long size = messages.get(i).getData().size() + MESSAGE_OVERHEAD_BYTES;
      if (i > from && (i - from >= MAX_MESSAGES_PER_REQUEST || bytes + size > MAX_REQUEST_BYTES)) {
        out.add(new int[] {from, i});
        from = i;
        bytes = 0;
      }
      bytes += size;
    }
    if (from < messages.size()) {
      out.add(new int[] {from, messages.size()});
    }
    return out;
  }

  private static void sleep(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueException("interrupted while publishing to Pub/Sub", true, e);
    }
  }
}
