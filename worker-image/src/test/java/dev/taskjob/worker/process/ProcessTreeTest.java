package dev.taskjob.worker.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProcessTreeTest {

  @Test
  void readsTheStartTimeOfALiveProcessAsTheFullParserDoes() {
    String self = Long.toString(ProcessHandle.current().pid());
    long expected = ProcessTree.readStat(Path.of("/proc", self, "stat")).startTicks();

    assertThat(ProcessTree.startTicksOfLiveProcess(self, new byte[1024])).isEqualTo(expected);
  }

  @Test
  void aProcessThatIsGoneHasNoStartTime() throws Exception {
    Process done = new ProcessBuilder("true").start();
    done.waitFor();

    assertThat(ProcessTree.startTicksOfLiveProcess(Long.toString(done.pid()), new byte[1024])).isEqualTo(-1);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', nullValues = "none", value = {
      "TASKJOB_TASK_TREE=7-a-1                         | 7-a-1",
      "A=1;TASKJOB_TASK_TREE=7-a-2;B=2                 | 7-a-2",
      "A=1;B=TASKJOB_TASK_TREE=x                       | none",
      "XTASKJOB_TASK_TREE=7-a-3                        | none",
      "TASKJOB_TASK_TREE_OTHER=1;TASKJOB_TASK_TREE=7-4 | 7-4",
      "A=1;TASKJOB_TASK_TREE=                          | ''",
      "''                                              | none",
  })
  void findsTheTagInAnEnvironmentBlock(String variables, String tag) {
    byte[] block = (String.join("\0", variables.split(";")) + "\0").getBytes(StandardCharsets.US_ASCII);

    assertThat(ProcessTree.tagIn(block, block.length)).isEqualTo(tag);
  }

  @Test
  void tellsAProcessFromAKernelThreadByItsFlags() throws Exception {
    assertThat(ProcessTree.kernelThread(Long.toString(ProcessHandle.current().pid()))).isFalse();
    assertThat(ProcessTree.kernelThread("not-a-pid")).as("unreadable: nothing to wait for").isTrue();
    // kthreadd, where this pid namespace shows it (not inside a container)
    java.nio.file.Path kthreadd = java.nio.file.Path.of("/proc/2/comm");
    if (java.nio.file.Files.isReadable(kthreadd) && java.nio.file.Files.readString(kthreadd).trim().equals("kthreadd")) {
      assertThat(ProcessTree.kernelThread("2")).isTrue();
    }
  }

  @Test
  void findsAndKillsATaggedProcessWhoseParentExited() throws Exception {
    String tag = "test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    // the shell exits at once and leaves the sleep behind, reparented away from this JVM
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", "sleep 120 > /dev/null 2>&1 & echo $!");
    pb.environment().put(ProcessTree.TAG_VARIABLE, tag);
    Process shell = pb.start();
    long sleep = Long.parseLong(new String(shell.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim());
    shell.waitFor();

    assertThat(ProcessTree.tagged(tag::equals)).containsExactly(sleep);
    assertThat(ProcessTree.killRestOfTrees(Set.of(tag))).isEqualTo(1);
    assertThat(ProcessTree.isRunning(sleep)).isFalse();
    assertThat(ProcessTree.tagged(tag::equals)).isEqualTo(List.of());
  }
}
