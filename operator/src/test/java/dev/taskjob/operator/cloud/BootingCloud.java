package dev.taskjob.operator.cloud;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.testing.ForwardingCloudProvider;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A real cloud provider (talking to moto or the fake Compute API) whose VMs come to life: every VM the
 * cloud reports as pending or running boots ({@link WorkerVms}) by running the startup script stored with
 * it in the cloud, whose {@code docker run} starts a real worker process, and terminating a VM stops its
 * worker. VMs are booted when a create
 * returns them and when a list shows them, so a VM whose create answer was lost still boots, as a real
 * one would. Every other call goes to the wrapped cloud as it is ({@code BootingCloudTest} checks that each
 * method of {@link CloudProvider} is forwarded).
 */
final class BootingCloud extends ForwardingCloudProvider {

  private final WorkerVms vms;
  private final Function<Instance, String> startupScripts;
  private final Map<String, String> surroundings;

  BootingCloud(CloudProvider cloud, WorkerVms vms, Function<Instance, String> startupScripts,
      Map<String, String> surroundings) {
    super(cloud);
    this.vms = vms;
    this.startupScripts = startupScripts;
    this.surroundings = Map.copyOf(surroundings);
  }

  /**
   * The module the operator is given: {@code module}'s queues, and its clouds wrapped so their VMs boot.
   *
   * @param startupScripts reads a VM's startup script back from the cloud (user data, instance metadata)
   * @param surroundings environment every VM has besides its startup script
   */
  static ProviderModule module(ProviderModule module, WorkerVms vms, Function<Instance, String> startupScripts,
      Map<String, String> surroundings) {
    return new ProviderModule() {
      @Override
      public String name() {
        return module.name();
      }

      @Override
      public CloudProvider cloud(ProviderConfig config) {
        return new BootingCloud(module.cloud(config), vms, startupScripts, surroundings);
      }

      @Override
      public TaskQueue queue(ProviderConfig config, QueueSettings settings) {
        return module.queue(config, settings);
      }

      @Override
      public java.util.Optional<dev.taskjob.core.store.ObjectStore> objectStore(ProviderConfig config,
          java.net.URI location) {
        return module.objectStore(config, location);
      }
    };
  }

  @Override
  public Instance create(CreateInstanceRequest request) {
    Instance vm = real.create(request);
    bootIfAlive(vm);
    return vm;
  }

  @Override
  public List<Instance> list(Map<String, String> tags) {
    List<Instance> found = real.list(tags);
    for (Instance vm : found) {
      if (vm.state().isAlive()) {
        bootIfAlive(vm);
      } else {
        // terminated behind this provider's back (another handle, the console): the VM is gone
        vms.stop(List.of(vm.id()));
      }
    }
    return found;
  }

  @Override
  public void terminate(Collection<String> instanceIds) {
    real.terminate(instanceIds);
    vms.stop(instanceIds);
  }

  private void bootIfAlive(Instance vm) {
    if (vm.state().isAlive() && !vms.booted().containsKey(vm.id())) {
      vms.boot(vm.id(), vm.zone(), startupScripts.apply(vm), surroundings);
    }
  }
}
