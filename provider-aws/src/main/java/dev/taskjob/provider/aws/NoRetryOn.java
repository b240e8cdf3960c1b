package dev.taskjob.provider.aws;

import java.util.function.Predicate;
import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.AcquireInitialTokenResponse;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RecordSuccessRequest;
import software.amazon.awssdk.retries.api.RecordSuccessResponse;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenResponse;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.retries.api.TokenAcquisitionFailedException;

/**
 * An SDK retry strategy that never retries failures matching {@code excluded} and otherwise is {@code retries}.
 * The SDK's strategies only add reasons to retry; EC2 answers InsufficientInstanceCapacity with HTTP 500,
 * which the standard strategy retries for seconds, while the pool wants it at once to try another zone.
 * Refusing the retry token is how the standard strategy itself stops: the SDK then throws the failure.
 */
final class NoRetryOn implements RetryStrategy {

  private final RetryStrategy retries;
  private final Predicate<Throwable> excluded;

  NoRetryOn(RetryStrategy retries, Predicate<Throwable> excluded) {
    this.retries = retries;
    this.excluded = excluded;
  }

  @Override
  public AcquireInitialTokenResponse acquireInitialToken(AcquireInitialTokenRequest request) {
    return retries.acquireInitialToken(request);
  }

  @Override
  public RefreshRetryTokenResponse refreshRetryToken(RefreshRetryTokenRequest request) {
    if (excluded.test(request.failure())) {
      throw new TokenAcquisitionFailedException("not retried: the caller handles this failure itself",
          request.token(), request.failure());
    }
    return retries.refreshRetryToken(request);
  }

  @Override
  public RecordSuccessResponse recordSuccess(RecordSuccessRequest request) {
    return retries.recordSuccess(request);
  }

  @Override
  public int maxAttempts() {
    return retries.maxAttempts();
  }

  @Override
  public boolean useClientDefaults() {
    return retries.useClientDefaults();
  }

  @Override
  public Builder toBuilder() {
    return new Builder(retries.toBuilder(), excluded);
  }

  @Override
  public void close() {
    retries.close();
  }

  /** Builds the wrapped strategy and keeps the exclusion. */
  static final class Builder implements RetryStrategy.Builder<Builder, NoRetryOn> {

    private final RetryStrategy.Builder<?, ?> retries;
    private final Predicate<Throwable> excluded;

    Builder(RetryStrategy.Builder<?, ?> retries, Predicate<Throwable> excluded) {
      this.retries = retries;
      this.excluded = excluded;
    }

    @Override
    public Builder retryOnException(Predicate<Throwable> shouldRetry) {
      retries.retryOnException(shouldRetry);
      return this;
    }

    @Override
    public Builder maxAttempts(int maxAttempts) {
      retries.maxAttempts(maxAttempts);
      return this;
    }

    @Override
    public Builder backoffStrategy(BackoffStrategy backoffStrategy) {
      retries.backoffStrategy(backoffStrategy);
      return this;
    }

    @Override
    public Builder throttlingBackoffStrategy(BackoffStrategy backoffStrategy) {
      retries.throttlingBackoffStrategy(backoffStrategy);
      return this;
    }

    @Override
    public Builder treatAsThrottling(Predicate<Throwable> treatAsThrottling) {
      retries.treatAsThrottling(treatAsThrottling);
      return this;
    }

    @Override
    public Builder useClientDefaults(boolean useClientDefaults) {
      retries.useClientDefaults(useClientDefaults);
      return this;
    }

    @Override
    public NoRetryOn build() {
      return new NoRetryOn(retries.build(), excluded);
    }
  }
}
