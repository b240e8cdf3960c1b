package dev.taskjob.worker.queue;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.testing.PubSubEmulatorExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The worker on Pub/Sub, served by Google's Pub/Sub emulator. */
class PubSubQueueModeTest extends QueueModeContract {

  @RegisterExtension static final PubSubEmulatorExtension EMULATOR = new PubSubEmulatorExtension();

  @Override
  String provider() {
    return "gcp";
  }

  @Override
  List<String> providerArgs() {
    return List.of("--project", PubSubEmulatorExtension.PROJECT, "--pubsub-emulator-host", EMULATOR.hostPort());
  }

  @Override
  ProviderConfig config() {
    return new ProviderConfig("gcp", "us-central1", null, Map.of(ProviderConfig.Keys.PROJECT,
        PubSubEmulatorExtension.PROJECT, ProviderConfig.Keys.PUBSUB_ENDPOINT, EMULATOR.hostPort()));
  }

  @Override
  boolean reportsDepth() {
    return false;
  }

  @Override
  boolean mayDeliverTwice() {
    return true;
  }
}
