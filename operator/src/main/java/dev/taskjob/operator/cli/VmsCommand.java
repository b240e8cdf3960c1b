package dev.taskjob.operator.cli;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.OwnerTags;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code taskjob vms list|stop}: the VMs taskjob started, found by the owner tags every VM carries from
 * its create call on (rms-cloud-tasks' list_running_instances and stop), straight from the cloud, with no
 * cluster needed.
 */
@Command(name = "vms", mixinStandardHelpOptions = true,
    description = "List or terminate the VMs taskjob started, found in the cloud by their owner tags.",
    subcommands = {VmsCommand.ListInstances.class, VmsCommand.Stop.class})
public final class VmsCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: list or stop");
  }

  /** Where the VMs are and which ones: the provider, its location, and optionally one job. */
  static final class Target {
    @Option(names = "--provider", required = true, description = "aws, gcp or local.")
    QueueOptions.Provider provider;

    @Option(names = "--region", description = "AWS region (else AWS_REGION) or GCP region.")
    String region;

    @Option(names = {"--zone", "--zones"}, split = ",", description = "GCP zone(s) to look in (default: the region's).")
    List<String> zones;

    @Option(names = {"--project", "--project-id"}, description = "GCP project id (else GOOGLE_CLOUD_PROJECT).")
    String project;

    @Option(names = "--endpoint", description = "Endpoint override: EC2 (else AWS_ENDPOINT_URL) or Compute Engine.")
    String endpoint;

    @Option(names = "--local-root", defaultValue = "${env:TASKJOB_LOCAL_ROOT}",
        description = "Local provider directory (else TASKJOB_LOCAL_ROOT, else ${java.io.tmpdir}/taskjob-local).")
    String localRoot;

    @Option(names = "--job", description = "Only this TaskJob's VMs (its name).")
    String job;

    @Option(names = {"-n", "--namespace"}, description = "Only VMs of jobs in this namespace.")
    String namespace;

    CloudProvider open() {
      Map<String, String> properties = new HashMap<>();
      properties.put(ProviderConfig.Keys.CATALOG_SOURCE, "snapshot"); // listing needs no prices
      if (project != null) {
        properties.put(ProviderConfig.Keys.PROJECT, project);
      }
      if (endpoint != null) {
        properties.put(provider == QueueOptions.Provider.gcp ? ProviderConfig.Keys.COMPUTE_ENDPOINT
            : ProviderConfig.Keys.AWS_ENDPOINT, endpoint);
      }
      if (localRoot != null && !localRoot.isBlank()) {
        properties.put(ProviderConfig.Keys.LOCAL_ROOT, localRoot);
      }
      return Providers.get(provider.name()).cloud(new ProviderConfig(provider.name(), region, zones, properties));
    }

    /** The tags a VM must carry: taskjob's, and the job's and namespace's when given. */
    Map<String, String> tags() {
      Map<String, String> tags = new LinkedHashMap<>();
      tags.put(OwnerTags.MANAGED_BY, OwnerTags.MANAGED_BY_VALUE);
      if (job != null) {
        tags.put(OwnerTags.JOB_NAME, job);
      }
      if (namespace != null) {
        tags.put(OwnerTags.NAMESPACE, namespace);
      }
      return tags;
    }

    List<Instance> find(CloudProvider cloud, boolean includeGone) {
      return cloud.list(tags()).stream().filter(i -> includeGone || i.state().isAlive())
          .sorted(Comparator.comparing((Instance i) -> job(i)).thenComparing(Instance::id)).toList();
    }
  }

  static String job(Instance i) {
    String name = i.tags().get(OwnerTags.JOB_NAME);
    String ns = i.tags().get(OwnerTags.NAMESPACE);
    return name == null ? "-" : ns == null ? name : ns + "/" + name;
  }

  private static final String FORMAT = "%-22s %-11s %-16s %-16s %-5s %-20s %s%n";

  static void print(PrintWriter out, List<Instance> instances) {
    out.printf(Locale.ROOT, FORMAT, "ID", "STATE", "TYPE", "ZONE", "SPOT", "LAUNCHED", "JOB");
    for (Instance i : instances) {
      out.printf(Locale.ROOT, FORMAT, i.id(), i.state().name().toLowerCase(Locale.ROOT), i.instanceType(),
          i.zone() == null ? "-" : i.zone(), i.spot() ? "yes" : "no",
          i.launchTime() == null ? "-" : i.launchTime().toString(), job(i));
    }
  }

  /** rms-cloud-tasks' list_running_instances. */
  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the VMs taskjob started that are pending or running (all states with --all).")
  static final class ListInstances implements Callable<Integer> {
    @Mixin Target target;
    @Option(names = "--all", description = "Also VMs that are stopping, stopped or terminated.") boolean all;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      List<Instance> found = target.find(target.open(), all);
      PrintWriter out = spec.commandLine().getOut();
      if (found.isEmpty()) {
        spec.commandLine().getErr().println("No " + (all ? "" : "pending or running ") + "VMs with tags " + target.tags());
        return 0;
      }
      print(out, found);
      return 0;
    }
  }

  /** rms-cloud-tasks' stop: terminate one job's VMs. */
  @Command(name = "stop", mixinStandardHelpOptions = true,
      description = {"Terminate every pending or running VM of one job (--job).",
          "While an operator runs the job it starts new ones: stop such a job with",
          "'kubectl delete taskjob NAME', which terminates its VMs; this command is for",
          "VMs no operator looks after any more."})
  static final class Stop implements Callable<Integer> {
    @Mixin Target target;
    @Option(names = {"-f", "--force"}, description = "Do not ask for confirmation.") boolean force;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      if (target.job == null || target.job.isBlank()) {
        err.println("error: --job is required: stop terminates one job's VMs, never every VM taskjob started");
        return 2;
      }
      CloudProvider cloud = target.open();
      List<Instance> found = target.find(cloud, false);
      if (found.isEmpty()) {
        err.println("No pending or running VMs of job " + target.job);
        return 0;
      }
      print(spec.commandLine().getOut(), found);
      if (!QueueCommand.confirmed(spec, force, "Terminate these " + found.size() + " VMs?")) {
        return 1;
      }
      cloud.terminate(found.stream().map(Instance::id).toList());
      spec.commandLine().getOut().println("Terminating " + found.size() + " VMs of job " + target.job);
      return 0;
    }
  }
}
