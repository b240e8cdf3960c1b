package dev.taskjob.crds.v1alpha1.instancepool;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.LenientReader;
import dev.taskjob.crds.v1alpha1.shared.UnreadableField;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed about an InstancePool. Timestamps are RFC 3339 strings. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonDeserialize(using = InstancePoolStatus.Reader.class)
public class InstancePoolStatus {

  /** Reads stored objects leniently (see {@link LenientReader}); what a newer operator wrote and this one cannot read is left out. */
  public static final class Reader extends LenientReader<InstancePoolStatus> {
    public Reader() {
      super(InstancePoolStatus.class, "status");
    }

    @Override
    protected void recordUnreadable(InstancePoolStatus value, List<UnreadableField> unreadable) {
      // the operator rewrites its status; nothing to report
    }
  }


  /** Most entries kept in {@code instances}; the counts cover every instance. */
  public static final int MAX_LISTED_INSTANCES = 200;

  @JsonPropertyDescription("Pending, Scaling, Ready, Terminating or Failed.")
  private InstancePoolPhase phase;

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @Size(max = 32)
  @JsonPropertyDescription("Conditions: Ready, CapacityLimited, Failed.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Selected instance type, e.g. c7g.2xlarge.")
  private String instanceType;

  @JsonPropertyDescription("Whether the instances are spot (preemptible) instances.")
  private Boolean spot;

  @JsonPropertyDescription("Price of one instance of the selected type with its boot disk, in USD per hour.")
  private Double pricePerHour;

  @Size(max = 20)
  @JsonPropertyDescription("Next-cheapest instance types meeting the constraints, tried in order on capacity errors.")
  private List<@Size(max = 128) String> fallbackTypes;

  @JsonPropertyDescription("Instances being created.")
  private Integer pending;

  @JsonPropertyDescription("Instances running.")
  private Integer running;

  @JsonPropertyDescription("Instances being terminated.")
  private Integer terminating;

  @JsonPropertyDescription("Instances replaced so far because they died, were preempted or stopped reporting.")
  private Long replacements;

  @JsonPropertyDescription("Price of the running and pending instances, in USD per hour.")
  private Double costPerHour;

  @JsonPropertyDescription("What this pool's VMs have been billed so far, in USD (three significant digits): each VM"
      + " from its launch to its end at the price of its type, zone and market plus its boot disk, per second with the"
      + " provider's minimum.")
  private Double costSoFar;

  @JsonPropertyDescription("USD billed for VMs the cloud no longer lists, at full precision: with bills, what"
      + " costSoFar is computed from, kept so an operator restart neither loses nor repeats a VM's cost.")
  private Double closedBillsCost;

  @JsonPropertyDescription("The bill of each VM the cloud listed at the last look, alive or ended.")
  private List<InstanceBill> bills;

  @JsonPropertyDescription("Disks of this pool's VMs the cloud still holds, counted while the pool drains (count 0)."
      + " The pool is not empty until this is 0.")
  private Integer disksLeft;

  @Size(max = MAX_LISTED_INSTANCES)
  @JsonPropertyDescription("The pool's instances (at most 200 listed).")
  private List<PoolInstance> instances;

  @JsonPropertyDescription("Human-readable summary of the current state.")
  private String message;

  @JsonPropertyDescription(
      "Why the instance type for new instances, in one line: its expected cost per completed task, the task "
          + "duration and interruption rate it assumes, and the runner-up.")
  private String choice;

  public InstancePoolPhase getPhase() {
    return phase;
  }

  public void setPhase(InstancePoolPhase phase) {
    this.phase = phase;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public String getInstanceType() {
    return instanceType;
  }

  public void setInstanceType(String instanceType) {
    this.instanceType = instanceType;
  }

  public Boolean getSpot() {
    return spot;
  }

  public void setSpot(Boolean spot) {
    this.spot = spot;
  }

  public Double getPricePerHour() {
    return pricePerHour;
  }

  public void setPricePerHour(Double pricePerHour) {
    this.pricePerHour = pricePerHour;
  }

  public List<String> getFallbackTypes() {
    return fallbackTypes;
  }

  public void setFallbackTypes(List<String> fallbackTypes) {
    this.fallbackTypes = fallbackTypes;
  }

  public Integer getPending() {
    return pending;
  }

  public void setPending(Integer pending) {
    this.pending = pending;
  }

  public Integer getRunning() {
    return running;
  }

  public void setRunning(Integer running) {
    this.running = running;
  }

  public Integer getTerminating() {
    return terminating;
  }

  public void setTerminating(Integer terminating) {
    this.terminating = terminating;
  }

  public Long getReplacements() {
    return replacements;
  }

  public void setReplacements(Long replacements) {
    this.replacements = replacements;
  }

  public Double getCostPerHour() {
    return costPerHour;
  }

  public void setCostPerHour(Double costPerHour) {
    this.costPerHour = costPerHour;
  }

  public List<PoolInstance> getInstances() {
    return instances;
  }

  public void setInstances(List<PoolInstance> instances) {
    this.instances = instances;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getChoice() {
    return choice;
  }

  public void setChoice(String choice) {
    this.choice = choice;
  }

  public Double getCostSoFar() {
    return costSoFar;
  }

  public void setCostSoFar(Double costSoFar) {
    this.costSoFar = costSoFar;
  }

  public Double getClosedBillsCost() {
    return closedBillsCost;
  }

  public void setClosedBillsCost(Double closedBillsCost) {
    this.closedBillsCost = closedBillsCost;
  }

  public List<InstanceBill> getBills() {
    return bills;
  }

  public void setBills(List<InstanceBill> bills) {
    this.bills = bills;
  }

  public Integer getDisksLeft() {
    return disksLeft;
  }

  public void setDisksLeft(Integer disksLeft) {
    this.disksLeft = disksLeft;
  }
}
