package dev.taskjob.bench.operator;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Samples, once a second, what the run costs: this JVM's heap (after every GC, from GC notifications,
 * and as used between GCs), this JVM's CPU split by thread group, the CPU of the worker processes
 * (this JVM's children) including the task processes they started and waited for, and the whole
 * machine's CPU from /proc/stat.
 */
final class ResourceSampler implements AutoCloseable {

  /** Linux clock ticks per second, the unit of /proc CPU times (CLK_TCK is 100 on every common kernel). */
  private static final double TICKS_PER_SECOND = 100.0;

  /** CPU of this JVM's threads, grouped by name; the rest of the process CPU is the JVM's own (GC, JIT). */
  static final Map<String, String> THREAD_GROUPS = new LinkedHashMap<>();

  static {
    THREAD_GROUPS.put("pool-", "JOSDK executors (reconciles)");
    THREAD_GROUPS.put("events-", "event consumers");
    THREAD_GROUPS.put("taskjob-load-", "queue loading");
    THREAD_GROUPS.put("vert.x", "HTTP (embedded API server and client)");
    THREAD_GROUPS.put("embedded-api-requests", "HTTP (embedded API server and client)");
    THREAD_GROUPS.put("bench-", "benchmark (sampling, watch)");
  }

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "bench-sampler");
    t.setDaemon(true);
    return t;
  });
  private final long startProcessCpuNanos;
  private final long[] startMachineTicks;
  private final LongAccumulator peakHeapAfterGc = new LongAccumulator(Math::max, 0);
  private final LongAccumulator peakHeapUsed = new LongAccumulator(Math::max, 0);
  private final AtomicLong gcCount = new AtomicLong();
  /** Last CPU time seen per thread id (threads that end keep their last sample). */
  private final Map<Long, long[]> threadCpu = new HashMap<>();
  private final Map<Long, String> threadNames = new HashMap<>();
  /** Last /proc times per worker pid: own (utime+stime) and waited-for children (cutime+cstime), in ticks. */
  private final Map<Long, long[]> workerTicks = new HashMap<>();

  ResourceSampler() {
    threads.setThreadCpuTimeEnabled(true);
    startProcessCpuNanos = os.getProcessCpuTime();
    startMachineTicks = machineTicks();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc).addNotificationListener((notification, handback) -> {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
          return;
        }
        GarbageCollectionNotificationInfo info =
            GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        long after = info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
            .filter(e -> isHeapPool(e.getKey()))
            .mapToLong(e -> e.getValue().getUsed()).sum();
        peakHeapAfterGc.accumulate(after);
        gcCount.incrementAndGet();
      }, null, null);
    }
  }

  private static boolean isHeapPool(String name) {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
        .anyMatch(p -> p.getName().equals(name) && p.getType() == java.lang.management.MemoryType.HEAP);
  }

  void start() {
    timer.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
  }

  private synchronized void sample() {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    peakHeapUsed.accumulate(heap.getUsed());
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long cpu = threads.getThreadCpuTime(info.getThreadId());
      if (cpu >= 0) {
        threadCpu.put(info.getThreadId(), new long[] {cpu});
        threadNames.put(info.getThreadId(), info.getThreadName());
      }
    }
    ProcessHandle.current().children().forEach(child -> {
      long[] ticks = procTicks(child.pid());
      if (ticks != null) {
        workerTicks.put(child.pid(), ticks);
      }
    });
  }

  /** utime+stime and cutime+cstime of a process, or null when it is gone. */
  private static long[] procTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // Fields after the command name start at field 3 (state); utime is field 14.
      long utime = Long.parseLong(fields[11]);
      long stime = Long.parseLong(fields[12]);
      long cutime = Long.parseLong(fields[13]);
      long cstime = Long.parseLong(fields[14]);
      return new long[] {utime + stime, cutime + cstime};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Busy and total ticks of the whole machine. */
  private static long[] machineTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length; i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  /** What was measured from {@link #start()} until now. */
  record Figures(long peakHeapAfterGcBytes, long peakHeapUsedBytes, long gcCount, Duration processCpu,
      Map<String, Duration> cpuByThreadGroup, Duration workerCpu, Duration taskProcessCpu, int workerProcesses,
      double machineBusyCores, Duration wall) {}

  synchronized Figures figures(Duration wall) {
    sample();
    Duration processCpu = Duration.ofNanos(os.getProcessCpuTime() - startProcessCpuNanos);
    Map<String, Long> byGroup = new LinkedHashMap<>();
    long threadTotal = 0;
    for (Map.Entry<Long, long[]> e : threadCpu.entrySet()) {
      String group = groupOf(threadNames.get(e.getKey()));
      byGroup.merge(group, e.getValue()[0], Long::sum);
      threadTotal += e.getValue()[0];
    }
    byGroup.put("JVM (GC, JIT; process CPU not in any thread above)",
        Math.max(0, processCpu.toNanos() - threadTotal));
    Map<String, Duration> cpuByGroup = new LinkedHashMap<>();
    byGroup.forEach((group, nanos) -> cpuByGroup.put(group, Duration.ofNanos(nanos)));
    long workerOwn = 0;
    long children = 0;
    for (Map.Entry<Long, long[]> e : workerTicks.entrySet()) {
      workerOwn += e.getValue()[0];
      children += e.getValue()[1];
    }
    long[] machineNow = machineTicks();
    double busyShare = machineNow[1] == startMachineTicks[1] ? 0
        : (double) (machineNow[0] - startMachineTicks[0]) / (machineNow[1] - startMachineTicks[1]);
    return new Figures(peakHeapAfterGc.get(), peakHeapUsed.get(), gcCount.get(), processCpu, cpuByGroup,
        ticks(workerOwn), ticks(children), workerTicks.size(),
        busyShare * Runtime.getRuntime().availableProcessors(), wall);
  }

  private static Duration ticks(long ticks) {
    return Duration.ofMillis(Math.round(ticks * 1000 / TICKS_PER_SECOND));
  }

  private static String groupOf(String threadName) {
    if (threadName != null) {
      for (Map.Entry<String, String> e : THREAD_GROUPS.entrySet()) {
        if (threadName.startsWith(e.getKey())) {
          return e.getValue();
        }
      }
    }
    return "other operator threads (informers, timers, VM creation)";
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
