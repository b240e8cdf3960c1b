package dev.taskjob.operator.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Ends, before a command exits, the idle network threads that would make the JVM's exit wait: HotSpot waits at
 * least 0.3 s at exit while any thread is in native code ({@code VM_Exit::wait_for_threads_in_native_to_block}).
 * After a local run these are the selector threads of JDK 17's {@code HttpClient} (the in-process Kubernetes
 * client's and the kubectl gateway's), which have no {@code close()} and end only once their client has been
 * garbage collected, and the embedded API's vert.x threads, which its asynchronous close ends a moment later.
 * A selector thread ends when interrupted; its client cannot be used after that, so this runs only in
 * {@link TaskjobCli#main}, after the command has returned and right before the JVM exits (never where commands
 * run in-process, as in tests). Measured: 0.39 s from the end of a local run to the
 * process's exit, 0.12 s with this (docs/benchmarks.md, "The README's local job").
 */
final class ExitWait {

  private static final Pattern JDK_HTTP_SELECTOR = Pattern.compile("HttpClient-\\d+-SelectorManager");

  private ExitWait() {}

  /** Interrupts the JDK HttpClient selector threads and waits, at most {@code limit}, for them and vert.x's to end. */
  static void endIdleNetworkThreads(Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    List<Thread> ending = new ArrayList<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (JDK_HTTP_SELECTOR.matcher(thread.getName()).matches()) {
        thread.interrupt();
        ending.add(thread);
      } else if (thread.getName().startsWith("vert.x-")) {
        ending.add(thread);
      }
    }
    try {
      for (Thread thread : ending) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        thread.join(Math.max(1, left / 1_000_000));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
