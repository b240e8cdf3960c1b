package dev.taskjob.operator.load;

import java.time.Duration;

/**
 * How the loader sends.
 *
 * @param batchSize tasks per {@code TaskQueue.send} call (the queue splits further into its own request size)
 * @param concurrency sends in flight at once; with {@code batchSize} this bounds the tasks sent twice after a crash
 * @param maxRetries retries of a batch after a retryable queue error, before the load fails
 * @param initialBackoff first wait before a retry; doubles per retry (with jitter) up to {@code maxBackoff}
 * @param maxBackoff longest wait between retries
 * @param maxMessageBytes largest task message the queue accepts (checked while validating, before anything is sent)
 * @param maxDecompressedBytes largest task list accepted once decompressed
 * @param progressInterval least time between two progress reports (the first and last are always reported)
 * @param encodedBytes most bytes of queue messages that {@link TaskLoader#prepare} keeps from validating for sending
 *     (0: none, every task is read again to be sent)
 */
public record LoadOptions(int batchSize, int concurrency, int maxRetries, Duration initialBackoff, Duration maxBackoff,
    long maxMessageBytes, long maxDecompressedBytes, Duration progressInterval, long encodedBytes) {

  public LoadOptions(int batchSize, int concurrency, int maxRetries, Duration initialBackoff, Duration maxBackoff,
      long maxMessageBytes, long maxDecompressedBytes, Duration progressInterval) {
    this(batchSize, concurrency, maxRetries, initialBackoff, maxBackoff, maxMessageBytes, maxDecompressedBytes,
        progressInterval, 0);
  }

  public LoadOptions {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
    }
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
    }
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must be >= 0, was " + maxRetries);
    }
  }

  /**
   * Defaults tuned per provider (see docs/benchmarks.md): SQS takes 10 messages per request, so many
   * requests in flight; Pub/Sub takes a batch of 1,000 in one publish request, and keeps up to 64 MiB of the
   * messages encoded while validating (about 500,000 tasks of 100 bytes) so they are not read and encoded twice; the
   * local queue writes one segment file per batch.
   */
  public static LoadOptions forProvider(String provider) {
    return switch (provider == null ? "" : provider) {
      case "aws" -> new LoadOptions(100, 32, 8, Duration.ofMillis(200), Duration.ofSeconds(20), 256 * 1024,
          Long.MAX_VALUE, Duration.ofMillis(500));
      case "gcp" -> new LoadOptions(1000, 8, 8, Duration.ofMillis(200), Duration.ofSeconds(20), 10_000_000,
          Long.MAX_VALUE, Duration.ofMillis(500), 64L * 1024 * 1024);
      default -> new LoadOptions(1000, 2, 3, Duration.ofMillis(50), Duration.ofSeconds(2), Long.MAX_VALUE,
          Long.MAX_VALUE, Duration.ofMillis(500));
    };
  }

  /** Most tasks that may be sent but not yet covered by a checkpoint: the in-flight window. */
  public long window() {
    return (long) batchSize * concurrency;
  }

  public LoadOptions withBatchSize(int v) {
    return new LoadOptions(v, concurrency, maxRetries, initialBackoff, maxBackoff, maxMessageBytes, maxDecompressedBytes, progressInterval, encodedBytes);
  }

  public LoadOptions withConcurrency(int v) {
    return new LoadOptions(batchSize, v, maxRetries, initialBackoff, maxBackoff, maxMessageBytes, maxDecompressedBytes, progressInterval, encodedBytes);
  }

  public LoadOptions withRetries(int max, Duration initial, Duration longest) {
    return new LoadOptions(batchSize, concurrency, max, initial, longest, maxMessageBytes, maxDecompressedBytes, progressInterval, encodedBytes);
  }

  public LoadOptions withMaxDecompressedBytes(long v) {
    return new LoadOptions(batchSize, concurrency, maxRetries, initialBackoff, maxBackoff, maxMessageBytes, v, progressInterval, encodedBytes);
  }

  public LoadOptions withEncodedBytes(long v) {
    return new LoadOptions(batchSize, concurrency, maxRetries, initialBackoff, maxBackoff, maxMessageBytes, maxDecompressedBytes, progressInterval, v);
  }

  public LoadOptions withProgressInterval(Duration v) {
    return new LoadOptions(batchSize, concurrency, maxRetries, initialBackoff, maxBackoff, maxMessageBytes, maxDecompressedBytes, v, encodedBytes);
  }
}
