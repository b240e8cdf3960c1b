package dev.taskjob.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.OwnerTags;
import dev.taskjob.core.cloud.ProviderConfig.Keys;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.crds.v1alpha1.shared.Provider;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.reconciler.OperatorHarness;
import dev.taskjob.operator.reliability.FaultRun;
import dev.taskjob.provider.gcp.GcpProviderModule;
import dev.taskjob.testing.FakeComputeApi;
import dev.taskjob.testing.PubSubEmulatorExtension;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * TaskJobs on gcp from apply to Succeeded: the operator against fabric8's mock Kubernetes API, Pub/Sub on
 * Google's real emulator, and Compute Engine and the Billing Catalog served by {@link FakeComputeApi}, a
 * hand-written fake, because no Compute Engine emulator exists. Every VM the fake holds is played by running
 * its {@code startup-script} metadata, whose {@code docker run} starts a real worker supervisor process
 * ({@link BootingCloud}); at the end neither VMs nor disks of the job are left. The second run adds Compute Engine faults: a 503 on an insert and no capacity
 * (ZONE_RESOURCE_POOL_EXHAUSTED) for the first-choice machine type.
 */
class GcpEndToEndTest {

  @RegisterExtension static final PubSubEmulatorExtension PUBSUB = new PubSubEmulatorExtension();

  private static final int TASKS = CloudJobRun.TASKS;
  private static final String REGION = "us-central1";
  private static final Pattern REQUEST_ID = Pattern.compile("requestId=([^&]+)");

  @TempDir Path dir;

  @Test
  void jobRunsEveryTaskOnBootedVmsThenLeavesNoInstanceOrTopic() throws Exception {
    try (FakeComputeApi compute = new FakeComputeApi()) {
      run("gcp-e2e", compute);

      assertThat(requestIdsByName(compute)).as("VMs, each asked for by one request").isNotEmpty()
          .allSatisfy((vm, requestIds) -> assertThat(requestIds).hasSize(1));
    }
  }

  @Test
  void unavailableApiIsRetriedAndExhaustedFirstChoiceFallsBack() throws Exception {
    try (FakeComputeApi compute = new FakeComputeApi()) {
      compute.unavailableInserts.set(1);
      compute.exhaustFirstInsertedType.set(true);

      run("gcp-faults", compute);

      assertThat(compute.exhausted).as("the first-choice type").hasSize(1);
      String refused = compute.exhausted.iterator().next();
      List<JsonNode> created = compute.inserts.stream()
          .filter(b -> !b.path("machineType").asText().endsWith("/" + refused)).toList();
      assertThat(created).as("VMs of the fallback type").isNotEmpty();
      assertThat(requestIdsByName(compute)).as("VMs, each asked for by one request")
          .allSatisfy((vm, requestIds) -> assertThat(requestIds).hasSize(1));
    }
  }

  /** Runs a job to its end on the fake and the emulator; checks counts, VMs and topics; returns the job. */
  private TaskJob run(String name, FakeComputeApi compute) throws Exception {
    Path vmDir = dir.resolve(name);
    try (WorkerVms vms = new WorkerVms(vmDir.resolve("vms"));
        OperatorHarness harness = new OperatorHarness(settings(name, compute), modules(vms, compute))) {
      Path attemptsLog = vmDir.resolve("attempts.log");
      TaskJob done = CloudJobRun.succeeds(harness, vms, job(name, attemptsLog), TASKS, attemptsLog);

      String jobUid = done.getMetadata().getUid();
      assertThat(compute.instances.values()).as("VMs of the job left in Compute Engine")
          .noneMatch(vm -> jobUid.equals(vm.path("labels").path(OwnerTags.JOB_UID).asText(null)));
      assertThat(vms.booted()).as("every VM inserted booted a worker")
          .containsOnlyKeys(compute.inserts.stream().filter(b -> !isExhausted(compute, b))
              .map(b -> b.path("name").asText()).distinct().toList());
      assertThat(topics(done.getStatus().getQueueName())).as("the job's topics after it finished").isEmpty();
      assertThat(compute.disks.values()).as("disks of the job left in Compute Engine")
          .noneMatch(disk -> jobUid.equals(disk.path("labels").path(OwnerTags.JOB_UID).asText(null)));
      OperatorHarness.await(OperatorHarness.PATIENCE, vms::running, List::isEmpty, "worker processes to exit");
      CloudJobRun.startupScriptsRanToTheEnd(vms, CloudJobRun.TASK_IMAGE);
      vms.booted().forEach((vm, env) -> assertThat(env).as("the worker environment on %s", vm)
          .containsKeys("TASKJOB_ZONE", "TASKJOB_INSTANCE_TYPE", "TASKJOB_VCPUS", "TASKJOB_MEMORY_GIB", "TASKJOB_SPOT"));
      return done;
    }
  }

  private static OperatorSettings settings(String clusterId, FakeComputeApi compute) {
    // A "VM" boots a JVM with the whole test class path; on a loaded machine that alone can take a minute.
    return OperatorSettings.defaults(clusterId).fast().withWorkerTimeouts(CloudJobRun.VM_STARTUP_TIMEOUT,
        CloudJobRun.VM_HEARTBEAT_TIMEOUT).withProviderProperties(Map.of(
        Keys.COMPUTE_ENDPOINT, compute.endpoint(),
        Keys.BILLING_ENDPOINT, compute.endpoint(),
        Keys.PUBSUB_ENDPOINT, PUBSUB.hostPort(),
        Keys.WORKER_IMAGE, CloudJobRun.WORKER_IMAGE));
  }

  /** The gcp module whose VMs boot workers reaching the emulator, as PUBSUB_EMULATOR_HOST directs them. */
  private static Map<String, ProviderModule> modules(WorkerVms vms, FakeComputeApi compute) {
    return Map.of("gcp", BootingCloud.module(new GcpProviderModule(), vms, vm -> startupScript(compute, vm),
        Map.of("PUBSUB_EMULATOR_HOST", PUBSUB.hostPort(),
            // no metadata server on this machine to poll for preemption
            "TASKJOB_PREEMPTION_CHECK", "none")));
  }

  private static String startupScript(FakeComputeApi compute, Instance vm) {
    JsonNode items = compute.instances.get(vm.zone() + "/" + vm.name()).path("metadata").path("items");
    return StreamSupport.stream(items.spliterator(), false)
        .filter(item -> "startup-script".equals(item.path("key").asText()))
        .map(item -> item.path("value").asText()).findFirst()
        .orElseThrow(() -> new AssertionError("VM " + vm.name() + " has no startup-script metadata"));
  }

  /**
   * {@link FaultRun#gatedSleepingJob} (opened by {@link CloudJobRun#succeeds}) on gcp: two VMs of at most
   * 2 vCPUs, the default one-minute termination delay.
   */
  private static TaskJob job(String name, Path attemptsLog) {
    TaskJob job = FaultRun.gatedSleepingJob(name, "0.05", attemptsLog, CloudJobRun.gate(attemptsLog));
    job.getSpec().setProvider(Provider.GCP);
    job.getSpec().setRegion(REGION);
    job.getSpec().setProject(PubSubEmulatorExtension.PROJECT);
    job.getSpec().getWorker().setImage(CloudJobRun.TASK_IMAGE);
    job.getSpec().getInstances().setMaxCpus(2);
    job.getSpec().getInstances().setMaxInstances(2);
    job.getSpec().setTerminationDelay("1m");
    return job;
  }

  /**
   * The request ids each VM name was inserted with, leaving out refused types: a second id for one name would
   * be a second create of the same launch (a retry of a lost answer must repeat the first id).
   */
  private static Map<String, Set<String>> requestIdsByName(FakeComputeApi compute) {
    Map<String, Set<String>> ids = new HashMap<>();
    for (int i = 0; i < compute.inserts.size(); i++) {
      JsonNode body = compute.inserts.get(i);
      Matcher requestId = REQUEST_ID.matcher(compute.insertQueries.get(i));
      if (!isExhausted(compute, body) && requestId.find()) {
        ids.computeIfAbsent(body.path("name").asText(), n -> new HashSet<>()).add(requestId.group(1));
      }
    }
    return ids;
  }

  private static boolean isExhausted(FakeComputeApi compute, JsonNode insert) {
    return compute.exhausted.contains(insert.path("machineType").asText().replaceFirst(".*/", ""));
  }

  /** Pub/Sub topics of the emulator's project whose names start with {@code prefix}. */
  private static List<String> topics(String prefix) throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + PUBSUB.hostPort()
        + "/v1/projects/" + PubSubEmulatorExtension.PROJECT + "/topics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    JsonNode topics = dev.taskjob.core.Json.MAPPER.readTree(response.body()).path("topics");
    return StreamSupport.stream(topics.spliterator(), false).map(t -> t.path("name").asText())
        .filter(n -> n.substring(n.lastIndexOf('/') + 1).startsWith(prefix)).toList();
  }
}
