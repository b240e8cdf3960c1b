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
 */
public record Instance(
    String id,
    String name,
    String instanceType,
    String zone,
    boolean spot,
    InstanceState state,
    Instant launchTime,
    Map<String, String> tags) {

  public Instance {
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }
}
