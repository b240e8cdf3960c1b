package dev.taskjob.provider.aws;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;

/** The "aws" provider, found by {@link java.util.ServiceLoader}. */
public final class AwsProviderModule implements ProviderModule {

  @Override
  public String name() {
    return "aws";
  }

  @Override
  public CloudProvider cloud(ProviderConfig config) {
    return new Ec2CloudProvider(config);
  }

  @Override
  public TaskQueue queue(ProviderConfig config, QueueSettings settings) {
    return SqsTaskQueue.create(config, settings);
  }
}
