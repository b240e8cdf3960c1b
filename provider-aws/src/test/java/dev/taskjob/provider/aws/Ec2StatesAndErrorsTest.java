package dev.taskjob.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.CapacityException;
import dev.taskjob.core.cloud.CloudException;
import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.InstanceState;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.model.Instance;

class Ec2StatesAndErrorsTest {

  @ParameterizedTest(name = "{0} / {1} -> {2}")
  @CsvSource(nullValues = "-", value = {
      "pending, -, PENDING",
      "running, -, RUNNING",
      "stopping, Client.UserInitiatedShutdown, STOPPING",
      "stopped, Client.UserInitiatedShutdown, STOPPED",
      "shutting-down, Client.UserInitiatedShutdown, TERMINATING",
      "terminated, Client.UserInitiatedShutdown, TERMINATED",
      "shutting-down, Server.SpotInstanceTermination, PREEMPTED",
      "terminated, Server.SpotInstanceTermination, PREEMPTED",
      "stopped, Server.SpotInstanceShutdown, PREEMPTED",
      "terminated, Client.InstanceInitiatedShutdown, TERMINATED",
  })
  void mapsEc2StatesAndDetectsSpotInterruptions(String state, String reason, InstanceState expected) {
    Instance vm = Instance.builder().instanceId("i-1").state(s -> s.name(state))
        .stateReason(reason == null ? null : software.amazon.awssdk.services.ec2.model.StateReason.builder()
            .code(reason).build())
        .build();

    assertThat(Ec2CloudProvider.state(vm)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} / {1} -> {2}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "terminated    | User initiated (2026-01-02 03:04:05 GMT) | 2026-01-02T03:04:05Z",
      "stopped       | User initiated (2026-01-02 03:04:05 UTC) | 2026-01-02T03:04:05Z",
      "terminated    | Service initiated                        | -",
      "terminated    | -                                        | -",
      "running       | User initiated (2026-01-02 03:04:05 GMT) | -",
  })
  void readsWhenAVmEndedFromItsTransitionReason(String state, String reason, String ended) {
    Instance vm = Instance.builder().instanceId("i-1").state(s -> s.name(state)).stateTransitionReason(reason).build();

    assertThat(Ec2CloudProvider.endTime(vm)).isEqualTo(ended == null ? null : java.time.Instant.parse(ended));
  }

  @ParameterizedTest(name = "{0} -> capacity={2} retryable={3}")
  @CsvSource({
      "InsufficientInstanceCapacity, 400, true, false",
      "InsufficientHostCapacity, 500, true, false",
      "SpotMaxPriceTooLow, 400, true, false",
      "Unsupported, 400, true, false",
      "VcpuLimitExceeded, 400, false, false",
      "InstanceLimitExceeded, 400, false, false",
      "MaxSpotInstanceCountExceeded, 400, false, false",
      "InvalidAMIID.NotFound, 400, false, false",
      "InvalidParameterCombination, 400, false, false",
      "OptInRequired, 401, false, false",
      "RequestLimitExceeded, 503, false, true",
      "InternalError, 500, false, true",
      "InvalidParameterValue, 400, false, false",
      "UnauthorizedOperation, 403, false, false",
  })
  void capacityErrorsNameTheOfferingQuotaAndBadRequestsAreFinalAndThrottlingIsRetryable(String code, int status, boolean capacity,
      boolean retryable) {
    AwsServiceException error = AwsServiceException.builder().statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("boom").build()).build();
    CreateInstanceRequest request = new CreateInstanceRequest("n", "k", "m6i.large", "us-east-1b", true, Map.of(),
        null, 10, null, Map.of(), "#!/bin/sh");

    CloudException translated = Ec2CloudProvider.translate(error, "RunInstances m6i.large", request, "us-east-1b");

    assertThat(translated).hasMessage("RunInstances m6i.large failed: " + code + ": boom");
    assertThat(translated instanceof CapacityException).isEqualTo(capacity);
    assertThat(Ec2CloudProvider.isCapacityError(error)).as("kept out of the SDK's retries").isEqualTo(capacity);
    assertThat(translated.isRetryable()).isEqualTo(retryable);
    if (translated instanceof CapacityException c) {
      assertThat(c.instanceType()).isEqualTo("m6i.large");
      assertThat(c.zone()).isEqualTo("us-east-1b");
      assertThat(c.spot()).isTrue();
    }
  }
}
