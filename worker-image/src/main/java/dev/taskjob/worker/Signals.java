package dev.taskjob.worker;

import java.util.function.BiConsumer;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT handling. The JDK's shutdown hooks cannot tell a first signal from a second or
 * keep the JVM alive while tasks finish, so the worker takes the signals itself (via the supported
 * {@code jdk.unsupported} API) and exits when it is done.
 */
final class Signals {

  private Signals() {}

  /** Calls {@code handler(name, exitCode)} on each SIGTERM (exit code 143) and SIGINT (130). */
  static void onTermination(BiConsumer<String, Integer> handler) {
    Signal.handle(new Signal("TERM"), s -> handler.accept("TERM", 128 + s.getNumber()));
    Signal.handle(new Signal("INT"), s -> handler.accept("INT", 128 + s.getNumber()));
  }
}
