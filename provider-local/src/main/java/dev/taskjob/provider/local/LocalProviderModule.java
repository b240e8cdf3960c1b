package dev.taskjob.provider.local;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.cloud.SecretStore;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import java.util.Optional;

/** The "local" provider, found by {@link java.util.ServiceLoader}. */
public final class LocalProviderModule implements ProviderModule {

  @Override
  public String name() {
    return "local";
  }

  @Override
  public CloudProvider cloud(ProviderConfig config) {
    return new LocalCloudProvider(config);
  }

  @Override
  public TaskQueue queue(ProviderConfig config, QueueSettings settings) {
    return new LocalTaskQueue(LocalTaskQueue.root(config), settings, LocalTaskQueue.eventLease(config));
  }

  @Override
  public Optional<SecretStore> secrets(ProviderConfig config) {
    return Optional.of(new FileSecretStore(config));
  }
}
