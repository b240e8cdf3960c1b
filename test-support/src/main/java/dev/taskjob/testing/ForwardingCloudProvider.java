package dev.taskjob.testing;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.Disk;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.PlacementScores;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** A cloud that hands every call to a real one; a test overrides the calls it watches or changes. */
public abstract class ForwardingCloudProvider implements CloudProvider {

  protected final CloudProvider real;

  protected ForwardingCloudProvider(CloudProvider real) {
    this.real = real;
  }

  @Override
  public String name() {
    return real.name();
  }

  @Override
  public InstanceCatalog catalog() {
    return real.catalog();
  }

  @Override
  public Instance create(CreateInstanceRequest request) {
    return real.create(request);
  }

  @Override
  public List<Instance> list(Map<String, String> tags) {
    return real.list(tags);
  }

  @Override
  public List<String> disks(Map<String, String> tags) {
    return real.disks(tags);
  }

  @Override
  public List<Disk> detachedDisks(Map<String, String> tags) {
    return real.detachedDisks(tags);
  }

  @Override
  public void deleteDisks(Collection<String> diskIds) {
    real.deleteDisks(diskIds);
  }

  @Override
  public PlacementScores placementScores(List<String> spotTypes, int targetInstances) {
    return real.placementScores(spotTypes, targetInstances);
  }

  @Override
  public void sendStopNotice(Collection<String> instanceIds) {
    real.sendStopNotice(instanceIds);
  }

  @Override
  public void terminate(Collection<String> instanceIds) {
    real.terminate(instanceIds);
  }

  @Override
  public void close() {
    real.close();
  }
}
