package dev.taskjob.operator.reconciler;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A provider whose clouds ignore terminate calls until {@link #release()}: a job that has started its drain
 * stays Draining (its instances still run) for as long as a test needs, whatever the machine's speed. The
 * pool asks again at every look, so the first look after the release terminates them.
 */
final class HeldTerminations implements ProviderModule {

  private final ProviderModule real;
  private final AtomicBoolean held = new AtomicBoolean(true);

  HeldTerminations(ProviderModule real) {
    this.real = real;
  }

  void release() {
    held.set(false);
  }

  @Override
  public String name() {
    return real.name();
  }

  @Override
  public TaskQueue queue(ProviderConfig config, QueueSettings settings) {
    return real.queue(config, settings);
  }

  @Override
  public CloudProvider cloud(ProviderConfig config) {
    CloudProvider cloud = real.cloud(config);
    return new CloudProvider() {
      @Override public String name() { return cloud.name(); }
      @Override public InstanceCatalog catalog() { return cloud.catalog(); }
      @Override public Instance create(CreateInstanceRequest request) { return cloud.create(request); }
      @Override public List<Instance> list(Map<String, String> tags) { return cloud.list(tags); }
      @Override public List<String> disks(Map<String, String> tags) { return cloud.disks(tags); }
      @Override public void close() { cloud.close(); }

      @Override
      public void terminate(Collection<String> instanceIds) {
        if (!held.get()) {
          cloud.terminate(instanceIds);
        }
      }
    };
  }
}
