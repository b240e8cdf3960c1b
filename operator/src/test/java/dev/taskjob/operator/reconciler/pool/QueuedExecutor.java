package dev.taskjob.operator.reconciler.pool;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/** Keeps what it is given until the test runs it: a cloud call in flight for as long as the test wants. */
final class QueuedExecutor implements Executor {

  private final Queue<Runnable> queued = new ArrayDeque<>();

  @Override
  public synchronized void execute(Runnable command) {
    queued.add(command);
  }

  synchronized int size() {
    return queued.size();
  }

  /** Runs what was queued, and what that queued in turn; bounded, as a test must be. */
  void runAll() {
    for (int i = 0; i < 10_000; i++) {
      Runnable next;
      synchronized (this) {
        next = queued.poll();
      }
      if (next == null) {
        return;
      }
      next.run();
    }
    throw new AssertionError("more than 10,000 queued calls");
  }
}
