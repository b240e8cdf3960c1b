package dev.taskjob.operator.tasks;

import dev.taskjob.core.task.Task;
import dev.taskjob.core.task.TaskGenerator;
import dev.taskjob.core.task.TaskIdSet;
import dev.taskjob.core.task.TaskListException;
import dev.taskjob.core.task.TaskListReader;
import dev.taskjob.worker.process.TaskLauncher;
import dev.taskjob.crds.v1alpha1.shared.ConfigMapTaskRef;
import dev.taskjob.crds.v1alpha1.shared.GenerateSpec;
import dev.taskjob.crds.v1alpha1.shared.ParameterRange;
import dev.taskjob.core.Json;
import dev.taskjob.operator.load.TaskInput;
import dev.taskjob.operator.load.TaskSource;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A job's tasks, checked and re-readable from any offset: the task lists of its ConfigMaps (read in
 * order, indexes continuing from one list to the next, ids unique across all) or its generator.
 * Opening reads and checks everything once (format, unique ids, message size), so a bad list is
 * refused before anything is created; the loader then sends the checked content.
 */
public final class JobTasks {

  /** Largest decompressed task list accepted from one ConfigMap key. */
  public static final long MAX_LIST_BYTES = 256L * 1024 * 1024;

  private record TaskList(String field, String source, byte[] bytes, long firstIndex, long size) {}

  private final List<TaskList> lists;
  private final TaskGenerator generator;
  private final long size;
  private final String digest;

  private JobTasks(List<TaskList> lists, TaskGenerator generator, long size, String digest) {
    this.lists = lists;
    this.generator = generator;
    this.size = size;
    this.digest = digest;
  }

  /**
   * Reads and checks a job's task source.
   *
   * @throws TaskSourceException naming the field, the ConfigMap and key, the task and line, and the reason
   */
  public static JobTasks open(KubernetesClient client, String namespace,
      dev.taskjob.crds.v1alpha1.taskjob.TaskSource source, long maxMessageBytes) {
    if (source == null || (source.getConfigMapRefs() == null) == (source.getGenerate() == null)) {
      throw new TaskSourceException(TaskSourceException.INVALID_TASK_LIST, "spec.tasks",
          "spec.tasks needs exactly one of configMapRefs or generate");
    }
    if (source.getGenerate() != null) {
      JobTasks tasks = generated(source.getGenerate());
      if (tasks.size > 0) {
        checkSize("spec.tasks.generate", "the generator", tasks.generator.task(0), maxMessageBytes);
        checkSize("spec.tasks.generate", "the generator", tasks.generator.task(tasks.size - 1), maxMessageBytes);
      }
      return tasks;
    }
    return fromConfigMaps(client, namespace, source.getConfigMapRefs(), maxMessageBytes);
  }

  private static void checkSize(String field, String source, Task task, long maxMessageBytes) {
    if (maxMessageBytes == Long.MAX_VALUE) {
      return;
    }
    int bytes = Json.taskToJson(task).getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxMessageBytes) {
      throw new TaskSourceException(TaskSourceException.INVALID_TASK_LIST, field, field + ": " + source + ": task \""
          + task.id() + "\" is " + bytes + " bytes as a queue message; the queue takes at most " + maxMessageBytes);
    }
  }

  /** Two data fields that would become one TASK_ARG_ variable: one value would be lost, so the list is refused. */
  private static void checkArgNames(String field, String source, Task task) {
    String collision = TaskLauncher.argCollision(task.data());
    if (collision != null) {
      throw new TaskSourceException(TaskSourceException.INVALID_TASK_LIST, field, field + ": " + source + ": task \""
          + task.id() + "\": " + collision);
    }
  }

  static JobTasks generated(GenerateSpec spec) {
    Map<String, TaskGenerator.Range> ranges = new TreeMap<>();
    if (spec.getParameters() != null) {
      for (Map.Entry<String, ParameterRange> p : spec.getParameters().entrySet()) {
        ParameterRange r = p.getValue();
        String field = "spec.tasks.generate.parameters." + p.getKey();
        if (r == null || r.getFrom() == null || r.getTo() == null) {
          throw new TaskSourceException(TaskSourceException.INVALID_TASK_LIST, field, field + ": from and to are required");
        }
        try {
          ranges.put(p.getKey(), new TaskGenerator.Range(BigDecimal.valueOf(r.getFrom()), BigDecimal.valueOf(r.getTo()),
              r.getStep() == null ? null : BigDecimal.valueOf(r.getStep())));
        } catch (IllegalArgumentException e) {
          throw new TaskSourceException(TaskSourceException.INVALID_TASK_LIST, field, field + ": " + e.getMessage(), e);
        }
      }
    }
    TaskGenerator generator;
    try {
      generator = new TaskGenerator(spec.getIdPrefix(), spec.getCount(), ranges);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new TaskSourceException(TaskSourceException.INVALID_TASK_LIST, "spec.tasks.generate",
          "spec.tasks.generate: " + e.getMessage(), e);
    }
    String digest = sha256(("generate|" + spec.getIdPrefix() + "|" + spec.getCount() + "|" + ranges)
        .getBytes(StandardCharsets.UTF_8));
    return new JobTasks(List.of(), generator, generator.size(), digest);
  }

  static JobTasks fromConfigMaps(KubernetesClient client, String namespace, List<ConfigMapTaskRef> refs,
      long maxMessageBytes) {
    if (refs.isEmpty()) {
      throw new TaskSourceException(TaskSourceException.INVALID_TASK_LIST, "spec.tasks.configMapRefs",
          "spec.tasks.configMapRefs is empty");
    }
    Map<String, ConfigMap> fetched = new LinkedHashMap<>();
    List<TaskList> lists = new ArrayList<>();
    TaskIdSet ids = new TaskIdSet();
    MessageDigest digest = newDigest();
    long next = 0;
    for (int i = 0; i < refs.size(); i++) {
      ConfigMapTaskRef ref = refs.get(i);
      String field = "spec.tasks.configMapRefs[" + i + "]";
      ConfigMap cm = fetched.computeIfAbsent(ref.getName(),
          name -> client.configMaps().inNamespace(namespace).withName(name).get());
      if (cm == null) {
        throw new TaskSourceException(TaskSourceException.CONFIG_MAP_NOT_FOUND, field + ".name",
            field + ".name: ConfigMap '" + ref.getName() + "' not found in namespace '" + namespace + "'");
      }
      byte[] bytes = bytesOf(cm, ref.getKey(), field);
      if (bytes == null) {
        throw new TaskSourceException(TaskSourceException.CONFIG_MAP_NOT_FOUND, field + ".key",
            field + ".key: ConfigMap '" + ref.getName() + "' has no key '" + ref.getKey() + "' in data or binaryData");
      }
      String source = "ConfigMap " + ref.getName() + "/" + ref.getKey();
      long count = 0;
      try (TaskListReader reader = TaskListReader.open(new ByteArrayInputStream(bytes),
          TaskListReader.Options.named(source).withFirstIndex(next).withIds(ids).withMaxDecompressedBytes(MAX_LIST_BYTES))) {
        while (reader.hasNext()) {
          Task task = reader.next();
          checkSize(field, source, task, maxMessageBytes);
          checkArgNames(field, source, task);
          count++;
        }
      } catch (TaskListException e) {
        String reason = e.reason() != null && e.reason().startsWith("duplicate id")
            ? TaskSourceException.DUPLICATE_TASK_ID : TaskSourceException.INVALID_TASK_LIST;
        throw new TaskSourceException(reason, field, field + ": " + e.getMessage(), e);
      }
      digest.update((ref.getName() + "/" + ref.getKey() + "\n").getBytes(StandardCharsets.UTF_8));
      digest.update(bytes);
      lists.add(new TaskList(field, source, bytes, next, count));
      next += count;
    }
    if (next == 0) {
      throw new TaskSourceException(TaskSourceException.INVALID_TASK_LIST, "spec.tasks.configMapRefs",
          "spec.tasks.configMapRefs: the task lists hold no tasks");
    }
    return new JobTasks(lists, null, next, HexFormat.of().formatHex(digest.digest()));
  }

  private static byte[] bytesOf(ConfigMap cm, String key, String field) {
    if (cm.getData() != null && cm.getData().containsKey(key)) {
      return cm.getData().get(key).getBytes(StandardCharsets.UTF_8);
    }
    if (cm.getBinaryData() != null && cm.getBinaryData().containsKey(key)) {
      // Line breaks are allowed, as the API server allows them; anything else that is not base64 is refused.
      String encoded = cm.getBinaryData().get(key).replace("\n", "").replace("\r", "");
      try {
        return Base64.getDecoder().decode(encoded);
      } catch (IllegalArgumentException e) {
        throw new TaskSourceException(TaskSourceException.INVALID_TASK_LIST, field + ".key",
            field + ".key: binaryData '" + key + "' of ConfigMap '" + cm.getMetadata().getName()
                + "' is not valid base64: " + e.getMessage(), e);
      }
    }
    return null;
  }

  /** Number of tasks. */
  public long size() {
    return size;
  }

  /** A fingerprint of the task lists' content, to notice a list changed after loading started. */
  public String digest() {
    return digest;
  }

  /**
   * The ids of the tasks at {@code indexes} (ascending), read from the generator or by one pass over
   * the lists; the ledger knows tasks only by index.
   */
  public Map<Long, String> idsOf(long[] indexes) {
    Map<Long, String> ids = new LinkedHashMap<>();
    tasksAt(indexes).forEach((index, task) -> ids.put(index, task.id()));
    return ids;
  }

  /**
   * The tasks at {@code indexes} (ascending) as the loader sent them, read from the generator or by one
   * pass over the lists: a message can be built again from the index alone.
   */
  public Map<Long, Task> tasksAt(long[] indexes) {
    Map<Long, Task> tasks = new LinkedHashMap<>();
    if (generator != null) {
      for (long index : indexes) {
        tasks.put(index, generator.task(index));
      }
      return tasks;
    }
    int next = 0;
    for (TaskList list : lists) {
      if (next >= indexes.length) {
        break;
      }
      if (indexes[next] >= list.firstIndex() + list.size()) {
        continue;
      }
      try (TaskListReader reader = TaskListReader.open(new ByteArrayInputStream(list.bytes()),
          TaskListReader.Options.named(list.source()).withFirstIndex(list.firstIndex())
              .withMaxDecompressedBytes(MAX_LIST_BYTES))) {
        while (reader.hasNext() && next < indexes.length) {
          Task task = reader.next();
          if (task.index() == indexes[next]) {
            tasks.put(task.index(), task);
            next++;
          }
        }
      }
    }
    return tasks;
  }

  /** The tasks as the loader reads them: the checked list contents, or the generator. */
  public TaskInput input() {
    if (generator != null) {
      return TaskInput.generated(generator);
    }
    return TaskInput.lists(lists.stream().map(l -> TaskSource.bytes(l.source(), l.bytes())).toList());
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(newDigest().digest(bytes));
  }
}
