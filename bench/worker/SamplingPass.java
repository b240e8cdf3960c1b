import dev.taskjob.worker.process.ProcessTree;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * CPU time of one right-sizing sample (ProcessTree.usageByTag: one pass over /proc for every running task)
 * with N tagged tasks running, on whichever worker build is on the class path (java source-file mode):
 *
 * <pre>java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp WORKER-all.jar bench/worker/SamplingPass.java [slots] [passes]</pre>
 *
 * Starts {@code slots} tagged {@code sleep 600} processes, warms up, then times {@code passes} samples with the
 * thread's CPU clock; prints the process count on the machine and CPU microseconds per pass (median of 5 batches).
 */
public class SamplingPass {
  public static void main(String[] args) throws Exception {
    int slots = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int passes = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    List<Process> tasks = new ArrayList<>();
    Set<String> tags = new HashSet<>();
    try {
      for (int i = 0; i < slots; i++) {
        String tag = "bench-" + ProcessHandle.current().pid() + "-" + i;
        ProcessBuilder pb = new ProcessBuilder("sleep", "600");
        pb.environment().put(ProcessTree.TAG_VARIABLE, tag);
        tasks.add(pb.start());
        tags.add(tag);
      }
      Thread.sleep(300); // the sleeps have exec'ed
      ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
      for (int i = 0; i < passes; i++) {
        check(ProcessTree.usageByTag(tags), slots);
      }
      double[] perPass = new double[5];
      for (int b = 0; b < perPass.length; b++) {
        long start = cpu.getCurrentThreadCpuTime();
        for (int i = 0; i < passes; i++) {
          check(ProcessTree.usageByTag(tags), slots);
        }
        perPass[b] = (cpu.getCurrentThreadCpuTime() - start) / 1e3 / passes;
      }
      java.util.Arrays.sort(perPass);
      long processes = ProcessHandle.allProcesses().count();
      System.out.printf(Locale.ROOT, "slots=%d processes=%d cpu_us_per_pass=%.0f (batches %.0f..%.0f)%n", slots,
          processes, perPass[2], perPass[0], perPass[4]);
    } finally {
      tasks.forEach(Process::destroyForcibly);
    }
  }

  private static void check(java.util.Map<String, ProcessTree.Usage> usage, int slots) {
    if (usage.size() != slots) {
      throw new IllegalStateException("found " + usage.size() + " of " + slots + " tasks");
    }
  }
}
