package dev.taskjob.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.cloud.SecretStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSecretStoreTest {

  @TempDir Path root;

  private SecretStore store() {
    return Providers.get("local").secrets(new ProviderConfig("local", null, List.of(),
        Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString()))).orElseThrow();
  }

  @Test
  void keepsValuesInAFileOnlyItsOwnerCanReadAndDeletesIt() throws Exception {
    SecretStore store = store();
    store.put("tj-default-job-0123456789", Map.of("DB_PASSWORD", "pa55\nword"));

    Path file = root.resolve("secrets").resolve("tj-default-job-0123456789.json");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    assertThat(store.read("tj-default-job-0123456789")).containsExactlyEntriesOf(Map.of("DB_PASSWORD", "pa55\nword"));
    try (var left = Files.list(file.getParent())) {
      assertThat(left).as("no temporary file left").containsExactly(file);
    }

    store.delete("tj-default-job-0123456789");

    assertThat(file).doesNotExist();
    assertThat(store.read("tj-default-job-0123456789")).isEmpty();
  }

  @Test
  void refusesAScopeThatIsNotAPlainFileName() {
    assertThatThrownBy(() -> store().put("../escape", Map.of("A", "b")))
        .hasMessageContaining("secret scope '../escape'");
  }
}
