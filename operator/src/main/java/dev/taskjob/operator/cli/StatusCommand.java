package dev.taskjob.operator.cli;

import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.operator.progress.JobSummary;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code taskjob status JOB}: the summary {@code taskjob local} prints at the end, for a job in a cluster. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Print a TaskJob's summary: counts, elapsed-time statistics, rate, cost, cost per completed task and where the cost went, and failed tasks.")
public final class StatusCommand implements Callable<Integer> {

  @Mixin ClusterOptions cluster;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "JOB", description = "The TaskJob's name.")
  String name;

  @Override
  public Integer call() throws Exception {
    try (KubernetesClient client = cluster.client()) {
      String namespace = cluster.namespace(client);
      TaskJob job = client.resources(TaskJob.class).inNamespace(namespace).withName(name).get();
      if (job == null) {
        spec.commandLine().getErr().println("taskjob status: taskjob " + name + " not found in namespace " + namespace);
        return 2;
      }
      spec.commandLine().getOut().print(JobSummary.of(client, job));
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
