package dev.taskjob.worker.process;

/**
 * The task's own data keeps its program from starting (a NUL character, an environment too large for
 * {@code execve}). That task fails with this reason; the worker goes on with the next one.
 */
public final class TaskNotStartableException extends Exception {

  public TaskNotStartableException(String reason) {
    super(reason);
  }
}
