package dev.taskjob.worker.process;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * Signals and kills a task's whole process tree. Each task is started with its own tag in the
 * environment variable {@value #TAG_VARIABLE}; every process it starts inherits the variable, even one
 * whose parent already exited, that made its own process group or session, or that daemonized. The
 * task's processes are found by that tag in {@code /proc/PID/environ}, as Jenkins' ProcessTreeKiller
 * finds a build's processes. Only a process that replaces its environment ({@code env -i}) escapes; a
 * cgroup would hold those too, but creating one needs a delegated cgroup, which containers and most VMs
 * do not give a process. The tag costs no extra {@code exec} per task, where a session ({@code setsid})
 * did. Without {@code /proc} or a tag, the live descendants of the task process are signalled instead.
 *
 * <p>Only processes started after the worker can carry one of its tags, so the environment is read only
 * for those; the start time comes from {@code /proc/PID/stat}, read for every process.
 */
public final class ProcessTree {

  /** The environment variable that tags every process of a task. */
  public static final String TAG_VARIABLE = "TASKJOB_TASK_TREE";

  private static final Path PROC = Path.of("/proc");
  private static final int MAX_PASSES = 50;
  private static final long PASS_PAUSE_MILLIS = 10;
  /** Reads of an environment that read empty (an exec in progress) before giving up on it; each after a pause. */
  private static final int EXEC_RETRIES = 5;
  private static final long EXEC_PAUSE_NANOS = 1_000_000;
  private static final byte[] TAG_PREFIX = (TAG_VARIABLE + "=").getBytes(StandardCharsets.US_ASCII);
  /** {@code /proc/PID/stat} is read up to the start-time field, well within this. */
  private static final ThreadLocal<byte[]> STAT_BUFFER = ThreadLocal.withInitial(() -> new byte[1024]);
  private static final ThreadLocal<byte[]> ENVIRON_BUFFER = ThreadLocal.withInitial(() -> new byte[16 * 1024]);
  private static final long SELF_PID = ProcessHandle.current().pid();
  private static final long SELF_START_TICKS = startTicksOfSelf();
  /**
   * Tags already read, by pid: a process keeps its tag for life (an exec passes the environment on), and
   * with 100 slots every scan would otherwise read the environment of every running task again. Found tags
   * are kept, and for the samples processes without one ({@link #mayBeRememberedUntagged}; a null tag): a
   * process read between its fork and its exec has no tag yet. An entry counts only for the same start time,
   * so a reused pid is read again.
   */
  private static final Map<Long, KnownTag> KNOWN_TAGS = new ConcurrentHashMap<>();
  private static final int MAX_KNOWN_TAGS = 65_536;

  private record KnownTag(long startTicks, String tag) {}

  private ProcessTree() {}

  /** True when processes can be found through {@code /proc}. */
  public static boolean procAvailable() {
    return Files.isReadable(PROC.resolve("self/stat"));
  }

  /**
   * Sends SIGTERM to the task and everything it started, once: the polite half of a kill, which lets
   * the task save its work before {@link #kill} follows.
   */
  public static void terminate(ProcessHandle task, String tag) {
    List<ProcessHandle> descendants = task.descendants().toList();
    task.destroy();
    descendants.forEach(ProcessHandle::destroy);
    if (tag != null && procAvailable()) {
      for (long pid : tagged(tag::equals)) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
      }
    }
  }

  /**
   * Sends SIGKILL to the task and everything it started. With a tag, repeats until no process carrying
   * it is left (a process may fork while the tree is being killed).
   *
   * @return how many processes were signalled
   */
  public static int kill(ProcessHandle task, String tag) {
    List<ProcessHandle> descendants = task.descendants().toList();
    int killed = 0;
    if (task.destroyForcibly()) {
      killed++;
    }
    for (ProcessHandle d : descendants) {
      if (d.destroyForcibly()) {
        killed++;
      }
    }
    if (tag != null && procAvailable()) {
      killed += killTagged(tag::equals);
    }
    return killed;
  }

  /**
   * Kills what is left of these tasks' trees once the tasks have exited, and returns once none of it is
   * left; one pass over {@code /proc} serves them all.
   *
   * @return how many processes were killed
   */
  public static int killRestOfTrees(Set<String> tags) {
    if (tags.isEmpty() || !procAvailable()) {
      return 0;
    }
    return killTagged(tags::contains);
  }

  /**
   * Kills processes left behind by tasks that already ended: those carrying a tag that starts with
   * {@code tagPrefix} (all of one launcher's tags).
   *
   * @return how many processes were killed
   */
  public static int killLeftovers(String tagPrefix) {
    if (!procAvailable()) {
      return 0;
    }
    return killTagged(tag -> tag.startsWith(tagPrefix));
  }

  private static int killTagged(Predicate<String> tags) {
    // Distinct processes: on a loaded machine a process killed in one pass can still be listed in the next.
    Set<Long> killed = new HashSet<>();
    for (int pass = 0; pass < MAX_PASSES; pass++) {
      List<Long> members = tagged(tags);
      if (members.isEmpty()) {
        break;
      }
      for (long pid : members) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isPresent() && h.get().destroyForcibly()) {
          killed.add(pid);
        }
      }
      try {
        Thread.sleep(PASS_PAUSE_MILLIS); // SIGKILL is delivered asynchronously; look again once it took effect
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return killed.size();
  }

  /** Live processes (not zombies) whose tag the predicate accepts. */
  static List<Long> tagged(Predicate<String> tags) {
    List<Long> members = new ArrayList<>();
    String[] pids = PROC.toFile().list();
    if (pids == null) {
      return members;
    }
    for (String pid : pids) {
      String tag = tagOfCandidate(pid);
      if (tag != null && tags.test(tag)) {
        members.add(Long.parseLong(pid));
      }
    }
    return members;
  }

  /** The tag of a live process started after the worker, or null (no tag, older, a zombie, gone, not a pid). */
  private static String tagOfCandidate(String pid) {
    if (pid.isEmpty() || !Character.isDigit(pid.charAt(0))) {
      return null;
    }
    return tagOfCandidate(pid, startTicksOfLiveProcess(pid, STAT_BUFFER.get()), -1);
  }

  /**
   * As {@link #tagOfCandidate(String)}, with the process's start time already read (-1: a zombie or gone). With
   * its parent's pid ({@code parent} >= 0), a process found without a tag is remembered as such (see
   * {@link #mayBeRememberedUntagged}); with -1 (the kill scans) an untagged process is always read again.
   */
  private static String tagOfCandidate(String pid, long start, long parent) {
    long id = Long.parseLong(pid);
    if (start < SELF_START_TICKS || id == SELF_PID) {
      return null;
    }
    KnownTag known = KNOWN_TAGS.get(id);
    if (known != null && known.startTicks() == start && (known.tag() != null || parent >= 0)) {
      return known.tag();
    }
    int[] length = new int[1];
    String tag = tagOf(pid, length);
    // An environment that reads empty is a kernel thread's, or that of a process in the middle of an exec (its
    // new memory has no environment yet): read such a process again, or a daemon exec'ing at that moment escapes.
    for (int retry = 0; tag == null && length[0] == 0 && retry < EXEC_RETRIES && !kernelThread(pid); retry++) {
      LockSupport.parkNanos(EXEC_PAUSE_NANOS);
      tag = tagOf(pid, length);
    }
    if (tag != null || mayBeRememberedUntagged(length[0], parent)) {
      if (KNOWN_TAGS.size() >= MAX_KNOWN_TAGS) {
        KNOWN_TAGS.clear(); // gone processes' entries pile up; starting over costs one read per process
      }
      KNOWN_TAGS.put(id, new KnownTag(start, tag));
    }
    return tag;
  }

  /**
   * Whether a process read without a tag can be taken as untagged for life, so that the samples do not read the
   * environment of every other process started after the worker again at every pass. A task's processes carry the
   * tag from their fork on (the child's memory is a copy of the parent's), with two exceptions, read again: a
   * process whose environment reads empty (in the middle of an exec), and a child of the worker itself, which
   * shows the worker's environment from its fork until its exec.
   */
  static boolean mayBeRememberedUntagged(int environmentLength, long parent) {
    return environmentLength > 0 && parent >= 0 && parent != SELF_PID;
  }

  /**
   * The value of {@value #TAG_VARIABLE} in the process's environment, or null; {@code length[0]} is set to the
   * environment's size in bytes (-1 when it could not be read).
   */
  static String tagOf(String pid, int[] length) {
    byte[] env = ENVIRON_BUFFER.get();
    int n;
    length[0] = -1;
    try (FileInputStream in = new FileInputStream("/proc/" + pid + "/environ")) {
      n = in.readNBytes(env, 0, env.length);
      if (n == env.length) {
        byte[] rest = in.readAllBytes(); // a task's environment may hold its data (up to 64 KiB per value)
        byte[] whole = new byte[n + rest.length];
        System.arraycopy(env, 0, whole, 0, n);
        System.arraycopy(rest, 0, whole, n, rest.length);
        env = whole;
        n = whole.length;
      }
    } catch (IOException e) {
      return null;
    }
    length[0] = n;
    return tagIn(env, n);
  }

  /** The kernel's flag for its own threads in {@code /proc/PID/stat} (PF_KTHREAD): they have no environment. */
  private static final long PF_KTHREAD = 0x00200000L;

  /** A kernel thread, by its flags (a pid or parent pid says nothing inside a container's pid namespace). */
  static boolean kernelThread(String pid) {
    try {
      String stat = new String(Files.readAllBytes(PROC.resolve(pid).resolve("stat")), StandardCharsets.US_ASCII);
      int close = stat.lastIndexOf(')');
      // after "(comm) ": state ppid pgrp session tty_nr tpgid flags ...
      String[] fields = stat.substring(close + 2).split(" ", 8);
      return (Long.parseLong(fields[6]) & PF_KTHREAD) != 0;
    } catch (IOException | RuntimeException e) {
      return true; // gone, or unreadable: nothing to wait for
    }
  }

  /** The tag in a NUL-separated environment block, or null. */
  static String tagIn(byte[] env, int length) {
    for (int i = 0; i < length; ) {
      int end = i;
      while (end < length && env[end] != 0) {
        end++;
      }
      if (end - i >= TAG_PREFIX.length && startsWithPrefix(env, i)) {
        return new String(env, i + TAG_PREFIX.length, end - i - TAG_PREFIX.length, StandardCharsets.US_ASCII);
      }
      i = end + 1;
    }
    return null;
  }

  private static boolean startsWithPrefix(byte[] env, int at) {
    for (int k = 0; k < TAG_PREFIX.length; k++) {
      if (env[at + k] != TAG_PREFIX[k]) {
        return false;
      }
    }
    return true;
  }

  /** What a task tree's live processes use at one sample: resident memory and CPU time so far. */
  public record Usage(long residentBytes, double cpuSeconds) {}

  /**
   * Linux reports CPU times in /proc in USER_HZ ticks, fixed at 100 per second for user space on every
   * architecture the worker runs on (the kernel's own HZ may differ; /proc converts).
   */
  private static final double TICKS_PER_SECOND = 100.0;

  /**
   * Resident memory and CPU time of each of the given tasks' trees, from one pass over {@code /proc}: the sums
   * over the live processes carrying each tag of their resident set sizes and of their user + system time,
   * counting the time of the children each of them already reaped. Tags without a live process are absent.
   * Each process's {@code stat} is read once per pass: it holds the start time that finds the tag and both
   * figures (its {@code rss} is the {@code VmRSS} of {@code status}, in pages).
   */
  public static Map<String, Usage> usageByTag(Set<String> tags) {
    Map<String, Usage> usage = new HashMap<>();
    if (tags.isEmpty()) {
      return usage;
    }
    String[] pids = PROC.toFile().list();
    if (pids == null) {
      return usage;
    }
    byte[] buffer = STAT_BUFFER.get();
    long[] fields = new long[STAT_FIELDS];
    for (String pid : pids) {
      if (pid.isEmpty() || !Character.isDigit(pid.charAt(0)) || !readStatFields(pid, buffer, fields)) {
        continue;
      }
      String tag = tagOfCandidate(pid, fields[START_TICKS], fields[PARENT]);
      if (tag != null && tags.contains(tag)) {
        Usage u = new Usage(fields[RSS_PAGES] * PAGE_SIZE, fields[CPU_TICKS] / TICKS_PER_SECOND);
        usage.merge(tag, u,
            (x, y) -> new Usage(x.residentBytes() + y.residentBytes(), x.cpuSeconds() + y.cpuSeconds()));
      }
    }
    return usage;
  }

  /** Indexes into what {@link #readStatFields} fills. */
  static final int START_TICKS = 0;
  static final int CPU_TICKS = 1;
  static final int RSS_PAGES = 2;
  static final int PARENT = 3;
  static final int STAT_FIELDS = 4;

  /** The size of a memory page, the unit of {@code rss} in {@code /proc/PID/stat}. */
  static final long PAGE_SIZE = pageSize();

  @SuppressWarnings("removal")
  private static long pageSize() {
    try {
      java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      return ((sun.misc.Unsafe) f.get(null)).pageSize();
    } catch (ReflectiveOperationException | RuntimeException e) {
      return 4096;
    }
  }

  /**
   * Reads {@code /proc/PID/stat} into {@code buffer} and parses, in place, the start time, utime + stime + cutime +
   * cstime, rss and the parent's pid into {@code fields}; false when the process is a zombie or gone.
   */
  static boolean readStatFields(String pid, byte[] buffer, long[] fields) {
    int n;
    try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
      n = in.readNBytes(buffer, 0, buffer.length);
    } catch (IOException e) {
      return false;
    }
    return parseStatFields(buffer, n, fields);
  }

  /** See {@link #readStatFields}: "pid (comm) state ppid ...", comm may hold spaces and parentheses. */
  static boolean parseStatFields(byte[] buffer, int n, long[] fields) {
    int i = n - 1;
    while (i >= 0 && buffer[i] != ')') {
      i--;
    }
    i += 2;
    if (i <= 1 || i >= n || buffer[i] == 'Z') {
      return false;
    }
    // after "(comm) ", field 0 is the state: 1 ppid, 11-14 utime stime cutime cstime, 19 starttime, 21 rss
    long cpu = 0;
    for (int field = 0; field <= 21; field++) {
      if (i >= n) {
        return false;
      }
      long value = 0;
      for (; i < n && buffer[i] >= '0' && buffer[i] <= '9'; i++) {
        value = value * 10 + (buffer[i] - '0');
      }
      while (i < n && buffer[i] != ' ') {
        i++; // the state letter, or a negative number's sign and digits (priority, nice), not needed here
      }
      i++;
      if (field == 1) {
        fields[PARENT] = value;
      } else if (field >= 11 && field <= 14) {
        cpu += value;
      } else if (field == 19) {
        fields[START_TICKS] = value;
      } else if (field == 21) {
        fields[RSS_PAGES] = value;
      }
    }
    fields[CPU_TICKS] = cpu;
    return true;
  }

  /** True when the process exists and is not a zombie. */
  public static boolean isRunning(long pid) {
    if (!procAvailable()) {
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
    ProcStat stat = readStat(PROC.resolve(Long.toString(pid)).resolve("stat"));
    return stat != null && stat.state() != 'Z';
  }

  private static long startTicksOfSelf() {
    ProcStat self = readStat(PROC.resolve("self/stat"));
    return self == null ? Long.MAX_VALUE : self.startTicks();
  }

  /**
   * The start time (clock ticks since boot) of a live process, or -1 when it is a zombie or gone. Parses
   * {@code /proc/PID/stat} in place: this runs for every process on the machine each time tasks end, so
   * it allocates nothing per process but the stream.
   */
  static long startTicksOfLiveProcess(String pid, byte[] buffer) {
    int n;
    try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
      n = in.readNBytes(buffer, 0, buffer.length);
    } catch (IOException e) {
      return -1;
    }
    // "pid (comm) state ppid ... starttime ...": comm may hold spaces and parentheses; starttime is the
    // 20th field after comm
    int i = n - 1;
    while (i >= 0 && buffer[i] != ')') {
      i--;
    }
    i += 2;
    if (i <= 1 || i >= n || buffer[i] == 'Z') {
      return -1;
    }
    for (int spaces = 0; spaces < 19 && i < n; i++) {
      if (buffer[i] == ' ') {
        spaces++;
      }
    }
    if (i >= n) {
      return -1;
    }
    long ticks = 0;
    for (; i < n && buffer[i] >= '0' && buffer[i] <= '9'; i++) {
      ticks = ticks * 10 + (buffer[i] - '0');
    }
    return ticks;
  }

  /** The fields of {@code /proc/PID/stat} the worker needs. */
  record ProcStat(char state, long group, long session, long startTicks) {}

  /** The stat of a process, or null when it is gone. */
  static ProcStat readStat(Path stat) {
    try {
      String s = new String(Files.readAllBytes(stat), StandardCharsets.US_ASCII);
      // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime
      // cstime priority nice threads itrealvalue starttime ...": comm may hold spaces and parentheses.
      int close = s.lastIndexOf(')');
      if (close < 0 || close + 2 >= s.length()) {
        return null;
      }
      String[] f = s.substring(close + 2).split(" ", 21);
      return new ProcStat(f[0].charAt(0), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[19]));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
