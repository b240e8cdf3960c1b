package dev.taskjob.worker.queue;

import dev.taskjob.core.cloud.ProviderConfig;
import java.util.List;
import java.util.Map;

/** The worker on the local provider's directory queue. */
class LocalQueueModeTest extends QueueModeContract {

  @Override
  String provider() {
    return "local";
  }

  @Override
  List<String> providerArgs() {
    return List.of("--local-root", dir.resolve("local").toString());
  }

  @Override
  ProviderConfig config() {
    return new ProviderConfig("local", null, null, Map.of(ProviderConfig.Keys.LOCAL_ROOT, dir.resolve("local").toString()));
  }
}
