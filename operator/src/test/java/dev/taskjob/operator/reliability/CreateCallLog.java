package dev.taskjob.operator.reliability;

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
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real provider whose cloud notes every create call (VM name and idempotency key) before passing it
 * on, so a test can tell a VM created once from a create sent twice. Everything else is the wrapped
 * provider's.
 */
final class CreateCallLog implements ProviderModule {

  /** One create call as the cloud received it. */
  record Call(String name, String idempotencyKey) {}

  private final ProviderModule real;
  private final List<Call> calls = new CopyOnWriteArrayList<>();

  CreateCallLog(ProviderModule real) {
    this.real = real;
  }

  /** Every create call so far, in order. */
  List<Call> calls() {
    return List.copyOf(calls);
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
      @Override public List<Instance> list(Map<String, String> tags) { return cloud.list(tags); }
      @Override public void terminate(Collection<String> instanceIds) { cloud.terminate(instanceIds); }
      @Override public void close() { cloud.close(); }

      @Override
      public Instance create(CreateInstanceRequest request) {
        calls.add(new Call(request.name(), request.idempotencyKey()));
        return cloud.create(request);
      }
    };
  }
}
