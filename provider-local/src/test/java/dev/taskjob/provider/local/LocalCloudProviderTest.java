package dev.taskjob.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.OwnerTags;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderConfig.Keys;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.cloud.StopNotice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes: the "worker" is a small shell command given through {@link Keys#LOCAL_WORKER_COMMAND}. */
class LocalCloudProviderTest {

  private static final Map<String, String> OWNER = Map.of(
      OwnerTags.MANAGED_BY, OwnerTags.MANAGED_BY_VALUE, OwnerTags.POOL_UID, "pool-1");

  @TempDir Path root;
  private final List<CloudProvider> providers = new ArrayList<>();

  private CloudProvider provider(String workerScript) {
    ProviderConfig config = new ProviderConfig("local", null, List.of(), Map.of(
        Keys.LOCAL_ROOT, root.toString(),
        Keys.LOCAL_WORKER_COMMAND, "[\"sh\", \"-c\", \"" + workerScript.replace("\"", "\\\"") + "\"]"));
    CloudProvider provider = Providers.get("local").cloud(config);
    providers.add(provider);
    return provider;
  }

  private static CreateInstanceRequest request(String name, String key, Map<String, String> tags) {
    return new CreateInstanceRequest(name, key, "local-1", null, false, tags, null, 10, null,
        Map.of("TASKJOB_QUEUE_NAME", "job-a"), "#!/bin/sh\necho not run locally\n");
  }

  @AfterEach
  void terminateEverything() {
    for (CloudProvider provider : providers) {
      provider.terminate(provider.list(Map.of()).stream().map(Instance::id).toList());
    }
  }

  @Test
  void startsWorkerWithItsEnvironmentAndARestartedOperatorFindsItByTags() throws Exception {
    CloudProvider provider = provider("env > env.txt; exec sleep 60");

    Instance created = provider.create(request("worker-a", "key-a", OWNER));
    provider.create(request("other-pool", "key-b", Map.of(OwnerTags.POOL_UID, "pool-2")));

    assertThat(created.state()).isEqualTo(InstanceState.RUNNING);
    Path env = root.resolve("instances/worker-a/work/env.txt");
    awaitFile(env);
    assertThat(Files.readAllLines(env)).contains("TASKJOB_QUEUE_NAME=job-a", "TASKJOB_INSTANCE_ID=worker-a",
        "TASKJOB_LOCAL_ROOT=" + root.toAbsolutePath());
    // Nothing else of this JVM's environment (credentials, service-account settings, build variables) leaks in;
    // PWD, SHLVL and _ are set by the shell itself.
    assertThat(Files.readAllLines(env).stream().map(line -> line.substring(0, line.indexOf('='))))
        .allSatisfy(name -> assertThat(name).isIn(allowedInWorker()));
    assertThat(Files.readString(root.resolve("instances/worker-a/instance.json")))
        .contains("\"instanceType\" : \"local-1\"", "\"taskjob-pool-uid\" : \"pool-1\"", "\"pid\"");

    CloudProvider afterRestart = provider("exec sleep 60");
    assertThat(afterRestart.list(Map.of(OwnerTags.POOL_UID, "pool-1")))
        .singleElement()
        .satisfies(i -> {
          assertThat(i.id()).isEqualTo("worker-a");
          assertThat(i.state()).isEqualTo(InstanceState.RUNNING);
          assertThat(i.instanceType()).isEqualTo("local-1");
          assertThat(i.tags()).containsAllEntriesOf(OWNER);
        });
  }

  @Test
  void retriedCreateWithTheSameIdempotencyKeyStartsNoSecondWorker() {
    CloudProvider provider = provider("exec sleep 60");

    Instance first = provider.create(request("worker-a", "key-a", OWNER));
    Instance retried = provider.create(request("worker-a", "key-a", OWNER));

    assertThat(retried.id()).isEqualTo(first.id());
    assertThat(provider.list(OWNER)).hasSize(1);
    assertThat(ProcessHandle.current().children().count()).isEqualTo(1);
  }

  @Test
  void refusesASecondInstanceWithTheSameNameButAnotherKey() {
    CloudProvider provider = provider("exec sleep 60");
    provider.create(request("worker-a", "key-a", OWNER));

    assertThatThrownBy(() -> provider.create(request("worker-a", "key-other", OWNER)))
        .hasMessageContaining("a local instance named 'worker-a' already exists with another idempotency key");
  }

  @Test
  void terminateKillsTheWholeProcessTreeAndIsIdempotent() throws Exception {
    CloudProvider provider = provider("sleep 300 & echo $! > child.pid; wait");
    Instance created = provider.create(request("worker-a", "key-a", OWNER));
    Path childPidFile = root.resolve("instances/worker-a/work/child.pid");
    awaitFile(childPidFile);
    long childPid = Long.parseLong(Files.readString(childPidFile).trim());
    assertThat(ProcessHandle.of(childPid)).isPresent();

    provider.terminate(List.of(created.id()));
    provider.terminate(List.of(created.id(), "never-existed"));

    assertThat(ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(provider.list(OWNER)).singleElement()
        .satisfies(i -> assertThat(i.state()).isEqualTo(InstanceState.TERMINATED));
  }

  /**
   * A worker still finishing its tasks after SIGTERM (here: one that ignores it) is given its own
   * {@code TASKJOB_SHUTDOWN_GRACE_PERIOD} and the hand-back time, on the provider's clock, and only then
   * killed with all it started; terminate itself does not wait that long.
   */
  @Test
  void terminateGivesTheWorkerItsShutdownGracePeriodBeforeKillingIt() throws Exception {
    TurnedClock clock = new TurnedClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));
    CloudProvider provider = new LocalCloudProvider(root, List.of("sh", "-c",
        "trap 'echo term > got-term' TERM; sleep 300 & echo $! > child.pid; while true; do wait; done"),
        LocalCatalog.forThisMachine(), clock);
    providers.add(provider);
    Instance created = provider.create(new CreateInstanceRequest("worker-a", "key-a", "local-1", null, false, OWNER,
        null, 10, null, Map.of("TASKJOB_SHUTDOWN_GRACE_PERIOD", "120"), null));
    Path childPidFile = root.resolve("instances/worker-a/work/child.pid");
    awaitFile(childPidFile);
    ProcessHandle child = ProcessHandle.of(Long.parseLong(Files.readString(childPidFile).trim())).orElseThrow();

    provider.terminate(List.of(created.id()));

    awaitFile(root.resolve("instances/worker-a/work/got-term"));
    clock.advance(Duration.ofSeconds(120));
    assertThat(provider.list(OWNER)).as("within grace and hand-back time").singleElement()
        .satisfies(i -> assertThat(i.state()).isEqualTo(InstanceState.TERMINATING));
    assertThat(child.isAlive()).isTrue();

    clock.advance(LocalCloudProvider.HAND_BACK_TIME);
    assertThat(provider.list(OWNER)).singleElement().satisfies(i -> {
      assertThat(i.state()).isEqualTo(InstanceState.TERMINATED);
      assertThat(i.endTime()).as("billed until the terminate").isEqualTo("2026-01-01T00:00:00Z");
    });
    child.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(child.isAlive()).as("what the worker started is killed with it").isFalse();
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0} -> {1}")
  @org.junit.jupiter.params.provider.CsvSource(nullValues = "-", value = {
      "30, PT30S", "2.5, PT2.5S", "500ms, PT0.5S", "2m, PT2M", "1h, PT1H", "-, -", "soon, -"})
  void readsTheGracePeriodAsTheWorkerDoes(String value, Duration expected) {
    assertThat(LocalCloudProvider.shutdownGrace(value)).isEqualTo(expected);
  }

  /** A clock the test turns. */
  private static final class TurnedClock extends java.time.Clock {
    private java.time.Instant now;

    TurnedClock(java.time.Instant start) {
      now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public java.time.Instant instant() {
      return now;
    }
  }

  @Test
  void aWorkerThatExitsOnItsOwnIsReportedTerminated() throws Exception {
    CloudProvider provider = provider("exit 0");
    provider.create(request("worker-a", "key-a", OWNER));

    InstanceState state = null;
    for (int i = 0; i < 100 && state != InstanceState.TERMINATED; i++) {
      state = provider.list(OWNER).get(0).state();
      Thread.sleep(50);
    }

    assertThat(state).isEqualTo(InstanceState.TERMINATED);
  }

  @Test
  void theStopNoticeIsAFileTheWorkerWatchesAndLeavesTheWorkerRunning() {
    CloudProvider provider = provider("exec sleep 60");
    provider.create(request("worker-a", "key-a", OWNER));
    provider.create(request("worker-b", "key-b", OWNER));
    provider.terminate(List.of("worker-b"));

    provider.sendStopNotice(List.of("worker-a", "worker-b", "no-such-worker", "Not_A_Name"));

    assertThat(StopNotice.localFile(root, "worker-a")).hasContent(StopNotice.SCALE_IN);
    assertThat(StopNotice.localFile(root, "worker-b")).as("terminated: nobody to tell").doesNotExist();
    assertThat(StopNotice.localFile(root, "no-such-worker").getParent()).doesNotExist();
    // the notice asks the worker to stop itself; the pool terminates the instance once it is idle
    assertThat(provider.list(Map.of(OwnerTags.POOL_UID, "pool-1"))).filteredOn(i -> i.id().equals("worker-a"))
        .singleElement().extracting(Instance::state).isEqualTo(InstanceState.RUNNING);
  }

  @Test
  void refusesInvalidNamesAndUnknownTypesBeforeStartingAnything() {
    CloudProvider provider = provider("exec sleep 60");

    assertThatThrownBy(() -> provider.create(request("Bad_Name", "k", OWNER)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("instance name 'Bad_Name' must be 1-63 lower-case letters");
    assertThatThrownBy(() -> provider.create(new CreateInstanceRequest("ok", "k", "m6i.large", null, false, OWNER,
        null, 10, null, Map.of(), null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("instanceType 'm6i.large' is not a local type");
    assertThat(provider.list(Map.of())).isEmpty();
  }

  @Test
  void workersInheritOnlyTheAllowListedVariables() {
    Map<String, String> operatorEnvironment = Map.of(
        "PATH", "/usr/bin", "HOME", "/home/op", "TZ", "UTC",
        "AWS_SECRET_ACCESS_KEY", "s3cr3t", "AWS_ACCESS_KEY_ID", "AKIA", "GOOGLE_APPLICATION_CREDENTIALS", "/key.json",
        "KUBERNETES_SERVICE_HOST", "10.0.0.1", "TASKJOB_CLUSTER_ID", "prod", "JAVA_TOOL_OPTIONS", "-javaagent:x");
    assertThat(LocalCloudProvider.inheritedEnvironment(operatorEnvironment))
        .isEqualTo(Map.of("PATH", "/usr/bin", "HOME", "/home/op", "TZ", "UTC"));
  }

  private static java.util.Set<String> allowedInWorker() {
    java.util.Set<String> allowed = new java.util.HashSet<>(LocalCloudProvider.INHERITED_ENVIRONMENT);
    allowed.addAll(List.of("TASKJOB_QUEUE_NAME", "TASKJOB_INSTANCE_ID", "TASKJOB_LOCAL_ROOT", "PWD", "OLDPWD", "SHLVL", "_"));
    return allowed;
  }

  private static void awaitFile(Path file) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!(Files.exists(file) && file.toFile().length() > 0) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(file).exists();
  }
}
