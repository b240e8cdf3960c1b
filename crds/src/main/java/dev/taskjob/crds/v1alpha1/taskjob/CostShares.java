package dev.taskjob.crds.v1alpha1.taskjob;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Where a job's bill went, in USD (three significant digits); the five parts add up to costSoFar. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CostShares {

  @JsonPropertyDescription("The tasks' own share: the seconds each attempt that was not interrupted held its slot,"
      + " at its VM's price per slot.")
  private Double tasks;

  @JsonPropertyDescription("Boot: each VM from its launch to its first task's start (all of a VM that ran no task).")
  private Double boot;

  @JsonPropertyDescription("Idle slots: slots without a task between a VM's first task and its last, the billing's"
      + " rounding and minimum, and VMs billed whose work the operator did not observe.")
  private Double idle;

  @JsonPropertyDescription("Drain: each ended VM from its last task's end to its own end.")
  private Double drain;

  @JsonPropertyDescription("Interrupted work: slot time of attempts that a spot interruption, scale-in or a lost VM"
      + " ended before they finished.")
  private Double interrupted;

  @JsonPropertyDescription("Boot, idle slots, drain and interrupted work together, in percent of costSoFar.")
  private Integer wastePercent;

  public CostShares() {}

  public CostShares(Double tasks, Double boot, Double idle, Double drain, Double interrupted, Integer wastePercent) {
    this.tasks = tasks;
    this.boot = boot;
    this.idle = idle;
    this.drain = drain;
    this.interrupted = interrupted;
    this.wastePercent = wastePercent;
  }

  public Double getTasks() {
    return tasks;
  }

  public void setTasks(Double tasks) {
    this.tasks = tasks;
  }

  public Double getBoot() {
    return boot;
  }

  public void setBoot(Double boot) {
    this.boot = boot;
  }

  public Double getIdle() {
    return idle;
  }

  public void setIdle(Double idle) {
    this.idle = idle;
  }

  public Double getDrain() {
    return drain;
  }

  public void setDrain(Double drain) {
    this.drain = drain;
  }

  public Double getInterrupted() {
    return interrupted;
  }

  public void setInterrupted(Double interrupted) {
    this.interrupted = interrupted;
  }

  public Integer getWastePercent() {
    return wastePercent;
  }

  public void setWastePercent(Integer wastePercent) {
    this.wastePercent = wastePercent;
  }
}
