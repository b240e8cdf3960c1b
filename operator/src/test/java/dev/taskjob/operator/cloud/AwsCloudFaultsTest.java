package dev.taskjob.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.operator.cloud.Ec2Faults.Attempt;
import dev.taskjob.operator.cloud.Ec2Faults.Fault;
import dev.taskjob.operator.reconciler.OperatorHarness;
import dev.taskjob.testing.MotoServerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/**
 * The aws end-to-end run of {@link AwsEndToEndTest} with EC2 misbehaving ({@link Ec2Faults} on the operator's
 * EC2 client): DescribeInstances throttled three times in a row and once failing with a 500,
 * TerminateInstances once unavailable, no capacity ever for the first-choice instance type, and one
 * RunInstances whose answer is lost after EC2 created the instance. The SDK retries the transient errors
 * itself, with backoff; the pool falls back to the next type; the instance with the lost answer is found
 * by its tags and used, not created again; and the job still ends with every task counted once.
 */
class AwsCloudFaultsTest {

  @RegisterExtension static final MotoServerExtension MOTO = new MotoServerExtension();

  private static final int TASKS = CloudJobRun.TASKS;
  private static final String JOB = "aws-faults";
  private static final Set<Fault> TRANSIENT = Set.of(Fault.THROTTLING, Fault.INTERNAL_ERROR, Fault.UNAVAILABLE);

  @TempDir Path dir;

  @Test
  void transientErrorsAreRetriedCapacityFallsBackAndNoInstanceIsCreatedTwice() {
    Ec2Faults faults = new Ec2Faults()
        .on("DescribeInstances", Fault.THROTTLING, 3, 4, 5)
        .on("DescribeInstances", Fault.INTERNAL_ERROR, 12)
        .on("TerminateInstances", Fault.UNAVAILABLE, 1);
    try (AwsOnMoto aws = new AwsOnMoto(MOTO);
        WorkerVms vms = new WorkerVms(dir.resolve("vms"));
        OperatorHarness harness = new OperatorHarness(aws.settings(JOB), aws.modules(vms, List.of(faults)))) {
      Path attemptsLog = dir.resolve("attempts.log");
      TaskJob done = CloudJobRun.succeeds(harness, vms, aws.job(JOB, "0.05", attemptsLog), TASKS, attemptsLog);

      List<Attempt> transientFaults = faults.injected(TRANSIENT);
      assertThat(transientFaults).extracting(Attempt::fault)
          .contains(Fault.THROTTLING, Fault.INTERNAL_ERROR, Fault.UNAVAILABLE);
      assertThat(transientFaults).as("each transient error retried by the SDK within the same call")
          .allSatisfy(failed -> assertThat(faults.retryOf(failed)).isPresent());
      assertThat(faults.backoff(transientFaults)).as("time the SDK waited before its retries")
          .isGreaterThan(Duration.ofMillis(20));

      String refused = faults.refusedType();
      assertThat(faults.injected(Set.of(Fault.NO_CAPACITY))).as("launches refused for want of capacity").isNotEmpty()
          .as("no capacity is not retried inside the SDK: the pool falls back at once")
          .allSatisfy(failed -> assertThat(faults.retryOf(failed)).isEmpty());
      var instances = aws.instancesOf(done.getMetadata().getUid());
      assertThat(instances).extracting(i -> i.instanceTypeAsString()).as("fallback type only")
          .isNotEmpty().doesNotContain(refused);
      assertThat(done.getStatus().getInstanceType()).isNotEqualTo(refused);
      InstancePool pool = harness.pool(JOB);
      assertThat(Conditions.find(pool.getStatus().getConditions(), ConditionTypes.CAPACITY_LIMITED))
          .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("UsingFallbackType"));

      assertThat(faults.lostInstanceId()).as("the instance whose create answer was lost").isNotNull();
      assertThat(instances).extracting(i -> i.instanceId()).contains(faults.lostInstanceId());
      assertThat(vms.booted()).as("the instance with the lost answer did its work").containsKey(faults.lostInstanceId());
      assertThat(instances).as("one instance per launch that reached EC2").hasSize(faults.launches().size());
      assertThat(AwsOnMoto.namesCounted(instances).values()).as("no launch created twice").containsOnly(1);
      assertThat(instances).allSatisfy(i -> assertThat(i.state().name()).isEqualTo(InstanceStateName.TERMINATED));
      assertThat(aws.queues(done.getStatus().getQueueName())).isEmpty();
      OperatorHarness.await(OperatorHarness.PATIENCE, vms::running, List::isEmpty, "worker processes to exit");
    }
  }
}
