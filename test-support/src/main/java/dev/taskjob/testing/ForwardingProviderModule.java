package dev.taskjob.testing;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.cloud.SecretStore;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.store.ObjectStore;
import java.net.URI;
import java.util.Optional;

/**
 * A provider that hands every call to a real one, for tests that change one behaviour (a cloud that notes
 * its creates, a queue that holds its sends) and keep the rest: override only that method.
 */
public abstract class ForwardingProviderModule implements ProviderModule {

  protected final ProviderModule real;

  protected ForwardingProviderModule(ProviderModule real) {
    this.real = real;
  }

  @Override
  public String name() {
    return real.name();
  }

  @Override
  public CloudProvider cloud(ProviderConfig config) {
    return real.cloud(config);
  }

  @Override
  public InstanceCatalog snapshotCatalog(ProviderConfig config) {
    return real.snapshotCatalog(config);
  }

  @Override
  public TaskQueue queue(ProviderConfig config, QueueSettings settings) {
    return real.queue(config, settings);
  }

  @Override
  public Optional<SecretStore> secrets(ProviderConfig config) {
    return real.secrets(config);
  }

  @Override
  public Optional<ObjectStore> objectStore(ProviderConfig config, URI location) {
    return real.objectStore(config, location);
  }
}
