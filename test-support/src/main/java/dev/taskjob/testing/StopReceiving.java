package dev.taskjob.testing;

import java.util.Arrays;

/** For tests that stop a queue receive in progress on another thread: waits until it is in progress. */
public final class StopReceiving {

  private static final long PATIENCE_NANOS = 60_000_000_000L;

  private StopReceiving() {}

  /** Returns once {@code thread} is parked or sleeping (a receive waiting for messages). */
  public static void awaitWaiting(Thread thread) throws InterruptedException {
    await(thread, "waiting", () -> thread.getState() == Thread.State.WAITING
        || thread.getState() == Thread.State.TIMED_WAITING);
  }

  /** Returns once a method named {@code method} is on {@code thread}'s stack (a blocking call in progress). */
  public static void awaitInside(Thread thread, String method) throws InterruptedException {
    await(thread, "inside " + method, () -> Arrays.stream(thread.getStackTrace())
        .anyMatch(f -> f.getMethodName().equals(method)));
  }

  private static void await(Thread thread, String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE_NANOS;
    while (!condition.getAsBoolean()) {
      if (!thread.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError(thread.getName() + " never got " + what);
      }
      Thread.sleep(10);
    }
  }
}
