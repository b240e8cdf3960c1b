package dev.taskjob.crds.v1alpha1.taskjob;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A batch of independent tasks to run on the cheapest instances that fit, and tear down when done
 * ({@code kubectl get tj}).
 */
@JsonClassDescription("A batch of independent tasks run on the cheapest instances that fit, torn down when done.")
@Group(TaskJob.GROUP)
@Version(TaskJob.VERSION)
@ShortNames("tj")
@Categories("taskjob-all")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Total", jsonPath = ".status.total", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Succeeded", jsonPath = ".status.succeeded", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Failed", jsonPath = ".status.failed", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Instances", jsonPath = ".status.instancesRunning", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Type", jsonPath = ".status.instanceType", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "$/Hour", jsonPath = ".status.costPerHour", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "ETA", jsonPath = ".status.eta", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Provider", jsonPath = ".spec.provider", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(
    name = "Spot", jsonPath = ".status.spot", type = AdditionalPrinterColumn.Type.BOOLEAN, priority = 1)
@AdditionalPrinterColumn(
    name = "Cost", jsonPath = ".status.costSoFar", type = AdditionalPrinterColumn.Type.NUMBER, priority = 1)
@AdditionalPrinterColumn(
    name = "$/Task", jsonPath = ".status.costPerCompletedTask", type = AdditionalPrinterColumn.Type.NUMBER, priority = 1)
@AdditionalPrinterColumn(
    name = "Waste%", jsonPath = ".status.costShares.wastePercent", type = AdditionalPrinterColumn.Type.INTEGER,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Budget", jsonPath = ".spec.budget.maxCost", type = AdditionalPrinterColumn.Type.NUMBER, priority = 1)
public class TaskJob extends CustomResource<TaskJobSpec, TaskJobStatus> implements Namespaced {

  public static final String GROUP = "taskjob.dev";
  public static final String VERSION = "v1alpha1";

  // Overridden only to document the fields for kubectl explain.
  @Override
  @JsonPropertyDescription("What to run (tasks, worker) and under which limits (provider, instances, budget).")
  public TaskJobSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription("Progress, counts, cost and conditions, as last observed by the operator.")
  public TaskJobStatus getStatus() {
    return super.getStatus();
  }
}
