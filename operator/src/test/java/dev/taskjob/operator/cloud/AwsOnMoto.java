package dev.taskjob.operator.cloud;

import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.OwnerTags;
import dev.taskjob.core.cloud.ProviderConfig.Keys;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.crds.v1alpha1.shared.Provider;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.reliability.FaultRun;
import dev.taskjob.provider.aws.AwsClientConfig;
import dev.taskjob.provider.aws.AwsProviderModule;
import dev.taskjob.testing.MotoServerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.InstanceAttributeName;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * An AWS account on a moto_server for operator tests: the operator's settings and provider module (its VMs
 * boot real workers against moto's SQS), TaskJobs for it, and the test's own view of EC2 and SQS, through
 * clients of its own, so what it reads never passes through the operator's (possibly faulty) clients.
 */
final class AwsOnMoto implements AutoCloseable {

  private static final String KEY = "test";

  private final MotoServerExtension moto;
  final Ec2Client ec2;
  final SqsClient sqs;
  private final String imageId;

  AwsOnMoto(MotoServerExtension moto) {
    this.moto = moto;
    var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, KEY));
    ec2 = Ec2Client.builder().endpointOverride(moto.endpoint()).region(Region.of(MotoServerExtension.REGION))
        .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    sqs = SqsClient.builder().endpointOverride(moto.endpoint()).region(Region.of(MotoServerExtension.REGION))
        .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    // moto's bundled AMIs; any x86_64 one with a root device does (the worker runs here, not in the image)
    imageId = ec2.describeImages(r -> r.filters(Filter.builder().name("architecture").values("x86_64").build())).images().stream()
        .filter(i -> "/dev/sda1".equals(i.rootDeviceName())).findFirst().orElseThrow().imageId();
  }

  /**
   * Fast test settings pointing every aws config at moto, with the bundled price snapshot (moto has no
   * Pricing API) and the credentials an operator would get from a Secret or its own identity.
   */
  OperatorSettings settings(String clusterId) {
    // A "VM" boots a JVM with the whole test class path; on a loaded machine that alone can take a minute.
    return OperatorSettings.defaults(clusterId).fast().withWorkerTimeouts(CloudJobRun.VM_STARTUP_TIMEOUT,
        CloudJobRun.VM_HEARTBEAT_TIMEOUT).withProviderProperties(Map.of(
        Keys.AWS_ENDPOINT, moto.endpoint().toString(),
        Keys.CATALOG_SOURCE, "snapshot",
        Keys.WORKER_IMAGE, CloudJobRun.WORKER_IMAGE,
        AwsClientConfig.ACCESS_KEY_ID, KEY,
        AwsClientConfig.SECRET_ACCESS_KEY, KEY));
  }

  /**
   * The aws module for the operator: its EC2 clients run {@code ec2Interceptors}; its VMs boot workers
   * that reach SQS on moto the way a VM reaches AWS: endpoint and credentials from their surroundings
   * (an instance profile on EC2), never from the startup script.
   */
  Map<String, ProviderModule> modules(WorkerVms vms, List<ExecutionInterceptor> ec2Interceptors) {
    Map<String, String> surroundings = Map.of(
        "AWS_ENDPOINT_URL", moto.endpoint().toString(),
        "AWS_ACCESS_KEY_ID", KEY,
        "AWS_SECRET_ACCESS_KEY", KEY,
        // no instance metadata service on this machine to poll for spot notices
        "TASKJOB_PREEMPTION_CHECK", "none");
    return Map.of("aws", BootingCloud.module(new AwsProviderModule(ec2Interceptors), vms, this::userData,
        surroundings));
  }

  /** The VM's user data as EC2 stores it: the startup script the operator rendered. */
  private String userData(Instance vm) {
    String encoded = ec2.describeInstanceAttribute(r -> r.instanceId(vm.id()).attribute(InstanceAttributeName.USER_DATA))
        .userData().value();
    return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
  }

  /**
   * {@link FaultRun#gatedSleepingJob} (opened by {@link CloudJobRun#succeeds}), on aws: two VMs of at most
   * 2 vCPUs, four tasks at a time on each, the worker image named (VMs would pull it) and one of moto's images
   * to boot. The termination delay is the default minute: the drain must come from the ledger, not from the
   * fallback for lost events.
   */
  TaskJob job(String name, String taskSeconds, Path attemptsLog) {
    TaskJob job = FaultRun.gatedSleepingJob(name, taskSeconds, attemptsLog, CloudJobRun.gate(attemptsLog));
    job.getSpec().setProvider(Provider.AWS);
    job.getSpec().setRegion(MotoServerExtension.REGION);
    job.getSpec().getWorker().setImage(CloudJobRun.TASK_IMAGE);
    job.getSpec().getInstances().setImage(imageId);
    job.getSpec().getInstances().setMaxCpus(2);
    job.getSpec().getInstances().setMaxInstances(2);
    job.getSpec().setTerminationDelay("1m");
    return job;
  }

  /** Every EC2 instance moto holds for a job (by its owner tag), in any state. */
  List<software.amazon.awssdk.services.ec2.model.Instance> instancesOf(String jobUid) {
    List<software.amazon.awssdk.services.ec2.model.Instance> found = new ArrayList<>();
    ec2.describeInstancesPaginator(r -> r.filters(Filter.builder().name("tag:" + OwnerTags.JOB_UID).values(jobUid).build()))
        .reservations().forEach(res -> found.addAll(res.instances()));
    return found;
  }

  /** The Name tag of each instance: one per launch, so a VM created twice shows its name twice. */
  static Map<String, Integer> namesCounted(List<software.amazon.awssdk.services.ec2.model.Instance> instances) {
    Map<String, Integer> counted = new HashMap<>();
    instances.forEach(i -> i.tags().stream().filter(t -> t.key().equals("Name"))
        .forEach(t -> counted.merge(t.value(), 1, Integer::sum)));
    return counted;
  }

  /** SQS queue URLs whose names start with {@code prefix}. */
  List<String> queues(String prefix) {
    return sqs.listQueues(r -> r.queueNamePrefix(prefix)).queueUrls();
  }

  @Override
  public void close() {
    ec2.close();
    sqs.close();
  }
}
