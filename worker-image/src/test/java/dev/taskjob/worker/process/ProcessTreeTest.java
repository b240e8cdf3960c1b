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

  @Test
  void parsesCpuTimeStartTimeAndResidentPagesOfAStatLineInPlace() {
    // comm with spaces and parentheses; a negative priority; utime 11 stime 7 cutime 5 cstime 3, start 424242, rss 321
    String line = "4711 (a (b) c) S 1 4711 4711 0 -1 4194560 100 0 0 0 11 7 5 3 -2 0 1 0 424242 10485760 321 "
        + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
    byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
    long[] fields = new long[ProcessTree.STAT_FIELDS];

    assertThat(ProcessTree.parseStatFields(bytes, bytes.length, fields)).isTrue();
    assertThat(fields[ProcessTree.CPU_TICKS]).isEqualTo(26);
    assertThat(fields[ProcessTree.START_TICKS]).isEqualTo(424242);
    assertThat(fields[ProcessTree.RSS_PAGES]).isEqualTo(321);
    assertThat(fields[ProcessTree.PARENT]).isEqualTo(1);

    byte[] zombie = "4712 (sh) Z 1 4711 4711 0 -1 4194560 0 0 0 0 1 1 0 0 20 0 1 0 424243 0 0\n"
        .getBytes(StandardCharsets.US_ASCII);
    assertThat(ProcessTree.parseStatFields(zombie, zombie.length, fields)).as("a zombie").isFalse();
    byte[] cut = "4713 (sh) S 1 4711".getBytes(StandardCharsets.US_ASCII);
    assertThat(ProcessTree.parseStatFields(cut, cut.length, fields)).as("cut short").isFalse();
  }

  @Test
  void statFieldsOfThisJvmAgreeWithStatAndStatus() throws Exception {
    String self = Long.toString(ProcessHandle.current().pid());
    long[] fields = new long[ProcessTree.STAT_FIELDS];

    assertThat(ProcessTree.readStatFields(self, new byte[1024], fields)).isTrue();
    assertThat(fields[ProcessTree.START_TICKS]).isEqualTo(ProcessTree.readStat(Path.of("/proc", self, "stat")).startTicks());
    long vmRssKb = java.nio.file.Files.readAllLines(Path.of("/proc", self, "status")).stream()
        .filter(l -> l.startsWith("VmRSS:")).mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElseThrow();
    // both are the kernel's one resident count; the JVM's own allocation between the two reads moves it a little
    assertThat(fields[ProcessTree.RSS_PAGES] * ProcessTree.PAGE_SIZE / 1024).isCloseTo(vmRssKb, org.assertj.core.data.Percentage.withPercentage(10));
    assertThat(fields[ProcessTree.CPU_TICKS]).isPositive();
  }

  @ParameterizedTest(name = "environment of {0} bytes, parent {1} -> {2}")
  @CsvSource({
      "120, 1,    true",   // another program's process: its environment stays untagged
      "0,   1,    false",  // in the middle of an exec
      "-1,  1,    false",  // unreadable
      "120, -1,   false",  // parent unknown (the kill scans)
      "120, SELF, false",  // the worker's own child, possibly before its exec
  })
  void onlyAProcessThatCannotGainATagIsRememberedWithoutOne(int environmentLength, String parent, boolean remembered) {
    long parentPid = parent.equals("SELF") ? ProcessHandle.current().pid() : Long.parseLong(parent);

    assertThat(ProcessTree.mayBeRememberedUntagged(environmentLength, parentPid)).isEqualTo(remembered);
  }

  @Test
  void aSampleFindsTaggedProcessesAndSkipsUntaggedOnesItRemembered() throws Exception {
    String tag = "test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    ProcessBuilder tagged = new ProcessBuilder("sleep", "120");
    tagged.environment().put(ProcessTree.TAG_VARIABLE, tag);
    Process task = tagged.start();
    Process other = new ProcessBuilder("sleep", "120").start();
    try {
      for (int pass = 0; pass < 3; pass++) {
        assertThat(ProcessTree.usageByTag(Set.of(tag))).containsOnlyKeys(tag);
      }
      assertThat(ProcessTree.tagged(tag::equals)).containsExactly(task.pid());
    } finally {
      task.destroyForcibly();
      other.destroyForcibly();
    }
  }
}
