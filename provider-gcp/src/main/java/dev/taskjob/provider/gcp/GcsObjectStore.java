package dev.taskjob.provider.gcp;

import com.google.api.gax.paging.Page;
import com.google.cloud.BaseServiceException;
import com.google.cloud.NoCredentials;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderConfig.Keys;
import dev.taskjob.core.store.ObjectStore;
import dev.taskjob.core.store.StoreException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An {@link ObjectStore} under a {@code gs://bucket/prefix} location, over Cloud Storage's JSON API
 * (google-cloud-storage, HTTP transport) with the job's service account key or Application Default
 * Credentials. {@link Keys#STORAGE_ENDPOINT} (else {@code STORAGE_EMULATOR_HOST}, as other Cloud Storage
 * clients read it) points it at another host; a plain {@code http://} one is used without credentials, as
 * for a local fake.
 */
public final class GcsObjectStore implements ObjectStore {

  /** Cloud Storage bucket names: 3 to 63 lower-case letters, digits, dots, hyphens and underscores. */
  static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]");

  private final Storage storage;
  private final String bucket;
  private final String prefix;
  private final String location;

  GcsObjectStore(ProviderConfig config, URI location) {
    // getAuthority, not getHost: a bucket name may hold '_', which no host name does.
    String name = location.getAuthority();
    if (!"gs".equals(location.getScheme()) || name == null || !BUCKET.matcher(name).matches()) {
      throw new IllegalArgumentException("expected gs://bucket/prefix with a valid bucket name, got " + location);
    }
    this.bucket = name;
    String path = location.getPath() == null ? "" : location.getPath().replaceAll("^/+|/+$", "");
    this.prefix = path.isEmpty() ? "" : path + "/";
    this.location = "gs://" + bucket + "/" + prefix;
    this.storage = client(config);
  }

  private static Storage client(ProviderConfig config) {
    StorageOptions.Builder options = StorageOptions.http();
    String project = config.property(Keys.PROJECT);
    if (project != null && !project.isBlank()) {
      options.setProjectId(project.trim());
    }
    String endpoint = config.property(Keys.STORAGE_ENDPOINT, System.getenv("STORAGE_EMULATOR_HOST"));
    if (endpoint != null && !endpoint.isBlank()) {
      options.setHost(endpoint.trim());
      if (endpoint.trim().startsWith("http://")) {
        options.setCredentials(NoCredentials.getInstance());
        if (project == null || project.isBlank()) {
          options.setProjectId("local"); // no project is looked up for a local fake
        }
        return options.build().getService();
      }
    }
    GcpClients.serviceAccount(config).ifPresent(options::setCredentials);
    return options.build().getService();
  }

  @Override
  public void put(String key, byte[] content) {
    try {
      storage.create(BlobInfo.newBuilder(BlobId.of(bucket, prefix + key)).build(), content);
    } catch (BaseServiceException e) {
      throw new StoreException("cannot write " + location + key + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<byte[]> get(String key) {
    try {
      return Optional.of(storage.readAllBytes(BlobId.of(bucket, prefix + key)));
    } catch (StorageException e) {
      if (e.getCode() == 404) {
        return Optional.empty();
      }
      throw new StoreException("cannot read " + location + key + ": " + e.getMessage(), e);
    } catch (BaseServiceException e) {
      throw new StoreException("cannot read " + location + key + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<String> list(String keyPrefix) {
    try {
      List<String> keys = new ArrayList<>();
      Page<Blob> page = storage.list(bucket, Storage.BlobListOption.prefix(prefix + keyPrefix));
      for (Blob blob : page.iterateAll()) {
        keys.add(blob.getName().substring(prefix.length()));
      }
      keys.sort(null);
      return keys;
    } catch (BaseServiceException e) {
      throw new StoreException("cannot list " + location + keyPrefix + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void deleteAll(String keyPrefix) {
    for (String key : list(keyPrefix)) {
      try {
        storage.delete(BlobId.of(bucket, prefix + key)); // false (already gone) is fine
      } catch (BaseServiceException e) {
        throw new StoreException("cannot delete " + location + key + ": " + e.getMessage(), e);
      }
    }
  }

  @Override
  public String location() {
    return location;
  }

  @Override
  public void close() {
    try {
      storage.close();
    } catch (Exception e) {
      throw new StoreException("cannot close the Cloud Storage client for " + location + ": " + e.getMessage(), e);
    }
  }
}
