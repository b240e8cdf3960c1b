package dev.taskjob.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.operator.reconciler.pool.InstancePoolReconciler;
import dev.taskjob.operator.reconciler.OperatorHarness;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.store.ObjectStore;
import dev.taskjob.crds.v1alpha1.taskjob.OutputSpec;
import dev.taskjob.operator.archive.ArchiveReader;
import dev.taskjob.operator.archive.OutputLocations;
import dev.taskjob.operator.ledger.TaskResult;
import dev.taskjob.provider.aws.AwsClientConfig;
import dev.taskjob.testing.MotoServerExtension;
import java.net.URI;
import java.util.Map;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/**
 * A TaskJob on aws from apply to Succeeded: the operator against fabric8's mock Kubernetes API, EC2 and SQS
 * on a real moto_server, and every EC2 instance moto creates played by running its user data, the rendered
 * startup script, whose {@code docker run} starts a real worker supervisor process ({@link BootingCloud}). At the end the ledger and the status count
 * every task exactly once, every instance is terminated and the job's queues are gone.
 */
class AwsEndToEndTest {
  // The job archives to s3:// on the same moto_server (docs/results.md).

  @RegisterExtension static final MotoServerExtension MOTO = new MotoServerExtension();

  private static final int TASKS = CloudJobRun.TASKS;
  private static final String JOB = "aws-e2e";

  @TempDir Path dir;

  @Test
  void jobRunsEveryTaskOnBootedVmsThenLeavesNoInstanceOrQueue() {
    try (AwsOnMoto aws = new AwsOnMoto(MOTO);
        WorkerVms vms = new WorkerVms(dir.resolve("vms"));
        OperatorHarness harness = new OperatorHarness(aws.settings(JOB), aws.modules(vms, List.of()))) {
      Path attemptsLog = dir.resolve("attempts.log");
      ProviderConfig s3Access = new ProviderConfig("aws", MotoServerExtension.REGION, null,
          aws.settings(JOB).providerProperties());
      ObjectStore bucket = Providers.get("aws").objectStore(s3Access, URI.create("s3://e2e-results")).orElseThrow();
      try (S3Client s3 = S3Client.builder().region(Region.of(MotoServerExtension.REGION))
          .endpointOverride(MOTO.endpoint()).forcePathStyle(true)
          .credentialsProvider(AwsClientConfig.credentials(s3Access)).build()) {
        s3.createBucket(b -> b.bucket("e2e-results"));
      }
      TaskJob job = aws.job(JOB, "0.05", attemptsLog);
      OutputSpec output = new OutputSpec();
      output.setUri("s3://e2e-results/runs");
      job.getSpec().setOutput(output);
      TaskJob done = CloudJobRun.succeeds(harness, vms, job, TASKS, attemptsLog);

      ObjectStore archive = Providers.get("aws").objectStore(s3Access, URI.create("s3://e2e-results/runs")).orElseThrow();
      Map<Long, TaskResult> results = new ArchiveReader(archive, OutputLocations.jobPrefix(done)).results();
      assertThat(results).as("a result line per task in the job's S3 archive").hasSize(TASKS);
      assertThat(results.values()).allMatch(TaskResult::succeeded);
      assertThat(bucket.list("runs/" + OutputLocations.jobPrefix(done) + "events/")).isNotEmpty();

      var instances = aws.instancesOf(done.getMetadata().getUid());
      assertThat(instances).as("instances the pool created").isNotEmpty();
      assertThat(instances).allSatisfy(i -> assertThat(i.state().name()).isEqualTo(InstanceStateName.TERMINATED));
      assertThat(AwsOnMoto.namesCounted(instances).values()).as("launches created once each").containsOnly(1);
      assertThat(vms.booted().keySet()).as("every instance booted a worker")
          .containsExactlyInAnyOrderElementsOf(instances.stream().map(i -> i.instanceId()).toList());
      String queueName = done.getStatus().getQueueName();
      vms.booted().values().forEach(env -> assertThat(env)
          .containsEntry("TASKJOB_QUEUE_NAME", queueName)
          .containsEntry("TASKJOB_PROVIDER", "aws")
          .containsEntry("TASKJOB_REGION", MotoServerExtension.REGION));
      InstancePool pool = harness.pool(JOB);
      assertThat(Conditions.isTrue(pool.getStatus().getConditions(), InstancePoolReconciler.WORKERS_STARTED))
          .as("the pool heard the workers by their VM names").isTrue();
      assertThat(pool.getStatus().getReplacements()).as("no VM was replaced for want of a report").isZero();
      assertThat(aws.queues(queueName)).as("the job's queues after it finished").isEmpty();
      OperatorHarness.await(OperatorHarness.PATIENCE, vms::running, List::isEmpty, "worker processes to exit");
      CloudJobRun.startupScriptsRanToTheEnd(vms, CloudJobRun.TASK_IMAGE);
      instances.forEach(i -> assertThat(vms.booted().get(i.instanceId())).as("the worker environment on %s", i.instanceId())
          .containsEntry("TASKJOB_ZONE", i.placement().availabilityZone())
          .containsEntry("TASKJOB_INSTANCE_TYPE", i.instanceTypeAsString())
          .containsKeys("TASKJOB_VCPUS", "TASKJOB_MEMORY_GIB", "TASKJOB_SPOT", "TASKJOB_PRICE_PER_HOUR"));
    }
  }
}
