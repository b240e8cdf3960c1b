package dev.taskjob.operator.reconciler;

import dev.taskjob.crds.v1alpha1.shared.ConfigMapTaskRef;
import dev.taskjob.crds.v1alpha1.shared.GenerateSpec;
import dev.taskjob.crds.v1alpha1.shared.InstanceRequirements;
import dev.taskjob.crds.v1alpha1.shared.Provider;
import dev.taskjob.crds.v1alpha1.shared.WorkerSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskSource;
import java.util.List;

/** TaskJob manifests for tests, as a user would write them. */
public final class TaskJobs {

  private TaskJobs() {}

  public static TaskJob fromConfigMap(String name, String configMap, String key, List<String> command) {
    TaskSource tasks = new TaskSource();
    tasks.setConfigMapRefs(List.of(new ConfigMapTaskRef(configMap, key)));
    return job(name, tasks, command);
  }

  public static TaskJob generated(String name, long count, List<String> command) {
    GenerateSpec generate = new GenerateSpec();
    generate.setCount(count);
    TaskSource tasks = new TaskSource();
    tasks.setGenerate(generate);
    return job(name, tasks, command);
  }

  public static TaskJob job(String name, TaskSource tasks, List<String> command) {
    TaskJob job = new TaskJob();
    job.getMetadata().setName(name);
    TaskJobSpec spec = new TaskJobSpec();
    spec.setProvider(Provider.LOCAL);
    spec.setTasks(tasks);
    WorkerSpec worker = new WorkerSpec();
    worker.setCommand(command);
    spec.setWorker(worker);
    InstanceRequirements instances = new InstanceRequirements();
    instances.setMaxInstances(2);
    instances.setMaxCpus(1);
    spec.setInstances(instances);
    spec.setTerminationDelay("30s");
    job.setSpec(spec);
    return job;
  }

  /** JSON array of {@code n} tasks adding two numbers, ids {@code t-0..}. */
  public static String additionTasks(int n) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"id\":\"t-").append(i).append("\",\"data\":{\"a\":").append(i)
          .append(",\"b\":").append(2 * i).append("}}");
    }
    return sb.append("]").toString();
  }
}
