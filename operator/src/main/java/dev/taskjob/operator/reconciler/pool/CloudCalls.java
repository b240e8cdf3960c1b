package dev.taskjob.operator.reconciler.pool;

import dev.taskjob.operator.OperatorSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Where the pool controller's cloud calls run, off the reconcile threads: lists on their own threads, so a
 * slow create never delays a look at the VMs, creates on up to {@code createParallelism} threads, the other
 * changes (terminates, disk lists and deletions, stop notices) on their own threads, so a throttled terminate
 * delays neither a create nor a list, and a timer that lists every pool once a period.
 */
record CloudCalls(Executor lists, Executor creates, Executor changes, ScheduledExecutorService timer,
    List<ExecutorService> owned) {

  private static final int LIST_THREADS = 2;
  private static final int CHANGE_THREADS = 2;

  static CloudCalls threads(OperatorSettings settings) {
    ExecutorService lists = Executors.newFixedThreadPool(LIST_THREADS, daemon("vm-list"));
    ExecutorService creates = Executors.newFixedThreadPool(Math.max(1, settings.createParallelism()),
        daemon("vm-create"));
    ExecutorService changes = Executors.newFixedThreadPool(CHANGE_THREADS, daemon("vm-change"));
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("vm-poll"));
    return new CloudCalls(lists, creates, changes, timer, List.of(lists, creates, changes, timer));
  }

  /** Every call on the given executor, and no timer: the reconciles alone ask for lists. */
  static CloudCalls using(Executor executor) {
    return new CloudCalls(executor, executor, executor, null, List.of());
  }

  /** Runs {@code task} once every period, if this has a timer. */
  void every(Duration period, Runnable task) {
    if (timer != null) {
      long millis = Math.max(1, period.toMillis());
      timer.scheduleWithFixedDelay(task, millis, millis, TimeUnit.MILLISECONDS);
    }
  }

  void shutdown() {
    owned.forEach(ExecutorService::shutdownNow);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
