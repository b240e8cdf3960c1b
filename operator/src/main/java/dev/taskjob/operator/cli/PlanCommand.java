package dev.taskjob.operator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.taskjob.core.Json;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.crds.v1alpha1.shared.Durations;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import dev.taskjob.operator.decision.JobPlan;
import dev.taskjob.operator.decision.PricedPlan;
import dev.taskjob.operator.selection.InstanceConstraints;
import dev.taskjob.operator.selection.InstanceSelector;
import dev.taskjob.operator.validation.Constraints;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code taskjob plan FILE}: prices a TaskJob before it runs, from the bundled price snapshot and the
 * same decisions the operator makes ({@link PricedPlan}, as for {@code spec.dryRun}); nothing is created or called.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
    description = "Price a TaskJob before it runs: the chosen instance type and count, the expected makespan and"
        + " cost with a range, the top alternatives, and the assumptions. Calls nothing; prices from the bundled"
        + " snapshot.")
public final class PlanCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "A YAML file holding the TaskJob (other documents are"
      + " skipped).")
  Path file;

  @Option(names = "--tasks", required = true, description = "How many tasks the job has.")
  long tasks;

  @Option(names = "--task-duration", description = "How long one task runs (default: the TaskJob's"
      + " spec.worker.expectedTaskDuration, else 1h).")
  String taskDuration;

  @Option(names = "--alternatives", defaultValue = "3", description = "Alternatives to show (default ${DEFAULT-VALUE}).")
  int alternatives;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    TaskJob job;
    try {
      job = read(file);
      if (tasks < 1) {
        throw new IllegalArgumentException("--tasks must be at least 1, got " + tasks);
      }
    } catch (IOException | IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    TaskJobSpec s = job.getSpec();
    try {
      InstanceConstraints constraints = Constraints.of(s.getInstances(), s.getZones(), s.getWorker().getCpusPerTask(),
          s.getWorker().getMemoryPerTaskGiB(), s.getWorker().getSimultaneousTasks(), null);
      String provider = s.getProvider().id();
      InstanceCatalog catalog = Providers.get(provider).snapshotCatalog(new ProviderConfig(provider, s.getRegion(),
          s.getZones(), Map.of()));
      Duration duration = taskDuration == null ? null : Durations.parse("--task-duration", taskDuration);
      PricedPlan.Priced priced = PricedPlan.price(InstanceSelector.select(catalog, constraints), constraints, s, tasks,
          duration, alternatives, Instant.now());
      print(out, job, catalog, priced);
      return 0;
    } catch (IllegalArgumentException e) { // NoMatchingInstanceTypeException included
      err.println("error: " + e.getMessage());
      return 2;
    }
  }

  private void print(PrintWriter out, TaskJob job, InstanceCatalog catalog, PricedPlan.Priced priced) {
    out.println("Plan for TaskJob " + job.getMetadata().getName() + ": " + tasks + " tasks, " + catalog.provider()
        + (catalog.region() == null ? "" : " " + catalog.region()) + ", prices from the bundled snapshot"
        + (catalog.pricesAsOf() == null ? "" : " taken " + catalog.pricesAsOf().atZone(ZoneOffset.UTC).toLocalDate()));
    printPlan(out, priced);
  }

  /** The plan's lines after its heading; {@code taskjob local} prints a dry-run job's plan the same way. */
  public static void printPlan(PrintWriter out, PricedPlan.Priced priced) {
    JobPlan.Estimate c = priced.plan().chosen();
    var offering = c.offering().candidate();
    long tasks = priced.tasks();
    Double maxCost = priced.maxCost();
    out.println("Chosen:    " + c.offering().offering() + ", " + c.instances() + " instances x " + offering.slots()
        + " slots at " + usd(offering.pricePerHour()) + "/hour each"
        + (offering.price().diskPerHour() > 0 ? " (" + offering.price().describe() + ")" : ""));
    out.println("Makespan:  " + Durations.format(c.makespan()) + " (" + Durations.format(c.makespanLow()) + " to "
        + Durations.format(c.makespanHigh()) + ")");
    out.println("Cost:      " + usd(c.cost()) + " (" + usd(c.costLow()) + " to " + usd(c.costHigh()) + "), "
        + usd(c.offering().costPerCompletedTask()) + " per completed task");
    if (maxCost != null) {
      out.println("Budget:    " + usd(maxCost) + (c.tasksWithinBudget() < tasks ? ": pays for about "
          + c.tasksWithinBudget() + " of the " + tasks + " tasks; the job would stop at BudgetExhausted"
          : ": enough at the expected cost" + (c.costHigh() > maxCost ? ", not at the range's high end" : "")));
    }
    List<String> alternatives = priced.alternativeLines();
    if (!alternatives.isEmpty()) {
      out.println("Alternatives:");
      alternatives.forEach(a -> out.println("  " + a));
    }
    out.println("Assumptions: " + priced.assumptions());
  }

  private static TaskJob read(Path file) throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    try (MappingIterator<JsonNode> docs = yaml.readerFor(JsonNode.class).readValues(file.toFile())) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc != null && "TaskJob".equals(doc.path("kind").asText())) {
          TaskJob job = Json.MAPPER.treeToValue(doc, TaskJob.class);
          if (job.getSpec() == null || job.getSpec().getProvider() == null || job.getSpec().getWorker() == null) {
            throw new IllegalArgumentException(file + ": the TaskJob needs spec.provider and spec.worker");
          }
          return job;
        }
      }
    }
    throw new IllegalArgumentException(file + ": no TaskJob in the file");
  }

  private static String usd(double v) {
    return PricedPlan.usd(v);
  }
}
