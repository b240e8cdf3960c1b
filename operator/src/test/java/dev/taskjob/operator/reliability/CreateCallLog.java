package dev.taskjob.operator.reliability;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.testing.ForwardingCloudProvider;
import dev.taskjob.testing.ForwardingProviderModule;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real provider whose cloud notes every create call (VM name and idempotency key) before passing it
 * on, so a test can tell a VM created once from a create sent twice. Everything else is the wrapped
 * provider's.
 */
final class CreateCallLog extends ForwardingProviderModule {

  /** One create call as the cloud received it. */
  record Call(String name, String idempotencyKey) {}

  private final List<Call> calls = new CopyOnWriteArrayList<>();

  CreateCallLog(ProviderModule real) {
    super(real);
  }

  /** Every create call so far, in order. */
  List<Call> calls() {
    return List.copyOf(calls);
  }

  @Override
  public CloudProvider cloud(ProviderConfig config) {
    return new ForwardingCloudProvider(real.cloud(config)) {
      @Override
      public Instance create(CreateInstanceRequest request) {
        calls.add(new Call(request.name(), request.idempotencyKey()));
        return super.create(request);
      }
    };
  }
}
