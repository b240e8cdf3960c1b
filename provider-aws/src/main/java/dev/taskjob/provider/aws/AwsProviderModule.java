package dev.taskjob.provider.aws;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.PriceOverrides;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.cloud.SecretStore;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.store.ObjectStore;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/** The "aws" provider, found by {@link java.util.ServiceLoader}. */
public final class AwsProviderModule implements ProviderModule {

  private final List<ExecutionInterceptor> ec2Interceptors;

  public AwsProviderModule() {
    this(List.of());
  }

  /**
   * A module whose EC2 clients also run {@code ec2Interceptors}, inside the SDK's retries: tests use it to
   * inject throttling, server errors and timeouts into EC2 calls. {@link java.util.ServiceLoader} uses the
   * constructor without arguments.
   */
  public AwsProviderModule(List<ExecutionInterceptor> ec2Interceptors) {
    this.ec2Interceptors = List.copyOf(ec2Interceptors);
  }

  @Override
  public String name() {
    return "aws";
  }

  @Override
  public CloudProvider cloud(ProviderConfig config) {
    return new Ec2CloudProvider(config, ec2Interceptors);
  }

  /** From the bundled price snapshot, without building an EC2 or Pricing client. */
  @Override
  public InstanceCatalog snapshotCatalog(ProviderConfig config) {
    return PriceOverrides.fromConfig(config).apply(AwsPriceSnapshot.load().catalog(AwsClients.region(config)));
  }

  /** {@code s3://bucket/prefix} locations. */
  @Override
  public Optional<ObjectStore> objectStore(ProviderConfig config, URI location) {
    return "s3".equals(location.getScheme()) ? Optional.of(new S3ObjectStore(config, location)) : Optional.empty();
  }

  @Override
  public TaskQueue queue(ProviderConfig config, QueueSettings settings) {
    return SqsTaskQueue.create(config, settings);
  }

  @Override
  public Optional<SecretStore> secrets(ProviderConfig config) {
    return Optional.of(new SsmSecretStore(config));
  }
}
