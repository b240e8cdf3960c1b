package dev.taskjob.core.cloud;

import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;

/**
 * Entry point of a provider module, found with {@link java.util.ServiceLoader} (see {@link Providers}).
 * The operator and the worker never name a provider class.
 */
public interface ProviderModule {

  /** "aws", "gcp" or "local": the value of a TaskJob's {@code spec.provider}. */
  String name();

  CloudProvider cloud(ProviderConfig config);

  TaskQueue queue(ProviderConfig config, QueueSettings settings);
}
