package dev.taskjob.operator.reconciler;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.testing.ForwardingCloudProvider;
import dev.taskjob.testing.ForwardingProviderModule;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A provider whose clouds ignore terminate calls until {@link #release()}: a job that has started its drain
 * stays Draining (its instances still run) for as long as a test needs, whatever the machine's speed. The
 * pool asks again at every look, so the first look after the release terminates them.
 */
final class HeldTerminations extends ForwardingProviderModule {

  private final AtomicBoolean held = new AtomicBoolean(true);

  HeldTerminations(ProviderModule real) {
    super(real);
  }

  void release() {
    held.set(false);
  }

  @Override
  public CloudProvider cloud(ProviderConfig config) {
    return new ForwardingCloudProvider(real.cloud(config)) {
      @Override
      public void terminate(Collection<String> instanceIds) {
        if (!held.get()) {
          super.terminate(instanceIds);
        }
      }
    };
  }
}
