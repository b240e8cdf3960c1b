package dev.taskjob.operator.reliability;

import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.reconciler.LedgerStore;
import dev.taskjob.operator.reconciler.OperatorHarness;
import dev.taskjob.provider.local.LocalCloudProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a fault run checks once its job has finished: the ledger's counts (no task lost, each terminal
 * once), and what is left behind (worker processes of this JVM, local instances still running).
 */
final class FaultRun {

  private FaultRun() {}

  /** Test settings with the local provider rooted at {@code root}. */
  static OperatorSettings settings(String clusterId, Path root) {
    return OperatorSettings.defaults(clusterId).fast()
        .withProviderProperties(Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString()));
  }

  /** The job's ledger as the operator saved it. */
  static Ledger ledger(OperatorHarness harness, String jobName) {
    TaskJob job = harness.job(jobName);
    return new LedgerStore(harness.client).load(job).orElseThrow(
        () -> new AssertionError("no ledger for " + jobName)).ledger();
  }

  /** Worker processes started by this JVM (local instances) that still run. */
  static List<ProcessHandle> liveWorkers() {
    return ProcessHandle.current().descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().map(c -> c.contains(LocalCloudProvider.WORKER_MAIN_CLASS)).orElse(false))
        .toList();
  }

  /** Local instances under {@code root} that are not terminated. */
  static List<Instance> liveInstances(Path root) {
    LocalCloudProvider cloud = new LocalCloudProvider(
        new ProviderConfig("local", null, List.of(), Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString())));
    return cloud.list(Map.of()).stream().filter(i -> i.state() != InstanceState.TERMINATED).toList();
  }

  /** Every instance ever created under {@code root}. */
  static List<Instance> allInstances(Path root) {
    LocalCloudProvider cloud = new LocalCloudProvider(
        new ProviderConfig("local", null, List.of(), Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString())));
    return cloud.list(Map.of());
  }
}
