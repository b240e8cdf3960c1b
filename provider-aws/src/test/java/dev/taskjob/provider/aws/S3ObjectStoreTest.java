package dev.taskjob.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.store.ObjectStore;
import dev.taskjob.core.store.StoreException;
import dev.taskjob.testing.MotoServerExtension;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** Against a real moto_server's S3. */
class S3ObjectStoreTest {

  @RegisterExtension static final MotoServerExtension MOTO = new MotoServerExtension();

  private ProviderConfig config() {
    return new ProviderConfig("aws", "us-east-1", null, Map.of(ProviderConfig.Keys.AWS_ENDPOINT, MOTO.endpoint().toString(),
        AwsClientConfig.ACCESS_KEY_ID, "testing", AwsClientConfig.SECRET_ACCESS_KEY, "testing"));
  }

  private void createBucket(String name) {
    try (S3Client s3 = S3Client.builder().region(Region.US_EAST_1).endpointOverride(MOTO.endpoint())
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
        .build()) {
      s3.createBucket(b -> b.bucket(name));
    }
  }

  @Test
  void writesReplacesListsReadsAndDeletesUnderItsPrefix() {
    createBucket("job-results");
    ObjectStore store = Providers.get("aws").objectStore(config(), URI.create("s3://job-results/runs/")).orElseThrow();
    ObjectStore neighbour = Providers.get("aws").objectStore(config(), URI.create("s3://job-results/other")).orElseThrow();
    neighbour.put("keep.txt", bytes("not ours"));

    store.put("ns/job/uid/events/0001-000000.jsonl.gz", bytes("one"));
    store.put("ns/job/uid/events/0001-000000.jsonl.gz", bytes("one, then more"));
    store.put("ns/job/uid/results/0001-000000.jsonl.gz", bytes("r"));

    assertThat(store.location()).isEqualTo("s3://job-results/runs/");
    assertThat(store.list("ns/job/uid/")).containsExactly("ns/job/uid/events/0001-000000.jsonl.gz",
        "ns/job/uid/results/0001-000000.jsonl.gz");
    assertThat(store.get("ns/job/uid/events/0001-000000.jsonl.gz")).hasValue(bytes("one, then more"));
    assertThat(store.get("ns/job/uid/none")).isEmpty();

    store.deleteAll("ns/job/uid/");
    assertThat(store.list("")).isEmpty();
    assertThat(neighbour.list("")).containsExactly("keep.txt");
  }

  @Test
  void aMissingBucketIsAnErrorNamingTheLocation() {
    ObjectStore store = Providers.get("aws").objectStore(config(), URI.create("s3://no-such-bucket/x")).orElseThrow();
    assertThatThrownBy(() -> store.put("k", bytes("v"))).isInstanceOf(StoreException.class)
        .hasMessageContaining("s3://no-such-bucket/x/k");
  }

  @Test
  void servesOnlyS3Locations() {
    assertThat(Providers.get("aws").objectStore(config(), URI.create("gs://bucket/x"))).isEmpty();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
