package dev.taskjob.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.cloud.SecretStore;
import dev.taskjob.testing.MotoServerExtension;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** A job's secret env values in SSM Parameter Store on moto: stored encrypted, read back, deleted with the job. */
class SsmSecretStoreTest {

  @RegisterExtension static final MotoServerExtension MOTO = new MotoServerExtension();

  private static ProviderConfig config() {
    return new ProviderConfig("aws", MotoServerExtension.REGION, null, Map.of(
        ProviderConfig.Keys.AWS_ENDPOINT, MOTO.endpoint().toString(),
        AwsClientConfig.ACCESS_KEY_ID, "test", AwsClientConfig.SECRET_ACCESS_KEY, "test"));
  }

  @Test
  void storesSecureStringsUnderTheJobsPathReadsThemBackAndDeletesThem() {
    try (SecretStore store = Providers.get("aws").secrets(config()).orElseThrow();
        var ssm = AwsClients.ssm(config())) {
      store.put("tj-team-a-job-0123456789", Map.of("DB_PASSWORD", "pa55 word", "API_TOKEN", "t0k3n"));
      store.put("tj-team-b-other-9876543210", Map.of("DB_PASSWORD", "not yours"));

      assertThat(store.read("tj-team-a-job-0123456789"))
          .containsExactlyInAnyOrderEntriesOf(Map.of("DB_PASSWORD", "pa55 word", "API_TOKEN", "t0k3n"));
      var stored = ssm.getParameter(r -> r.name("/taskjob/tj-team-a-job-0123456789/DB_PASSWORD")).parameter();
      assertThat(stored.type()).isEqualTo(ParameterType.SECURE_STRING);

      store.delete("tj-team-a-job-0123456789");

      assertThat(store.read("tj-team-a-job-0123456789")).isEmpty();
      assertThat(store.read("tj-team-b-other-9876543210")).containsExactlyEntriesOf(Map.of("DB_PASSWORD", "not yours"));
      store.delete("tj-team-b-other-9876543210");
      store.delete("tj-never-stored-0000000000");
    }
  }

  @Test
  void deletesMoreParametersThanOneDeleteCallTakes() {
    Map<String, String> many = IntStream.range(0, 23).boxed()
        .collect(Collectors.toMap(i -> "VAR_" + i, i -> "value-" + i));
    try (SecretStore store = Providers.get("aws").secrets(config()).orElseThrow()) {
      store.put("tj-many-1111111111", many);
      assertThat(store.read("tj-many-1111111111")).hasSize(23);

      store.delete("tj-many-1111111111");

      assertThat(store.read("tj-many-1111111111")).isEmpty();
    }
  }
}
