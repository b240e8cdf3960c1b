package dev.taskjob.operator.cli;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.queue.QueueNames;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Which queue a command works on and how to reach it; shared by {@code load-queue} and {@code queue}. */
final class QueueOptions {

  /** Queue providers the CLI accepts. */
  enum Provider { aws, gcp, local }

  @Option(names = "--provider", required = true, description = "aws, gcp or local.")
  Provider provider;

  @Option(names = {"--queue", "--job-id"}, required = true,
      description = "Queue base name (lower-case letters, digits and '-', starting with a letter, at most "
          + QueueNames.MAX_BASE_LENGTH + " characters); the provider adds -tasks, -events, -dlq.")
  String queue;

  @Option(names = "--region", description = "AWS region (else AWS_REGION).")
  String region;

  @Option(names = {"--project", "--project-id"}, description = "GCP project id (else GOOGLE_CLOUD_PROJECT).")
  String project;

  @Option(names = "--endpoint",
      description = "Endpoint override: an SQS URL (else AWS_ENDPOINT_URL) or a Pub/Sub host:port, plain text (else PUBSUB_EMULATOR_HOST).")
  String endpoint;

  @Option(names = "--local-root", description = "Local provider directory (else TASKJOB_LOCAL_ROOT, else ${java.io.tmpdir}/taskjob-local).",
      defaultValue = "${env:TASKJOB_LOCAL_ROOT}")
  String localRoot;

  @Option(names = "--lease-seconds", defaultValue = "600",
      description = "Lease (visibility timeout / ack deadline) of a new queue, seconds (default ${DEFAULT-VALUE}).")
  long leaseSeconds;

  @Option(names = "--max-attempts", defaultValue = "3",
      description = "Deliveries before a task of a new queue goes to its dead-letter queue (default ${DEFAULT-VALUE}).")
  int maxAttempts;

  ProviderConfig providerConfig() {
    Map<String, String> properties = new HashMap<>();
    if (project != null) {
      properties.put(ProviderConfig.Keys.PROJECT, project);
    }
    if (endpoint != null) {
      properties.put(provider == Provider.gcp ? ProviderConfig.Keys.PUBSUB_ENDPOINT : ProviderConfig.Keys.AWS_ENDPOINT, endpoint);
    }
    if (localRoot != null && !localRoot.isBlank()) {
      properties.put(ProviderConfig.Keys.LOCAL_ROOT, localRoot);
    }
    return new ProviderConfig(provider.name(), region, null, properties);
  }

  QueueSettings settings() {
    if (!queue.matches("[a-z][a-z0-9-]*") || queue.length() > QueueNames.MAX_BASE_LENGTH) {
      throw new IllegalArgumentException("--queue '" + queue + "': use lower-case letters, digits and '-', starting with a letter, at most "
          + QueueNames.MAX_BASE_LENGTH + " characters");
    }
    if (leaseSeconds < 1) {
      throw new IllegalArgumentException("--lease-seconds must be >= 1, was " + leaseSeconds);
    }
    return new QueueSettings(queue, Duration.ofSeconds(leaseSeconds), maxAttempts);
  }

  /**
   * Runs a command body, turning expected failures into a one-line error: exit code 2 for bad input
   * (nothing was sent), 1 for queue failures.
   */
  static int guarded(picocli.CommandLine.Model.CommandSpec spec, java.util.concurrent.Callable<Integer> body) throws Exception {
    try {
      return body.call();
    } catch (dev.taskjob.core.task.TaskListException | IllegalArgumentException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return 2;
    } catch (dev.taskjob.core.queue.QueueException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return 1;
    }
  }

  TaskQueue open() {
    return Providers.get(provider.name()).queue(providerConfig(), settings());
  }
}
