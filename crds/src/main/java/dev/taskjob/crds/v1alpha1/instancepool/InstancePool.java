package dev.taskjob.crds.v1alpha1.instancepool;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A set of identical instances kept at {@code spec.count}, usually owned by a TaskJob
 * ({@code kubectl get ipool}). Deleting it terminates every instance.
 */
@JsonClassDescription("A set of identical instances kept at spec.count; deleting it terminates every instance.")
@Group(TaskJob.GROUP)
@Version(TaskJob.VERSION)
@ShortNames("ipool")
@Categories("taskjob-all")
@AdditionalPrinterColumn(name = "Type", jsonPath = ".status.instanceType", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Desired", jsonPath = ".spec.count", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Running", jsonPath = ".status.running", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "$/Hour", jsonPath = ".status.costPerHour", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
    name = "Cost", jsonPath = ".status.costSoFar", type = AdditionalPrinterColumn.Type.NUMBER, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(
    name = "Spot", jsonPath = ".status.spot", type = AdditionalPrinterColumn.Type.BOOLEAN, priority = 1)
@AdditionalPrinterColumn(
    name = "Replacements", jsonPath = ".status.replacements", type = AdditionalPrinterColumn.Type.INTEGER, priority = 1)
public class InstancePool extends CustomResource<InstancePoolSpec, InstancePoolStatus> implements Namespaced {

  // Overridden only to document the fields for kubectl explain.
  @Override
  @JsonPropertyDescription("Where the instances run, which types may be used, how many, and what each runs.")
  public InstancePoolSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription("Selected type, price, instance counts and conditions, as last observed by the operator.")
  public InstancePoolStatus getStatus() {
    return super.getStatus();
  }
}
