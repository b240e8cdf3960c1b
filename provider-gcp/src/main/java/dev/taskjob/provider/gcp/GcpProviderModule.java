package dev.taskjob.provider.gcp;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.PriceOverrides;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.cloud.SecretStore;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.store.ObjectStore;
import java.net.URI;
import java.util.Optional;

/** The "gcp" provider, found by {@link java.util.ServiceLoader}. */
public final class GcpProviderModule implements ProviderModule {

  @Override
  public String name() {
    return "gcp";
  }

  @Override
  public CloudProvider cloud(ProviderConfig config) {
    return new GceCloudProvider(config);
  }

  /** From the bundled price snapshot, without building a Compute Engine or Billing client. */
  @Override
  public InstanceCatalog snapshotCatalog(ProviderConfig config) {
    return PriceOverrides.fromConfig(config).apply(GcpPriceSnapshot.load().catalog(GcpClients.region(config)));
  }

  /** {@code gs://bucket/prefix} locations. */
  @Override
  public Optional<ObjectStore> objectStore(ProviderConfig config, URI location) {
    return "gs".equals(location.getScheme()) ? Optional.of(new GcsObjectStore(config, location)) : Optional.empty();
  }

  @Override
  public TaskQueue queue(ProviderConfig config, QueueSettings settings) {
    return PubSubTaskQueue.create(config, settings);
  }

  /** Secret Manager, read on the VM with its service account. */
  @Override
  public Optional<SecretStore> secrets(ProviderConfig config) {
    return Optional.of(SecretManagerStore.open(config));
  }
}
