package dev.taskjob.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.taskjob.core.task.Task;
import dev.taskjob.worker.source.SourcedTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each task on a VM with local SSDs gets its slot's own, emptied directory and its share of the space. */
class TaskScratchTest {

  @TempDir
  Path work;

  @Test
  void aTaskFindsItsSlotsDirectoryEmptyAndIsToldItsShareOfTheDisk() throws Exception {
    Path scratch = Files.createDirectories(work.resolve("scratch"));
    Path tasks = work.resolve("tasks");
    // The task writes what it was given next to its data, then leaves a file in its scratch directory.
    TaskCommand command = TaskCommand.ofArguments(List.of("sh", "-c",
        "ls -A \"$TASKJOB_SCRATCH_DIR\" > seen.txt; echo \"$TASKJOB_SCRATCH_DIR $TASKJOB_SCRATCH_BYTES\" > given.txt;"
            + " echo left > \"$TASKJOB_SCRATCH_DIR/left-by-$TASK_ID\""));
    TaskLauncher launcher = new TaskLauncher(command, tasks, false, Map.of("TASKJOB_SCRATCH_DIR", scratch.toString()))
        .withScratch(new TaskScratch(scratch, 4));

    run(launcher, "first", 2);
    run(launcher, "second", 2);
    run(launcher, "other-slot", 3);

    long share = Files.getFileStore(scratch).getTotalSpace() / 4;
    assertThat(Files.readString(tasks.resolve("second/given.txt")).trim())
        .isEqualTo(scratch.resolve("slot-2") + " " + share);
    assertThat(Files.readString(tasks.resolve("second/seen.txt"))).as("the first task's file is gone").isEmpty();
    assertThat(scratch.resolve("slot-2/left-by-second")).exists();
    assertThat(scratch.resolve("slot-2/left-by-first")).doesNotExist();
    assertThat(scratch.resolve("slot-3/left-by-other-slot")).exists();
  }

  @Test
  void withoutScratchTheWorkersOwnVariablesAreLeftAsTheyAre() throws Exception {
    Path tasks = work.resolve("tasks");
    TaskCommand command = TaskCommand.ofArguments(List.of("sh", "-c",
        "echo \"${TASKJOB_SCRATCH_DIR:-none} ${TASKJOB_SCRATCH_BYTES:-none}\" > given.txt"));
    run(new TaskLauncher(command, tasks, false, Map.of()), "plain", 0);
    assertThat(Files.readString(tasks.resolve("plain/given.txt")).trim()).isEqualTo("none none");
  }

  @Test
  void aWorkerHasAtLeastOneSlot() {
    assertThatThrownBy(() -> new TaskScratch(work, 0)).hasMessageContaining("slots must be at least 1");
  }

  private static void run(TaskLauncher launcher, String id, int slot) throws Exception {
    Task task = new Task(id, JsonNodeFactory.instance.objectNode(), 0);
    Process process = launcher.launch(new SourcedTask(task, 1, null), slot).process();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("task " + id + " ended").isTrue();
    assertThat(process.exitValue()).isZero();
  }
}
