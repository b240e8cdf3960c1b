package dev.taskjob.worker.queue;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.testing.MotoServerExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The worker on SQS, served by a real moto_server (queues stay at a few dozen messages). */
class SqsQueueModeTest extends QueueModeContract {

  @RegisterExtension static final MotoServerExtension MOTO = new MotoServerExtension();

  @Override
  String provider() {
    return "aws";
  }

  @Override
  List<String> providerArgs() {
    return List.of("--region", MotoServerExtension.REGION, "--aws-endpoint-url", MOTO.endpoint().toString());
  }

  @Override
  ProviderConfig config() {
    return new ProviderConfig("aws", MotoServerExtension.REGION, null,
        Map.of(ProviderConfig.Keys.AWS_ENDPOINT, MOTO.endpoint().toString()));
  }

  @Override
  boolean mayDeliverTwice() {
    return true;
  }
}
