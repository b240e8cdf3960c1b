package dev.taskjob.operator.cli;

import dev.taskjob.operator.report.HtmlReport;
import dev.taskjob.operator.report.ReportData;
import dev.taskjob.operator.report.ReportReader;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code taskjob report JOB -o report.html}: a job's progress, costs and failures as one self-contained HTML page. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = {
        "Writes a TaskJob's report as one HTML page that needs no network: tasks,",
        "instances and cost over time, the elapsed-time histogram, the failed tasks",
        "with their reasons, and the instance type with its runner-ups.",
        "Reads the job, its InstancePool and its ledger through the Kubernetes API",
        "(a cluster, or a running 'taskjob local' with",
        "--kubeconfig .taskjob-local/kubeconfig); 'taskjob local' writes one per job.",
        "Exit status: 0 written, 1 no such job or the API cannot be read, 2 bad options."})
public final class ReportCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "JOB", description = "The TaskJob's name.")
  String job;

  @Option(names = {"-n", "--namespace"},
      description = "The job's namespace. Default: the kubeconfig context's namespace, else default.")
  String namespace;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE",
      description = "Where to write the page; '-' for stdout. Default: JOB-report.html in this directory.")
  String output;

  @Option(names = "--kubeconfig", description = "Kubeconfig file. Default: KUBECONFIG, ~/.kube/config, or in-cluster.")
  Path kubeconfig;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private String archiveProblem;

  /**
   * The job's archived events, for the charts of a job nobody watched; null when it names no output location
   * or has no ledger yet. A store that cannot be read leaves the charts without history and says why.
   */
  private ReportReader.ArchivedEvents archiveOf(KubernetesClient client, String ns) {
    ClusterJob cluster;
    try {
      cluster = ClusterJob.read(client, ns, job);
    } catch (RuntimeException e) {
      return null;
    }
    if (!cluster.hasArchive()) {
      return null;
    }
    return each -> {
      try {
        cluster.forEachArchivedEvent(each);
      } catch (RuntimeException e) {
        archiveProblem = e.getMessage();
      }
    };
  }

  @Override
  public Integer call() throws IOException {
    if (kubeconfig != null && !Files.isReadable(kubeconfig)) {
      spec.commandLine().getErr().println("taskjob report: --kubeconfig " + kubeconfig + ": no such readable file");
      return 2;
    }
    Config config = kubeconfig == null ? Config.autoConfigure(null)
        : Config.fromKubeconfig(Files.readString(kubeconfig));
    String ns = namespace != null ? namespace : config.getNamespace() != null ? config.getNamespace() : "default";
    Optional<ReportData> data;
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      data = ReportReader.read(client, ns, job, null, archiveOf(client, ns), Instant.now());
    } catch (KubernetesClientException e) {
      spec.commandLine().getErr().println("taskjob report: cannot read TaskJob " + ns + "/" + job + " from "
          + config.getMasterUrl() + ": " + e.getMessage());
      return 1;
    }
    if (data.isEmpty()) {
      spec.commandLine().getErr().println("taskjob report: no TaskJob " + job + " in namespace " + ns);
      return 1;
    }
    String html = HtmlReport.render(data.get());
    if (archiveProblem != null) {
      spec.commandLine().getErr().println("taskjob report: the charts join the job's start to its status: its"
          + " archive could not be read: " + archiveProblem);
    }
    if ("-".equals(output)) {
      spec.commandLine().getOut().print(html);
      spec.commandLine().getOut().flush();
      return 0;
    }
    Path file = Path.of(output == null ? job + "-report.html" : output);
    Files.writeString(file, html, StandardCharsets.UTF_8);
    spec.commandLine().getErr().println("Report of " + ns + "/" + job + " written to " + file.toAbsolutePath());
    return 0;
  }
}
