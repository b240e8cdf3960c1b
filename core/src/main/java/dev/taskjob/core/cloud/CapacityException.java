package dev.taskjob.core.cloud;

/**
 * No capacity or quota for a (type, zone, spot) combination (InsufficientInstanceCapacity,
 * ZONE_RESOURCE_POOL_EXHAUSTED, quota exceeded). The caller marks it unavailable for a while and
 * moves on to the next zone or type.
 */
public class CapacityException extends CloudException {

  private final String instanceType;
  private final String zone;
  private final boolean spot;

  public CapacityException(String message, String instanceType, String zone, boolean spot, Throwable cause) {
    super(message, false, cause);
    this.instanceType = instanceType;
    this.zone = zone;
    this.spot = spot;
  }

  public String instanceType() {
    return instanceType;
  }

  public String zone() {
    return zone;
  }

  public boolean spot() {
    return spot;
  }
}
