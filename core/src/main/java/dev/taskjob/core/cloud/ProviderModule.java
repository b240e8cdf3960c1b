package dev.taskjob.core.cloud;

import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;

/**
 * Entry point of a provider module, found with {@link java.util.ServiceLoader} (see {@link Providers}).
 * The operator and the worker never name a provider class.
 */
public interface ProviderModule {

  /** "aws", "gcp" or "local": the value of a TaskJob's {@code spec.provider}. */
  String name();

  CloudProvider cloud(ProviderConfig config);

  /**
   * The instance catalog priced from the module's bundled snapshot (with the config's price overrides), for
   * listings that must not call the cloud ({@code taskjob instance-types --offline}). Modules that bundle a
   * snapshot override this to build no cloud client; this default builds the provider with
   * {@link ProviderConfig.Keys#CATALOG_SOURCE} {@code snapshot} and reads its catalog.
   */
  default InstanceCatalog snapshotCatalog(ProviderConfig config) {
    java.util.Map<String, String> properties = new java.util.HashMap<>(config.properties());
    properties.put(ProviderConfig.Keys.CATALOG_SOURCE, "snapshot");
    try (CloudProvider cloud = cloud(new ProviderConfig(config.provider(), config.region(), config.zones(), properties))) {
      return cloud.catalog();
    }
  }

  TaskQueue queue(ProviderConfig config, QueueSettings settings);

  /**
   * Where this provider keeps a job's secret environment values (see {@link SecretStore}), or empty when
   * the provider has none; the operator then refuses {@code valueFrom.secretKeyRef} for it.
   */
  default java.util.Optional<SecretStore> secrets(ProviderConfig config) {
    return java.util.Optional.empty();
  }

  /**
   * The object store for a job's output location ({@code spec.output.uri}) when this provider serves its
   * scheme ({@code s3://} for aws), else empty.
   */
  default java.util.Optional<dev.taskjob.core.store.ObjectStore> objectStore(ProviderConfig config,
      java.net.URI location) {
    return java.util.Optional.empty();
  }
}
