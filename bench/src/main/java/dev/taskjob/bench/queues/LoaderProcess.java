package dev.taskjob.bench.queues;

import dev.taskjob.operator.cli.TaskjobCli;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs {@code taskjob load-queue ARGS} in this JVM, sampling used heap every 50 ms, then prints
 * {@code RESULT <exit code> <seconds> <peak heap used bytes> <peak RSS KiB>} and
 * {@code HEAP <peak heap used per tenth of the run, MiB, comma-separated>}.
 * The time covers the command (validation and sending), not JVM start-up.
 */
public final class LoaderProcess {

  private LoaderProcess() {}

  public static void main(String[] args) throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    List<long[]> samples = new ArrayList<>();
    long start = System.nanoTime();
    Thread sampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        synchronized (samples) {
          samples.add(new long[] {System.nanoTime() - start, memory.getHeapMemoryUsage().getUsed()});
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    sampler.setDaemon(true);
    sampler.start();
    int code = TaskjobCli.commandLine(args).execute(args);
    long elapsed = System.nanoTime() - start;
    sampler.interrupt();
    sampler.join();
    long peak = 0;
    long[] perTenth = new long[10];
    synchronized (samples) {
      for (long[] s : samples) {
        peak = Math.max(peak, s[1]);
        int tenth = (int) Math.min(9, s[0] * 10 / Math.max(1, elapsed));
        perTenth[tenth] = Math.max(perTenth[tenth], s[1]);
      }
    }
    StringBuilder heap = new StringBuilder();
    for (long p : perTenth) {
      heap.append(heap.length() == 0 ? "" : ",").append(p / (1024 * 1024));
    }
    System.out.printf(Locale.ROOT, "RESULT %d %.3f %d %d%n", code, elapsed / 1e9, peak, peakRssKib());
    System.out.println("HEAP " + heap);
    System.exit(code);
  }

  /** VmHWM from /proc/self/status (Linux), or -1. */
  static long peakRssKib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
