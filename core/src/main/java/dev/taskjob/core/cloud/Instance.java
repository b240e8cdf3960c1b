package dev.taskjob.core.cloud;

import java.time.Instant;
import java.util.Map;

/**
 * A VM as the cloud reports it.
 *
 * @param id the cloud's id (i-0abc..., the GCE instance name, the local instance name)
 * @param name a readable name (the Name tag on AWS)
 * @param instanceType the machine type
 * @param zone the zone it runs in
 * @param spot true for spot/preemptible
 * @param state lifecycle state
 * @param launchTime when the cloud started it
 * @param tags its tags (AWS) or labels (GCP)
 * @param endTime when the cloud stopped billing it (terminated, preempted, stopped), where the cloud reports
 *     it; null while it runs or when unknown
 */
public record Instance(
    String id,
    String name,
    String instanceType,
    String zone,
    boolean spot,
    InstanceState state,
    Instant launchTime,
    Map<String, String> tags,
    Instant endTime) {

  public Instance {
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  /** A VM whose end time the cloud does not report (or that still runs). */
  public Instance(String id, String name, String instanceType, String zone, boolean spot, InstanceState state,
      Instant launchTime, Map<String, String> tags) {
    this(id, name, instanceType, zone, spot, state, launchTime, tags, null);
  }
}
