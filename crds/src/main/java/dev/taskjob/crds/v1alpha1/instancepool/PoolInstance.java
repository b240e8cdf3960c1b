package dev.taskjob.crds.v1alpha1.instancepool;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One instance of a pool, as last observed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PoolInstance {

  @JsonPropertyDescription("Cloud instance id (EC2 instance id, GCE instance name, or local instance name).")
  private String id;

  @JsonPropertyDescription("Zone the instance runs in.")
  private String zone;

  @JsonPropertyDescription("Pending, Running, Stopping, Stopped, Preempted, Terminating or Terminated.")
  private PoolInstanceState state;

  @JsonPropertyDescription("When the instance entered its state (RFC 3339).")
  private String since;

  @JsonPropertyDescription("When its worker last reported (RFC 3339). Unset: never.")
  private String lastHeartbeat;

  public PoolInstance() {}

  public PoolInstance(String id, String zone, PoolInstanceState state, String since, String lastHeartbeat) {
    this.id = id;
    this.zone = zone;
    this.state = state;
    this.since = since;
    this.lastHeartbeat = lastHeartbeat;
  }

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getZone() {
    return zone;
  }

  public void setZone(String zone) {
    this.zone = zone;
  }

  public PoolInstanceState getState() {
    return state;
  }

  public void setState(PoolInstanceState state) {
    this.state = state;
  }

  public String getSince() {
    return since;
  }

  public void setSince(String since) {
    this.since = since;
  }

  public String getLastHeartbeat() {
    return lastHeartbeat;
  }

  public void setLastHeartbeat(String lastHeartbeat) {
    this.lastHeartbeat = lastHeartbeat;
  }
}
