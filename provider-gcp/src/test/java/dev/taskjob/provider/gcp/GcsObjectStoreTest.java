package dev.taskjob.provider.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderConfig.Keys;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.store.ObjectStore;
import dev.taskjob.core.store.StoreException;
import dev.taskjob.testing.FakeCloudStorage;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against {@link FakeCloudStorage}: no Cloud Storage emulator exists here, so a hand-written fake of the JSON
 * API at the HTTP level stands in; the store talks to it through the real google-cloud-storage client.
 */
class GcsObjectStoreTest {

  private static FakeCloudStorage gcs;

  @BeforeAll
  static void start() throws Exception {
    gcs = new FakeCloudStorage();
  }

  @AfterAll
  static void stop() {
    gcs.close();
  }

  private static ProviderConfig config() {
    return new ProviderConfig("gcp", "us-central1", List.of(),
        Map.of(Keys.PROJECT, "taskjob-test", Keys.STORAGE_ENDPOINT, gcs.endpoint()));
  }

  private static ObjectStore open(String uri) {
    return Providers.get("gcp").objectStore(config(), URI.create(uri)).orElseThrow();
  }

  @Test
  void writesReplacesListsReadsAndDeletesUnderItsPrefix() {
    gcs.createBucket("job-results");
    try (ObjectStore store = open("gs://job-results/runs/"); ObjectStore neighbour = open("gs://job-results/other")) {
      neighbour.put("keep.txt", bytes("not ours"));

      store.put("ns/job/uid/events/0001-000000.jsonl.gz", bytes("one"));
      store.put("ns/job/uid/events/0001-000000.jsonl.gz", bytes("one, then more"));
      store.put("ns/job/uid/results/0001-000000.jsonl.gz", bytes("r"));

      assertThat(store.location()).isEqualTo("gs://job-results/runs/");
      assertThat(store.list("ns/job/uid/")).containsExactly("ns/job/uid/events/0001-000000.jsonl.gz",
          "ns/job/uid/results/0001-000000.jsonl.gz");
      assertThat(store.get("ns/job/uid/events/0001-000000.jsonl.gz")).hasValue(bytes("one, then more"));
      assertThat(store.get("ns/job/uid/none")).isEmpty();
      assertThat(gcs.objectNames("job-results")).contains("runs/ns/job/uid/results/0001-000000.jsonl.gz");

      store.deleteAll("ns/job/uid/");
      assertThat(store.list("")).isEmpty();
      assertThat(neighbour.list("")).containsExactly("keep.txt");
    }
  }

  @Test
  void keepsBinaryContentIntact() {
    gcs.createBucket("binary_results");
    byte[] gzipLike = new byte[256];
    for (int i = 0; i < gzipLike.length; i++) {
      gzipLike[i] = (byte) i;
    }
    try (ObjectStore store = open("gs://binary_results")) {
      store.put("part.jsonl.gz", gzipLike);
      assertThat(store.get("part.jsonl.gz")).hasValue(gzipLike);
      assertThat(store.location()).isEqualTo("gs://binary_results/");
    }
  }

  @Test
  void aMissingBucketIsAnErrorNamingTheLocation() {
    try (ObjectStore store = open("gs://no-such-bucket/x")) {
      assertThatThrownBy(() -> store.put("k", bytes("v"))).isInstanceOf(StoreException.class)
          .hasMessageContaining("gs://no-such-bucket/x/k");
    }
  }

  @Test
  void servesOnlyGsLocations() {
    assertThat(Providers.get("gcp").objectStore(config(), URI.create("s3://bucket/x"))).isEmpty();
    assertThatThrownBy(() -> open("gs://Not_A_Bucket/x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gs://bucket/prefix");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
