package dev.taskjob.core.cloud;

import java.time.Instant;
import java.util.Map;

/**
 * A disk that no VM uses: left behind by a VM that was deleted without it, or by a crash.
 *
 * @param id the provider's id ({@link CloudProvider#deleteDisks} takes it)
 * @param tags its tags or labels (the owner tags of the VM it was made with)
 * @param createdAt when the cloud created it, or null when it does not say
 */
public record Disk(String id, Map<String, String> tags, Instant createdAt) {

  public Disk {
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }
}
