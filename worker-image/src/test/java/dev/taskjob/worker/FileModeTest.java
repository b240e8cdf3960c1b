package dev.taskjob.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.worker.process.ProcessTree;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker on task files and generators, running real task processes in this JVM's worker. */
class FileModeTest {

  @TempDir Path dir;

  private Path taskFile(int count) throws IOException {
    StringBuilder sb = new StringBuilder("[\n");
    for (int i = 1; i <= count; i++) {
      sb.append(String.format("  {\"id\": \"task-%04d\", \"data\": {\"num1\": %d, \"num2\": %d}}%s%n", i, i, 10 * i,
          i < count ? "," : ""));
    }
    Path file = dir.resolve("tasks.json");
    Files.writeString(file, sb.append("]\n"));
    return file;
  }

  private int run(String... args) {
    List<String> all = new ArrayList<>(List.of("--work-dir", dir.resolve("work").toString(), "--heartbeat-interval", "0"));
    all.addAll(List.of(args));
    return WorkerMain.execute(all.toArray(String[]::new));
  }

  private Events events() {
    return Events.read(dir.resolve("work/events.log"));
  }

  @Test
  void runsEveryTaskExactlyOnce() throws IOException {
    Path out = Files.createDirectory(dir.resolve("out"));
    // noclobber: a second run of the same task would fail to create its marker file
    int exit = run("--task-file", taskFile(120).toString(), "--num-simultaneous-tasks", "8",
        "--", "sh", "-c", "set -C; echo run > " + out + "/$TASK_ID");

    assertThat(exit).isZero();
    try (var files = Files.list(out)) {
      assertThat(files.count()).isEqualTo(120);
    }
    Events events = events();
    assertThat(events.countByTask(EventType.TASK_COMPLETED)).hasSize(120).allSatisfy((id, n) -> assertThat(n).isOne());
    assertThat(events.countByTask(EventType.TASK_STARTED)).hasSize(120).allSatisfy((id, n) -> assertThat(n).isOne());
    assertThat(events.of(EventType.TASK_FAILED)).isEmpty();
    assertThat(events.of(EventType.WORKER_STARTED)).hasSize(1);
    assertThat(events.all().get(events.all().size() - 1).eventType()).isEqualTo(EventType.WORKER_STOPPING);
  }

  @Test
  void eventNamesRmsWritesRmsCloudTasksEventTypesToTheLog() throws IOException {
    int exit = run("--task-file", taskFile(2).toString(), "--event-names", "rms", "--retry-on-failure", "false",
        "--", "sh", "-c", "[ \"$TASK_ID\" = task-0001 ]");

    assertThat(exit).as("task-0002 failed").isEqualTo(1);
    List<String> types = Files.readAllLines(dir.resolve("work/events.log")).stream()
        .map(line -> line.replaceAll(".*\"event_type\":\"([a-z_]+)\".*", "$1")).toList();
    assertThat(types).contains("task_started", "task_completed", "task_exited", "worker_started", "worker_stopping")
        .doesNotContain("task_failed");
  }

  @Test
  void givesEachTaskItsEnvironmentDirectoryAndLogs() throws IOException {
    Files.writeString(dir.resolve("tasks.jsonl"),
        "{\"id\": \"t/1\", \"data\": {\"num1\": -84808, \"num2\": 511, \"name\": \"x y\", \"nested\": {\"a\": 1}}}\n");
    String script = "echo \"id=$TASK_ID index=$TASK_INDEX attempt=$TASK_ATTEMPT\"; echo \"data=$TASK_DATA\"; "
        + "echo \"file=$(cat \"$TASK_DATA_FILE\")\"; echo \"args=$TASK_ARG_NUM1,$TASK_ARG_NUM2,$TASK_ARG_NAME,${TASK_ARG_NESTED-unset}\"; "
        + "echo \"pwd=$(pwd)\"; echo oops >&2; echo last-line";
    int exit = run("--task-file", dir.resolve("tasks.jsonl").toString(), "--", script);

    assertThat(exit).isZero();
    Path taskDir = dir.resolve("work/tasks").toRealPath().resolve(dev.taskjob.worker.process.TaskDirectories.name("t/1"));
    String stdout = Files.readString(taskDir.resolve("stdout-1.log"));
    assertThat(stdout).contains("id=t/1 index=0 attempt=1",
        "data={\"num1\":-84808,\"num2\":511,\"name\":\"x y\",\"nested\":{\"a\":1}}",
        "file={\"num1\":-84808,\"num2\":511,\"name\":\"x y\",\"nested\":{\"a\":1}}",
        "args=-84808,511,x y,unset",
        "pwd=" + taskDir);
    assertThat(Files.readString(taskDir.resolve("stderr-1.log"))).isEqualTo("oops\n");
    TaskEvent done = events().of(EventType.TASK_COMPLETED).get(0);
    assertThat(done.result()).isEqualTo("last-line");
    assertThat(done.exitCode()).isZero();
    assertThat(done.finalAttempt()).isTrue();
  }

  @Test
  void timeoutKillsTheTaskAndItsGrandchildren() throws Exception {
    Files.writeString(dir.resolve("tasks.json"), "[{\"id\": \"slow\"}]");
    // the grandchild outlives its parent shell unless the whole process group is killed
    String script = "sh -c 'sleep 120' & echo $! > child.pid; sleep 0.2; "
        + "for p in $(cat /proc/$(cat child.pid)/task/*/children); do echo $p > grandchild.pid; done; sleep 120";
    int exit = run("--task-file", dir.resolve("tasks.json").toString(), "--max-runtime", "1.5", "--", script);

    assertThat(exit).isEqualTo(Supervisor.EXIT_TASKS_FAILED);
    TaskEvent timedOut = events().of(EventType.TASK_TIMED_OUT).get(0);
    assertThat(timedOut.taskId()).isEqualTo("slow");
    assertThat(timedOut.retry()).isFalse();
    assertThat(timedOut.elapsedTime()).isGreaterThanOrEqualTo(1.5);
    Path taskDir = dir.resolve("work/tasks/slow");
    long child = Long.parseLong(Files.readString(taskDir.resolve("child.pid")).trim());
    long grandchild = Long.parseLong(Files.readString(taskDir.resolve("grandchild.pid")).trim());
    assertThat(ProcessTree.isRunning(child)).as("child %d running", child).isFalse();
    assertThat(ProcessTree.isRunning(grandchild)).as("grandchild %d running", grandchild).isFalse();
  }

  @Test
  void killsWhatFinishedTasksLeftInTheBackgroundWhenTheWorkerEnds() throws Exception {
    Files.writeString(dir.resolve("tasks.json"), "[{\"id\": \"leaves-a-sleeper\"}]");
    int exit = run("--task-file", dir.resolve("tasks.json").toString(), "--",
        "sleep 120 > /dev/null 2>&1 & echo $! > background.pid");

    assertThat(exit).isZero();
    long background = Long.parseLong(Files.readString(dir.resolve("work/tasks/leaves-a-sleeper/background.pid")).trim());
    assertThat(ProcessTree.isRunning(background)).as("background process %d running", background).isFalse();
  }

  @Test
  void retriesFailuresUpToMaxAttempts() throws IOException {
    Files.writeString(dir.resolve("tasks.json"), "[{\"id\": \"flaky\"}, {\"id\": \"fine\"}]");
    int exit = run("--task-file", dir.resolve("tasks.json").toString(), "--retry-on-failure", "--max-attempts", "3",
        "--retry-delay", "0.5", "--", "sh", "-c", "echo attempt $TASK_ATTEMPT >&2; [ $TASK_ID = fine ] || exit 3");

    assertThat(exit).isEqualTo(Supervisor.EXIT_TASKS_FAILED);
    List<TaskEvent> failed = events().of(EventType.TASK_FAILED);
    assertThat(failed).extracting(TaskEvent::taskId).containsOnly("flaky");
    assertThat(failed).extracting(TaskEvent::attempt).containsExactly(1, 2, 3);
    assertThat(failed).extracting(TaskEvent::retry).containsExactly(true, true, false);
    assertThat(failed).extracting(TaskEvent::exitCode).containsOnly(3);
    assertThat(failed.get(2).result()).isEqualTo("attempt 3");
    assertThat(events().countByTask(EventType.TASK_COMPLETED)).containsExactly(Map.entry("fine", 1L));
    // failing at once, each attempt waited its back-off (0.5 s, then 1 s) before it started
    assertThat(java.time.Duration.between(failed.get(0).timestamp(), failed.get(1).timestamp()))
        .isGreaterThanOrEqualTo(java.time.Duration.ofMillis(500));
    assertThat(java.time.Duration.between(failed.get(1).timestamp(), failed.get(2).timestamp()))
        .isGreaterThanOrEqualTo(java.time.Duration.ofSeconds(1));
  }

  @Test
  void retriesListedExitCodesOnlyAndTimeoutsWhenAsked() throws IOException {
    Files.writeString(dir.resolve("tasks.json"), "[{\"id\": \"busy\"}, {\"id\": \"broken\"}, {\"id\": \"slow\"}]");
    int exit = run("--task-file", dir.resolve("tasks.json").toString(), "--retry-exit-codes", "75",
        "--retry-on-timeout", "--max-attempts", "2", "--max-runtime", "0.5", "--",
        "case $TASK_ID in busy) exit 75;; broken) exit 1;; slow) sleep 30;; esac");

    assertThat(exit).isEqualTo(Supervisor.EXIT_TASKS_FAILED);
    Events events = events();
    assertThat(events.countByTask(EventType.TASK_FAILED)).containsOnly(Map.entry("busy", 2L), Map.entry("broken", 1L));
    assertThat(events.countByTask(EventType.TASK_TIMED_OUT)).containsOnly(Map.entry("slow", 2L));
  }

  @Test
  void runsTheSliceGivenByStartTaskAndMaxTasks() throws IOException {
    int exit = run("--task-file", taskFile(10).toString(), "--start-task", "3", "--max-tasks", "4", "--", "true");

    assertThat(exit).isZero();
    assertThat(events().countByTask(EventType.TASK_COMPLETED).keySet())
        .containsExactlyInAnyOrder("task-0004", "task-0005", "task-0006", "task-0007");
  }

  @Test
  void readsGzipTaskFiles() throws IOException {
    Path gz = dir.resolve("tasks.json.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(Files.readAllBytes(taskFile(5)));
    }
    assertThat(run("--task-file", gz.toString(), "--", "true")).isZero();
    assertThat(events().countByTask(EventType.TASK_COMPLETED)).hasSize(5);
  }

  @Test
  void generatesTasksFromParameterRanges() {
    int exit = run("--generate-param", "a=1:2", "--generate-param", "b=0:1:0.5", "--id-prefix", "sweep-",
        "--", "sh", "-c", "echo $TASK_ARG_A,$TASK_ARG_B");

    assertThat(exit).isZero();
    assertThat(events().of(EventType.TASK_COMPLETED)).extracting(TaskEvent::result)
        .containsExactlyInAnyOrder("1,0.0", "1,0.5", "1,1.0", "2,0.0", "2,0.5", "2,1.0");
    assertThat(events().countByTask(EventType.TASK_COMPLETED)).containsKey("sweep-1");
  }

  @Test
  void keepsOnlyFailedTaskDirectoriesWhenAsked() throws IOException {
    Files.writeString(dir.resolve("tasks.json"), "[{\"id\": \"good\"}, {\"id\": \"bad\"}]");
    run("--task-file", dir.resolve("tasks.json").toString(), "--keep-task-dirs", "failed", "--",
        "sh", "-c", "[ $TASK_ID = good ]");

    assertThat(dir.resolve("work/tasks/good")).doesNotExist();
    assertThat(dir.resolve("work/tasks/bad/stderr-1.log")).exists();
  }

  @Test
  void refusesABadTaskListBeforeRunningAnything() throws IOException {
    Files.writeString(dir.resolve("tasks.json"), "[{\"id\": \"a\"}, {\"id\": \"b\", \"data\": 5}]");
    String err = captureStderr(() -> assertThat(run("--task-file", dir.resolve("tasks.json").toString(), "--",
        "sh", "-c", "touch " + dir.resolve("ran"))).isEqualTo(2));

    assertThat(err).contains("task 2", "\"data\" of task \"b\" must be an object");
    assertThat(dir.resolve("ran")).doesNotExist();
  }

  @Test
  void refusesMissingCommandAndSources() {
    assertThat(captureStderr(() -> run("--task-file", "tasks.json"))).contains("no task command");
    assertThat(captureStderr(() -> run("--", "true"))).contains("no task source");
    assertThat(captureStderr(() -> run("--generate-count", "1", "--", "no-such-program-xyz")))
        .contains("'no-such-program-xyz' is not an executable file on PATH");
    assertThat(captureStderr(() -> run("--generate-count", "1", "--max-runtime", "ten", "--", "true")))
        .contains("'ten' is not a duration");
  }

  @Test
  void aTaskWhoseDataCannotStartFailsAloneWithItsReason() throws IOException {
    // A NUL cannot be in an environment variable; 40 fields of 60 KB exceed what execve accepts (E2BIG).
    StringBuilder huge = new StringBuilder("{\"id\": \"huge\", \"data\": {");
    for (int i = 0; i < 40; i++) {
      huge.append(i == 0 ? "" : ", ").append("\"f").append(i).append("\": \"").append("x".repeat(60_000)).append('"');
    }
    Files.writeString(dir.resolve("tasks.jsonl"), "{\"id\": \"before\"}\n"
        + "{\"id\": \"nul\", \"data\": {\"text\": \"a\\u0000b\"}}\n"
        + "{\"id\": \"twins\", \"data\": {\"a-b\": 1, \"a_b\": 2}}\n"
        + huge.append("}}\n")
        + "{\"id\": \"after\"}\n");

    int exit = run("--task-file", dir.resolve("tasks.jsonl").toString(), "--num-simultaneous-tasks", "1",
        "--retry-on-failure", "--", "sh", "-c", "echo ran $TASK_ID");

    assertThat(exit).isEqualTo(Supervisor.EXIT_TASKS_FAILED);
    Events events = events();
    assertThat(events.of(EventType.TASK_COMPLETED)).extracting(TaskEvent::result)
        .containsExactlyInAnyOrder("ran before", "ran after");
    Map<String, TaskEvent> failed = new java.util.HashMap<>();
    events.of(EventType.TASK_FAILED).forEach(e -> failed.put(e.taskId(), e));
    assertThat(failed).containsOnlyKeys("nul", "twins", "huge");
    assertThat(failed.get("twins").result()).isEqualTo("could not start: data fields \"a-b\" and \"a_b\" both "
        + "become TASK_ARG_A_B; rename one; both values are in TASK_DATA_FILE");
    assertThat(failed.get("nul").result())
        .isEqualTo("could not start: data field \"text\" holds a NUL character, which TASK_ARG_TEXT cannot "
            + "(no environment variable can); read it from TASK_DATA_FILE");
    assertThat(failed.get("huge").result()).startsWith("could not start: its environment and arguments take ")
        .contains("(E2BIG); largest: TASK_ARG_F");
    assertThat(failed.values()).allSatisfy(e -> {
      assertThat(e.finalAttempt()).isTrue();
      assertThat(e.retry()).isFalse();
      assertThat(e.exitCode()).isNull();
    });
    assertThat(events.countByTask(EventType.TASK_STARTED)).containsOnlyKeys("before", "after");
  }

  @Test
  void aTimeoutSendsSigtermFirstSoTheTaskCanSaveItsWork() throws IOException {
    Files.writeString(dir.resolve("tasks.json"), "[{\"id\": \"slow\"}]");
    int exit = run("--task-file", dir.resolve("tasks.json").toString(), "--max-runtime", "0.5",
        "--kill-grace-period", "60", "--", "trap 'echo saved > saved.txt; exit 0' TERM; sleep 120");

    assertThat(exit).isEqualTo(Supervisor.EXIT_TASKS_FAILED);
    TaskEvent timedOut = events().of(EventType.TASK_TIMED_OUT).get(0);
    assertThat(timedOut.taskId()).isEqualTo("slow");
    assertThat(timedOut.elapsedTime()).as("ended by the SIGTERM, long before the SIGKILL").isLessThan(60);
    assertThat(dir.resolve("work/tasks/slow/saved.txt")).hasContent("saved");
  }

  @Test
  void aTaskThatIgnoresSigtermIsKilledAfterTheKillGracePeriod() throws IOException {
    Files.writeString(dir.resolve("tasks.json"), "[{\"id\": \"stubborn\"}]");
    // an ignored signal stays ignored across exec, so sleep ignores SIGTERM too
    int exit = run("--task-file", dir.resolve("tasks.json").toString(), "--max-runtime", "0.5",
        "--kill-grace-period", "0.5", "--", "trap '' TERM; sleep 120 & echo $! > sleep.pid; wait");

    assertThat(exit).isEqualTo(Supervisor.EXIT_TASKS_FAILED);
    TaskEvent timedOut = events().of(EventType.TASK_TIMED_OUT).get(0);
    assertThat(timedOut.elapsedTime()).as("maximum runtime plus kill grace").isGreaterThanOrEqualTo(1.0);
    long sleep = Long.parseLong(Files.readString(dir.resolve("work/tasks/stubborn/sleep.pid")).trim());
    assertThat(ProcessTree.isRunning(sleep)).as("sleep %d running", sleep).isFalse();
  }

  @Test
  void whatATaskLeavesRunningIsGoneBeforeItsSlotIsReused() throws IOException {
    Files.writeString(dir.resolve("tasks.json"), "[{\"id\": \"first\"}, {\"id\": \"second\"}]");
    // One slot: the second task runs after the first, and looks for the first one's background process.
    String script = "case $TASK_ID in "
        + "first) sleep 1000 > /dev/null 2>&1 & echo $! > ../daemon.pid;; "
        + "second) state=$(cut -d' ' -f3 /proc/$(cat ../daemon.pid)/stat 2>/dev/null); "
        + "if [ -n \"$state\" ] && [ \"$state\" != Z ]; then echo alive; else echo gone; fi;; esac";
    int exit = run("--task-file", dir.resolve("tasks.json").toString(), "--num-simultaneous-tasks", "1", "--", script);

    assertThat(exit).isZero();
    Events events = events();
    assertThat(events.of(EventType.TASK_COMPLETED)).filteredOn(e -> e.taskId().equals("second"))
        .extracting(TaskEvent::result).containsExactly("gone");
  }

  @Test
  void aDaemonInASessionOfItsOwnIsGoneBeforeTheSlotIsReused() throws IOException {
    Files.writeString(dir.resolve("tasks.json"), "[{\"id\": \"first\"}, {\"id\": \"second\"}]");
    // setsid leaves the task's session and process group: only the inherited tag still names it
    String script = "case $TASK_ID in "
        + "first) setsid sleep 1000 > /dev/null 2>&1 & echo $! > ../daemon.pid;; "
        + "second) state=$(cut -d' ' -f3 /proc/$(cat ../daemon.pid)/stat 2>/dev/null); "
        + "if [ -n \"$state\" ] && [ \"$state\" != Z ]; then echo alive; else echo gone; fi;; esac";
    int exit = run("--task-file", dir.resolve("tasks.json").toString(), "--num-simultaneous-tasks", "1", "--", script);

    assertThat(exit).isZero();
    assertThat(events().of(EventType.TASK_COMPLETED)).filteredOn(e -> e.taskId().equals("second"))
        .extracting(TaskEvent::result).containsExactly("gone");
  }

  @Test
  void aTaskOverItsMemoryLimitFailsWithThatReasonAndOthersSucceed() throws IOException {
    Files.writeString(dir.resolve("tasks.json"),
        "[{\"id\": \"small-1\"}, {\"id\": \"hog\"}, {\"id\": \"small-2\"}, {\"id\": \"small-3\"}]");
    // dd reads 256 MiB into its buffer, then blocks writing it to a pipe nobody reads: it holds the memory.
    String script = "if [ $TASK_ID = hog ]; then dd if=/dev/zero bs=256M count=1 2>/dev/null | sleep 120; "
        + "else echo fine; fi";
    int exit = run("--task-file", dir.resolve("tasks.json").toString(), "--num-simultaneous-tasks", "4",
        "--max-memory-per-task", "64Mi", "--retry-on-failure", "--max-attempts", "3", "--", script);

    assertThat(exit).isEqualTo(Supervisor.EXIT_TASKS_FAILED);
    Events events = events();
    assertThat(events.of(EventType.TASK_COMPLETED)).extracting(TaskEvent::taskId)
        .containsExactlyInAnyOrder("small-1", "small-2", "small-3");
    List<TaskEvent> failed = events.of(EventType.TASK_FAILED);
    assertThat(failed).hasSize(1);
    TaskEvent hog = failed.get(0);
    assertThat(hog.taskId()).isEqualTo("hog");
    assertThat(hog.result()).startsWith("memory limit: its processes held ").endsWith("over the limit of 64 MiB per task");
    assertThat(hog.retry()).as("not retried despite --retry-on-failure").isFalse();
    assertThat(hog.finalAttempt()).isTrue();
  }

  @Test
  void reportsEachTasksPeakMemoryAndCpuSecondsOfItsWholeProcessTree() throws IOException {
    Files.writeString(dir.resolve("tasks.json"), "[{\"id\": \"memory\"}, {\"id\": \"cpu\"}]");
    // memory: dd holds a 128 MiB buffer while blocked on a pipe nobody reads, for 50 sampling periods (10 s: a
    // clean-clone run beside another one starved the sampler through most of a 3 s hold, which then saw the
    // buffer 96 KiB short of full).
    // cpu: a child burns 1.5 CPU seconds of its own and is reaped by the shell, which then waits a few samples.
    String script = "if [ $TASK_ID = memory ]; then dd if=/dev/zero bs=128M count=1 2>/dev/null | sleep 10; "
        + "else perl -e '1 while (times)[0] + (times)[1] < 1.5'; sleep 2; fi";
    int exit = run("--task-file", dir.resolve("tasks.json").toString(), "--num-simultaneous-tasks", "2", "--", script);

    assertThat(exit).isZero();
    Map<String, TaskEvent> completed = new java.util.HashMap<>();
    events().of(EventType.TASK_COMPLETED).forEach(e -> completed.put(e.taskId(), e));
    long mib = 1 << 20;
    assertThat(completed.get("memory").peakMemoryBytes()).isBetween(128 * mib, 192 * mib);
    assertThat(completed.get("memory").cpuSeconds()).isLessThan(1.0);
    assertThat(completed.get("cpu").cpuSeconds()).isBetween(1.45, 2.5);
    assertThat(completed.get("cpu").peakMemoryBytes()).isBetween(1L, 64 * mib);
  }

  @Test
  void refusesABadMemoryLimit() {
    assertThat(captureStderr(() -> assertThat(run("--generate-count", "1", "--max-memory-per-task", "lots", "--",
        "true")).isEqualTo(2))).contains("'lots' is not a memory size");
  }

  @Test
  void procIsAvailableForProcessGroups() {
    assertThat(ProcessTree.procAvailable()).isTrue();
  }

  private static String captureStderr(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }
}
