package dev.taskjob.core.cloud;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * VMs in one region of one cloud. The cloud is the source of truth: every VM carries its owner tags
 * from the create call on, and {@link #list} finds VMs by those tags after any restart.
 * Implementations are thread-safe.
 */
public interface CloudProvider extends AutoCloseable {

  /** "aws", "gcp" or "local". */
  String name();

  /** Instance types with prices for the configured region (fetched, snapshot or overridden; see {@link PriceSource}). */
  InstanceCatalog catalog();

  /**
   * Creates one VM. Idempotent on {@link CreateInstanceRequest#idempotencyKey()}: a retry of the same
   * request (after a timeout or a crash) returns the VM the first call made rather than a second one.
   *
   * @throws CapacityException when the (type, zone, spot) combination has no capacity or quota
   * @throws CloudException for other failures ({@link CloudException#isRetryable()} says whether to retry)
   */
  Instance create(CreateInstanceRequest request);

  /** Every VM, in any state, whose tags include all of {@code tags}. Paginates internally. */
  List<Instance> list(Map<String, String> tags);

  /**
   * Disks, by id, whose tags include all of {@code tags}, in any state but deleted: the boot disks of live
   * VMs and any a VM left behind. Nothing of a job is left in the cloud when both this and {@link #list} are
   * empty for its tags. Providers whose VMs have no disks of their own (local) have none.
   */
  default List<String> disks(Map<String, String> tags) {
    return List.of();
  }

  /**
   * The disks of {@link #disks} that no VM uses, with their tags: what a deleted VM left behind. A disk still
   * attached goes with its VM, so it is never listed here. Providers without disks have none.
   */
  default List<Disk> detachedDisks(Map<String, String> tags) {
    return List.of();
  }

  /**
   * Deletes disks by id. Unknown or already deleted ids are not an error; a disk that is in use again is skipped
   * (the cloud refuses to delete it). Returns without waiting for the cloud to finish.
   */
  default void deleteDisks(Collection<String> diskIds) {}

  /**
   * Tells the workers of these VMs to take no new task ({@link StopNotice}): the pool chose them for removal and
   * terminates them once idle or after the workers' grace period. Unknown or gone ids are skipped. Providers
   * without a way to tell a worker do nothing (their terminate, SIGTERM with the grace period, is the notice).
   */
  default void sendStopNotice(Collection<String> instanceIds) {}

  /**
   * The cloud's spot placement scores for these spot types in the region's zones, for a pool of about
   * {@code targetInstances} VMs. Asked rarely and cached by the provider (the clouds limit how often); never
   * throws: a cloud without scores, or a call that failed, answers {@link PlacementScores#NONE} and the
   * ranking uses its next interruption-rate source. Only EC2 has them.
   *
   * @param spotTypes the candidate spot types, best first
   */
  default PlacementScores placementScores(List<String> spotTypes, int targetInstances) {
    return PlacementScores.NONE;
  }

  /** Terminates VMs by id. Unknown or already terminated ids are not an error. */
  void terminate(Collection<String> instanceIds);

  @Override
  default void close() {}
}
