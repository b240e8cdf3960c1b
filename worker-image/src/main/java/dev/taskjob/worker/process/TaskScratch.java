package dev.taskjob.worker.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Shares the VM's local SSD scratch file system ({@code TASKJOB_SCRATCH_DIR}, mounted by the startup script)
 * between the tasks that run at once: each slot has its own directory under it, emptied before each task
 * the slot starts, and each task is told its share of the space ({@code TASKJOB_SCRATCH_BYTES}: the file
 * system's size over the number of slots). The share is advice: nothing stops a task from using more,
 * as nothing stops it on the shared mount.
 */
public final class TaskScratch {

  public static final String DIR_VARIABLE = "TASKJOB_SCRATCH_DIR";
  public static final String BYTES_VARIABLE = "TASKJOB_SCRATCH_BYTES";

  private final Path root;
  private final int slots;

  public TaskScratch(Path root, int slots) {
    if (slots < 1) {
      throw new IllegalArgumentException("slots must be at least 1, was " + slots);
    }
    this.root = root;
    this.slots = slots;
  }

  public Path root() {
    return root;
  }

  /** The slot's directory, as the slot's next task will find it. */
  public Path slotDirectory(int slot) {
    return root.resolve("slot-" + slot);
  }

  /**
   * Empties (or creates) the slot's directory and returns the variables its next task gets.
   *
   * @throws IOException when the scratch file system cannot be written (the task cannot run as promised)
   */
  public Map<String, String> prepare(int slot) throws IOException {
    Path dir = slotDirectory(slot);
    // What the slot's previous task left is not the next task's business.
    TaskDirectories.deleteQuietly(dir);
    Files.createDirectories(dir);
    long share = Files.getFileStore(root).getTotalSpace() / slots;
    return Map.of(DIR_VARIABLE, dir.toString(), BYTES_VARIABLE, Long.toString(share));
  }
}
