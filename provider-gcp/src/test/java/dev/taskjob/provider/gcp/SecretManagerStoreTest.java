package dev.taskjob.provider.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.SecretStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gcp secret store through the real Secret Manager client library, against {@link FakeSecretManager}: a
 * hand-written fake of the service's gRPC calls (Secret Manager has no emulator), so what is checked is the
 * calls and names this store makes, not Google's service itself.
 */
class SecretManagerStoreTest {

  private static final String PROJECT = "my-project";

  private FakeSecretManager fake;
  private SecretStore store;

  @BeforeEach
  void start() throws Exception {
    fake = new FakeSecretManager();
    store = new GcpProviderModule().secrets(new ProviderConfig("gcp", "us-central1", List.of(),
        Map.of(ProviderConfig.Keys.PROJECT, PROJECT, GcpKeys.SECRET_MANAGER_ENDPOINT, fake.endpoint()))).orElseThrow();
  }

  @AfterEach
  void stop() throws Exception {
    store.close();
    fake.close();
  }

  @Test
  void aJobsValuesAreStoredOneSecretPerVariableReadBackAndDeletedWithoutTouchingAnotherJobs() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("DB_PASSWORD", "hunter2");
    values.put("API_KEY", "k-\u00e9\u00e8-123");
    values.put("TOKEN", "t".repeat(60_000));
    store.put("tj-team-a-job-1-0a1b2c", values);
    store.put("tj-team-a-job-10-9f8e7d", Map.of("DB_PASSWORD", "other job"));

    assertThat(fake.secretNames()).containsExactlyInAnyOrder(
        "projects/my-project/secrets/tj-team-a-job-1-0a1b2c__DB_PASSWORD",
        "projects/my-project/secrets/tj-team-a-job-1-0a1b2c__API_KEY",
        "projects/my-project/secrets/tj-team-a-job-1-0a1b2c__TOKEN",
        "projects/my-project/secrets/tj-team-a-job-10-9f8e7d__DB_PASSWORD");
    assertThat(fake.secret("projects/my-project/secrets/tj-team-a-job-1-0a1b2c__TOKEN").getLabelsMap())
        .containsEntry(SecretManagerStore.SCOPE_LABEL, SecretManagerStore.scopeLabel("tj-team-a-job-1-0a1b2c"));
    assertThat(fake.secret("projects/my-project/secrets/tj-team-a-job-1-0a1b2c__TOKEN").getReplication()
        .hasAutomatic()).isTrue();

    assertThat(store.read("tj-team-a-job-1-0a1b2c")).isEqualTo(values);
    assertThat(store.read("tj-team-a-job-10-9f8e7d")).isEqualTo(Map.of("DB_PASSWORD", "other job"));

    store.delete("tj-team-a-job-1-0a1b2c");
    assertThat(store.read("tj-team-a-job-1-0a1b2c")).isEmpty();
    assertThat(fake.secretNames()).containsExactly("projects/my-project/secrets/tj-team-a-job-10-9f8e7d__DB_PASSWORD");
    store.delete("tj-team-a-job-1-0a1b2c"); // nothing stored is not an error
  }

  @Test
  void storingAgainReplacesTheValueWithANewVersion() {
    store.put("tj-default-retry-1a2b3c", Map.of("DB_PASSWORD", "first"));
    store.put("tj-default-retry-1a2b3c", Map.of("DB_PASSWORD", "second"));

    assertThat(store.read("tj-default-retry-1a2b3c")).isEqualTo(Map.of("DB_PASSWORD", "second"));
    assertThat(fake.versions("projects/my-project/secrets/tj-default-retry-1a2b3c__DB_PASSWORD")).isEqualTo(2);
  }

  @Test
  void theScopeLabelIsAValidLabelValueForAnyScope() {
    for (String scope : List.of("tj-default-x-0a", "tj-" + "a".repeat(200) + "-ff")) {
      assertThat(SecretManagerStore.scopeLabel(scope)).matches("[a-z][a-z0-9_-]{0,62}");
    }
    assertThat(SecretManagerStore.scopeLabel("tj-a")).isNotEqualTo(SecretManagerStore.scopeLabel("tj-b"));
    assertThat(store.maxValueBytes()).isEqualTo(65_536);
  }
}
