package dev.taskjob.core.cloud;

import java.util.Map;
import java.util.Objects;

/**
 * Everything a create call needs. Owner tags are set in the create call itself, never afterwards,
 * so a VM can never exist untagged.
 *
 * @param name readable VM name (GCE instance name; AWS Name tag); valid for both clouds
 * @param idempotencyKey deterministic key (EC2 ClientToken, GCE requestId) so a retried create makes no second VM
 * @param instanceType machine type name
 * @param zone zone, or null to let the provider pick among the configured zones
 * @param spot spot/preemptible capacity
 * @param tags owner tags/labels
 * @param image boot image, or null for the provider's default
 * @param bootDiskGiB boot disk size
 * @param serviceAccount AWS instance profile name or GCP service account email, or null
 * @param workerEnvironment worker configuration passed through the startup script's environment (never credentials)
 * @param startupScript the rendered startup script (user data / startup-script metadata)
 */
public record CreateInstanceRequest(
    String name,
    String idempotencyKey,
    String instanceType,
    String zone,
    boolean spot,
    Map<String, String> tags,
    String image,
    int bootDiskGiB,
    String serviceAccount,
    Map<String, String> workerEnvironment,
    String startupScript) {

  public CreateInstanceRequest {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    Objects.requireNonNull(instanceType, "instanceType");
    tags = tags == null ? Map.of() : Map.copyOf(tags);
    workerEnvironment = workerEnvironment == null ? Map.of() : Map.copyOf(workerEnvironment);
  }
}
