package dev.taskjob.worker;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls a condition the test cannot be told of, up to a patience that is a safety net, not a timing. */
public final class Await {

  private Await() {}

  /** Returns once {@code condition} holds; fails naming {@code what} after {@code patience}. */
  public static void until(String what, Duration patience, Supplier<Boolean> condition) throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }
}
