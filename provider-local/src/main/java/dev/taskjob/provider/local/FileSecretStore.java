package dev.taskjob.provider.local;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.SecretStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;

/**
 * A job's secret values in {@code <root>/secrets/<scope>.json}: the directory mode 0700, the file 0600
 * from its creation (written to a 0600 temporary file, then renamed), so only the user running the
 * operator and its local workers can read them.
 */
final class FileSecretStore implements SecretStore {

  private static final int MAX_VALUE_BYTES = 32768;

  private final Path dir;

  FileSecretStore(ProviderConfig config) {
    this(LocalCloudProvider.rootOf(config).toAbsolutePath().resolve("secrets"));
  }

  FileSecretStore(Path dir) {
    this.dir = dir;
  }

  Path file(String scope) {
    if (!scope.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException("secret scope '" + scope + "': letters, digits, '.', '_' and '-' only");
    }
    return dir.resolve(scope + ".json");
  }

  @Override
  public int maxValueBytes() {
    return MAX_VALUE_BYTES;
  }

  @Override
  public void put(String scope, Map<String, String> values) {
    Path target = file(scope);
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      Path temp = Files.createTempFile(dir, scope, ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try {
        Files.write(temp, Json.MAPPER.writeValueAsBytes(new TreeMap<>(values)));
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store secret values in " + target, e);
    }
  }

  @Override
  public Map<String, String> read(String scope) {
    Path source = file(scope);
    if (!Files.exists(source)) {
      return Map.of();
    }
    try {
      return Json.MAPPER.readValue(source.toFile(), new TypeReference<TreeMap<String, String>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read secret values from " + source, e);
    }
  }

  @Override
  public void delete(String scope) {
    try {
      Files.deleteIfExists(file(scope));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete secret values " + file(scope), e);
    }
  }
}
