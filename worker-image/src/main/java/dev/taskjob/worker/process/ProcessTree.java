package dev.taskjob.worker.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Signals and kills a task's whole process tree. A task started in its own session (via {@code setsid})
 * is its session leader, so every process it forks, even one whose parent already exited or that made
 * its own process group, is found by its session id in {@code /proc}. Only a process that starts a new
 * session of its own ({@code setsid}, a double-forking daemon) escapes; a cgroup would hold those too,
 * but creating one needs a delegated cgroup, which containers and most VMs do not give a process.
 * Without {@code /proc} or a session, the live descendants of the task process are signalled instead.
 */
public final class ProcessTree {

  private static final Path PROC = Path.of("/proc");
  private static final int MAX_PASSES = 50;
  private static final long PASS_PAUSE_MILLIS = 10;
  /** {@code /proc/PID/stat} is read up to the session field, well within this. */
  private static final ThreadLocal<byte[]> STAT_BUFFER = ThreadLocal.withInitial(() -> new byte[512]);

  private ProcessTree() {}

  /** True when sessions can be found through {@code /proc}. */
  public static boolean procAvailable() {
    return Files.isReadable(PROC.resolve("self/stat"));
  }

  /**
   * Sends SIGTERM to the task and everything it started, once: the polite half of a kill, which lets
   * the task save its work before {@link #kill} follows.
   */
  public static void terminate(ProcessHandle task, boolean ownSession) {
    List<ProcessHandle> descendants = task.descendants().toList();
    task.destroy();
    descendants.forEach(ProcessHandle::destroy);
    if (ownSession && procAvailable()) {
      for (long pid : sessionMembers(task.pid())) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
      }
    }
  }

  /**
   * Sends SIGKILL to the task and everything it started. With {@code ownSession}, repeats until no
   * process of the session is left (a process may fork while the session is being killed).
   *
   * @return how many processes were signalled
   */
  public static int kill(ProcessHandle task, boolean ownSession) {
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
    if (ownSession && procAvailable()) {
      killed += killSession(task.pid());
    }
    return killed;
  }

  /**
   * Kills what is left of these sessions once their leaders (tasks) have exited, and returns once none
   * of it is left; one pass over {@code /proc} serves them all. A live process with a session's pid
   * means the pid was reused by a new session, which is left alone.
   *
   * @return how many processes were killed
   */
  public static int killRestOfSessions(Set<Long> sessions) {
    if (sessions.isEmpty() || !procAvailable()) {
      return 0;
    }
    Set<Long> ended = new HashSet<>();
    for (long s : sessions) {
      if (!isRunning(s)) {
        ended.add(s);
      }
    }
    int killed = 0;
    for (int pass = 0; pass < MAX_PASSES && !ended.isEmpty(); pass++) {
      List<Long> members = membersOf(ended);
      if (members.isEmpty()) {
        break;
      }
      for (long pid : members) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isPresent() && h.get().destroyForcibly()) {
          killed++;
        }
      }
      try {
        Thread.sleep(PASS_PAUSE_MILLIS); // SIGKILL is delivered asynchronously; look again once it took effect
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return killed;
  }

  /** Live processes (not zombies) in any of the sessions. */
  private static List<Long> membersOf(Set<Long> sessions) {
    List<Long> members = new ArrayList<>();
    String[] pids = new java.io.File("/proc").list();
    if (pids == null) {
      return members;
    }
    byte[] buffer = STAT_BUFFER.get();
    for (String pid : pids) {
      if (!pid.isEmpty() && Character.isDigit(pid.charAt(0)) && sessions.contains(sessionOfLiveProcess(pid, buffer))) {
        members.add(Long.parseLong(pid));
      }
    }
    return members;
  }

  private static int killSession(long session) {
    int killed = 0;
    for (int pass = 0; pass < MAX_PASSES; pass++) {
      List<Long> members = sessionMembers(session);
      if (members.isEmpty()) {
        break;
      }
      for (long pid : members) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isPresent() && h.get().destroyForcibly()) {
          killed++;
        }
      }
      try {
        Thread.sleep(PASS_PAUSE_MILLIS); // SIGKILL is delivered asynchronously; look again once it took effect
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return killed;
  }

  /** What a session's live processes use at one sample: resident memory and CPU time so far. */
  public record Usage(long residentBytes, double cpuSeconds) {}

  /**
   * Linux reports CPU times in /proc in USER_HZ ticks, fixed at 100 per second for user space on every
   * architecture the worker runs on (the kernel's own HZ may differ; /proc converts).
   */
  private static final double TICKS_PER_SECOND = 100.0;

  /**
   * Resident memory and CPU time of each of the given sessions, from one pass over {@code /proc}: the sums
   * over its live processes of their resident set sizes and of their user + system time, counting the
   * time of the children each of them already reaped. Sessions without a live process are absent.
   */
  public static Map<Long, Usage> usageBySession(Set<Long> sessions) {
    Map<Long, Usage> usage = new HashMap<>();
    if (sessions.isEmpty()) {
      return usage;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC)) {
      for (Path dir : dirs) {
        String name = dir.getFileName().toString();
        if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
          continue;
        }
        long session = sessionOfLiveProcess(name, STAT_BUFFER.get());
        if (session >= 0 && sessions.contains(session)) {
          long rss = residentBytes(dir.resolve("status"));
          double cpu = cpuTicks(dir.resolve("stat")) / TICKS_PER_SECOND;
          usage.merge(session, new Usage(rss, cpu),
              (a, b) -> new Usage(a.residentBytes() + b.residentBytes(), a.cpuSeconds() + b.cpuSeconds()));
        }
      }
    } catch (IOException e) {
      // /proc vanished or is unreadable: nothing more can be found
    }
    return usage;
  }

  /** utime + stime + cutime + cstime of {@code /proc/PID/stat}, in ticks (gone meanwhile: 0). */
  static long cpuTicks(Path stat) {
    try {
      String s = new String(Files.readAllBytes(stat), StandardCharsets.US_ASCII);
      int close = s.lastIndexOf(')');
      if (close < 0 || close + 2 >= s.length()) {
        return 0;
      }
      // after "(comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
      String[] f = s.substring(close + 2).split(" ", 16);
      return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** VmRSS of {@code /proc/PID/status} in bytes (kernel threads and gone processes: 0). */
  private static long residentBytes(Path status) {
    try {
      for (String line : Files.readAllLines(status, StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:")) {
          String[] f = line.substring(6).trim().split("\\s+");
          return Long.parseLong(f[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone meanwhile
    }
    return 0;
  }

  /** True when the process exists and is not a zombie. */
  public static boolean isRunning(long pid) {
    if (!procAvailable()) {
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
    ProcStat stat = readStat(PROC.resolve(Long.toString(pid)).resolve("stat"));
    return stat != null && stat.state() != 'Z';
  }

  /** Live processes (not zombies) whose session is {@code session}. */
  public static List<Long> sessionMembers(long session) {
    List<Long> members = new ArrayList<>();
    String[] pids = new java.io.File("/proc").list();
    if (pids == null) {
      return members;
    }
    byte[] buffer = STAT_BUFFER.get();
    for (String pid : pids) {
      if (!pid.isEmpty() && Character.isDigit(pid.charAt(0)) && sessionOfLiveProcess(pid, buffer) == session) {
        members.add(Long.parseLong(pid));
      }
    }
    return members;
  }

  /**
   * The session of a live process, or -1 when it is a zombie or gone. Parses {@code /proc/PID/stat}
   * in place: this runs for every process on the machine each time a task ends, so it allocates
   * nothing per process but the stream.
   */
  static long sessionOfLiveProcess(String pid, byte[] buffer) {
    int n;
    try (java.io.FileInputStream in = new java.io.FileInputStream("/proc/" + pid + "/stat")) {
      n = in.readNBytes(buffer, 0, buffer.length);
    } catch (IOException e) {
      return -1;
    }
    // "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses
    int i = n - 1;
    while (i >= 0 && buffer[i] != ')') {
      i--;
    }
    i += 2;
    if (i <= 1 || i >= n || buffer[i] == 'Z') {
      return -1;
    }
    for (int spaces = 0; spaces < 3 && i < n; i++) {
      if (buffer[i] == ' ') {
        spaces++;
      }
    }
    long session = 0;
    for (; i < n && buffer[i] >= '0' && buffer[i] <= '9'; i++) {
      session = session * 10 + (buffer[i] - '0');
    }
    return session;
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

  /**
   * Kills processes left behind by tasks that already ended: members of a session one of the worker's
   * tasks led (its pid is in {@code leaders}) whose leader is gone, started after the worker itself.
   * A pid reused by an unrelated session leader is left alone, since that leader is alive.
   *
   * @return how many processes were killed
   */
  public static int killLeftovers(java.util.BitSet leaders) {
    if (leaders.isEmpty() || !procAvailable()) {
      return 0;
    }
    ProcStat self = readStat(PROC.resolve("self/stat"));
    if (self == null) {
      return 0;
    }
    int killed = 0;
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC)) {
      for (Path dir : dirs) {
        String name = dir.getFileName().toString();
        if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
          continue;
        }
        long pid = Long.parseLong(name);
        ProcStat st = readStat(dir.resolve("stat"));
        if (st == null || st.state() == 'Z' || st.session() > Integer.MAX_VALUE || !leaders.get((int) st.session())
            || st.startTicks() < self.startTicks() || pid == st.session()) {
          continue;
        }
        ProcStat leader = readStat(PROC.resolve(Long.toString(st.session())).resolve("stat"));
        if (leader != null && leader.state() != 'Z' && leader.session() == st.session()) {
          continue;
        }
        if (ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false)) {
          killed++;
        }
      }
    } catch (IOException e) {
      // /proc unreadable: nothing more can be found
    }
    return killed;
  }
}
