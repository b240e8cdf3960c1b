package dev.taskjob.provider.aws;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.store.ObjectStore;
import dev.taskjob.core.store.StoreException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An {@link ObjectStore} under an {@code s3://bucket/prefix} location, with the job's AWS credentials,
 * region and endpoint ({@link AwsClientConfig}). Path-style addressing when an endpoint is overridden
 * (S3-compatible servers rarely resolve bucket host names).
 */
public final class S3ObjectStore implements ObjectStore {

  private final S3Client s3;
  private final String bucket;
  private final String prefix;
  private final String location;

  S3ObjectStore(ProviderConfig config, URI location) {
    if (!"s3".equals(location.getScheme()) || location.getHost() == null || location.getHost().isBlank()) {
      throw new IllegalArgumentException("expected s3://bucket/prefix, got " + location);
    }
    this.bucket = location.getHost();
    String path = location.getPath() == null ? "" : location.getPath().replaceAll("^/+|/+$", "");
    this.prefix = path.isEmpty() ? "" : path + "/";
    this.location = "s3://" + bucket + "/" + prefix;
    URI endpoint = AwsClientConfig.endpoint(config);
    var builder = S3Client.builder()
        .region(AwsClientConfig.region(config))
        .credentialsProvider(AwsClientConfig.credentials(config))
        .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(Duration.ofSeconds(60)))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
            .maxAttempts(AwsClients.maxAttempts(config, 8)).build()));
    if (endpoint != null) {
      builder.endpointOverride(endpoint).forcePathStyle(true);
    }
    this.s3 = builder.build();
  }

  @Override
  public void put(String key, byte[] content) {
    try {
      s3.putObject(b -> b.bucket(bucket).key(prefix + key), RequestBody.fromBytes(content));
    } catch (SdkException e) {
      throw new StoreException("cannot write " + location + key + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<byte[]> get(String key) {
    try {
      return Optional.of(s3.getObjectAsBytes(b -> b.bucket(bucket).key(prefix + key)).asByteArray());
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (SdkException e) {
      throw new StoreException("cannot read " + location + key + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<String> list(String keyPrefix) {
    try {
      List<String> keys = new ArrayList<>();
      for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix + keyPrefix)).contents()) {
        keys.add(o.key().substring(prefix.length()));
      }
      keys.sort(null);
      return keys;
    } catch (SdkException e) {
      throw new StoreException("cannot list " + location + keyPrefix + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void deleteAll(String keyPrefix) {
    List<String> keys = list(keyPrefix);
    try {
      for (int from = 0; from < keys.size(); from += 1000) {
        List<ObjectIdentifier> batch = keys.subList(from, Math.min(keys.size(), from + 1000)).stream()
            .map(k -> ObjectIdentifier.builder().key(prefix + k).build()).toList();
        s3.deleteObjects(b -> b.bucket(bucket).delete(Delete.builder().objects(batch).quiet(true).build()));
      }
    } catch (SdkException e) {
      throw new StoreException("cannot delete under " + location + keyPrefix + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String location() {
    return location;
  }

  @Override
  public void close() {
    s3.close();
  }
}
