package dev.taskjob.worker.process;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskjob.core.task.Task;
import dev.taskjob.worker.source.SourcedTask;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Starts one attempt of a task as its own OS process:
 * <ul>
 *   <li>working directory {@code <tasks root>/<task id>/}, holding {@code task.json} (the task's data,
 *       also in {@code TASK_DATA_FILE}) and the attempt's {@code stdout-N.log} and {@code stderr-N.log};</li>
 *   <li>environment {@code TASK_ID}, {@code TASK_INDEX}, {@code TASK_ATTEMPT}, {@code TASK_DATA},
 *       {@code TASK_DATA_FILE}, and {@code TASK_ARG_<NAME>} for each top-level scalar of the data (one over
 *       64 KiB is left out, as {@code TASK_DATA} is: it is in the file);</li>
 *   <li>on a VM with local SSDs, {@code TASKJOB_SCRATCH_DIR} naming the slot's own empty directory on them and
 *       {@code TASKJOB_SCRATCH_BYTES} its share of their space ({@link TaskScratch});</li>
 *   <li>stdin from {@code /dev/null}; with tree tracking on, the task's own tag in
 *       {@link ProcessTree#TAG_VARIABLE}, which everything it starts inherits, so that a timeout kills
 *       them all and what it leaves running is killed when it ends ({@link ProcessTree}).</li>
 * </ul>
 * No shell is involved unless the command itself is a shell command. A task whose data cannot become
 * its environment (a NUL character, two fields that become one {@code TASK_ARG_} variable, more than
 * {@code execve} accepts) is refused with
 * {@link TaskNotStartableException} before anything is started.
 */
public final class TaskLauncher {

  /** {@code TASK_DATA} is left out above this size (the kernel caps one environment string at 128 KiB). */
  static final int MAX_TASK_DATA_ENV_BYTES = 64 * 1024;
  private static final File DEV_NULL = new File("/dev/null");

  private final TaskCommand command;
  private final Path tasksRoot;
  private final String tagPrefix;
  private final AtomicLong launches = new AtomicLong();
  private final Map<String, String> extraEnvironment;
  private final ExecLimits limits = ExecLimits.current();
  private TaskScratch scratch;

  /**
   * @param command the task program
   * @param tasksRoot the directory that holds one directory per task
   * @param trackTrees tag each task's processes so that all of them can be found and killed
   * @param extraEnvironment added to every task's environment (e.g. TASKJOB_JOB)
   */
  public TaskLauncher(TaskCommand command, Path tasksRoot, boolean trackTrees, Map<String, String> extraEnvironment) {
    this.command = command;
    this.tasksRoot = tasksRoot;
    // unique per launcher, so that two workers on one machine (or in one test JVM) never share a tag
    this.tagPrefix = trackTrees ? ProcessHandle.current().pid() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-"
        : null;
    this.extraEnvironment = Map.copyOf(extraEnvironment);
  }

  /** True when each slot has a scratch directory, emptied for the slot's next task. */
  public boolean hasScratch() {
    return scratch != null;
  }

  /** Gives each task its slot's share of the VM's scratch disk (see {@link TaskScratch}). */
  public TaskLauncher withScratch(TaskScratch scratch) {
    this.scratch = scratch;
    return this;
  }

  public boolean tracksTrees() {
    return tagPrefix != null;
  }

  /** What every tag of this launcher starts with (null without tree tracking). */
  public String tagPrefix() {
    return tagPrefix;
  }

  public Path tasksRoot() {
    return tasksRoot;
  }

  /**
   * Starts the attempt; the returned run's process is running (or already finished).
   *
   * @throws TaskNotStartableException when the task's own data keeps its program from starting
   * @throws IOException when the worker cannot start programs (work directory, missing program)
   */
  public TaskRun launch(SourcedTask sourced, int slot) throws IOException, TaskNotStartableException {
    Task task = sourced.task();
    Path dir = tasksRoot.resolve(TaskDirectories.name(task.id()));
    Files.createDirectories(dir);
    String data = task.data().toString();
    byte[] dataBytes = data.getBytes(StandardCharsets.UTF_8);
    Path dataFile = dir.resolve("task.json");
    Files.write(dataFile, dataBytes);
    Path stdout = dir.resolve("stdout-" + sourced.attempt() + ".log");
    Path stderr = dir.resolve("stderr-" + sourced.attempt() + ".log");

    List<String> argv = command.argv();
    ProcessBuilder pb = new ProcessBuilder(argv)
        .directory(dir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile());
    Map<String, String> taskEnv = new LinkedHashMap<>(extraEnvironment);
    taskEnv.put("TASK_ID", task.id());
    taskEnv.put("TASK_INDEX", Long.toString(task.index()));
    taskEnv.put("TASK_ATTEMPT", Integer.toString(sourced.attempt()));
    if (dataBytes.length <= MAX_TASK_DATA_ENV_BYTES) {
      taskEnv.put("TASK_DATA", data);
    }
    taskEnv.put("TASK_DATA_FILE", dataFile.toString());
    if (scratch != null) {
      taskEnv.putAll(scratch.prepare(slot));
    }
    String tag = tagPrefix == null ? null : tagPrefix + launches.incrementAndGet();
    if (tag != null) {
      taskEnv.put(ProcessTree.TAG_VARIABLE, tag);
    }
    String collision = argCollision(task.data());
    if (collision != null) {
      throw new TaskNotStartableException(collision + "; both values are in TASK_DATA_FILE");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = task.data().fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      JsonNode value = field.getValue();
      if (value.isValueNode() && !value.isNull()) {
        String text = value.asText();
        if (text.indexOf('\0') >= 0) {
          throw new TaskNotStartableException("data field \"" + field.getKey() + "\" holds a NUL character, which "
              + argVariable(field.getKey()) + " cannot (no environment variable can); read it from TASK_DATA_FILE");
        }
        if (text.getBytes(StandardCharsets.UTF_8).length <= MAX_TASK_DATA_ENV_BYTES) {
          taskEnv.put(argVariable(field.getKey()), text);
        }
      }
    }
    if (task.id().indexOf('\0') >= 0) {
      throw new TaskNotStartableException("the task id holds a NUL character, which TASK_ID cannot");
    }
    Map<String, String> env = pb.environment();
    Map<String, String> whole = new HashMap<>(env);
    whole.putAll(taskEnv);
    String problem = limits.problem(argv, whole);
    if (problem != null) {
      throw new TaskNotStartableException(problem);
    }
    env.putAll(taskEnv);
    long start = System.nanoTime();
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      if (String.valueOf(e.getMessage()).contains("error=7,")) {
        throw new TaskNotStartableException("the system refused to start it with this data: Argument list too long "
            + "(E2BIG)");
      }
      throw e;
    }
    return new TaskRun(sourced, slot, process, tag, dir, stdout, stderr, start);
  }

  /**
   * Two top-level scalar fields of a task's data that become the same {@code TASK_ARG_} variable (such as
   * {@code a-b} and {@code a_b}), where one value would silently replace the other; null when there are none.
   */
  public static String argCollision(JsonNode data) {
    Map<String, String> fieldByVariable = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (!field.getValue().isValueNode() || field.getValue().isNull()) {
        continue;
      }
      String variable = argVariable(field.getKey());
      String other = fieldByVariable.putIfAbsent(variable, field.getKey());
      if (other != null) {
        return "data fields \"" + other + "\" and \"" + field.getKey() + "\" both become " + variable
            + "; rename one";
      }
    }
    return null;
  }

  /** {@code TASK_ARG_<NAME>}: the name upper-cased, with anything but letters, digits and '_' as '_'. */
  public static String argVariable(String name) {
    StringBuilder sb = new StringBuilder("TASK_ARG_");
    String upper = name.toUpperCase(Locale.ROOT);
    for (int i = 0; i < upper.length(); i++) {
      char c = upper.charAt(i);
      sb.append((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ? c : '_');
    }
    return sb.toString();
  }
}
