package dev.taskjob.operator.cli;

import dev.taskjob.core.queue.QueueDepth;
import dev.taskjob.core.queue.TaskQueue;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code taskjob queue status|purge|delete}: look at or clean up a job's queues (like rms-cloud-tasks' queue commands). */
@Command(name = "queue", mixinStandardHelpOptions = true,
    description = "Show, purge or delete a job's queues.",
    subcommands = {QueueCommand.Status.class, QueueCommand.Purge.class, QueueCommand.Delete.class})
public final class QueueCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: status, purge or delete");
  }

  /** Prints whether the queue exists and its depth. */
  @Command(name = "status", mixinStandardHelpOptions = true, description = "Show a queue's depth.")
  static final class Status implements Callable<Integer> {
    @Mixin QueueOptions queueOptions;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      return QueueOptions.guarded(spec, this::status);
    }

    private int status() {
      PrintWriter out = spec.commandLine().getOut();
      try (TaskQueue queue = queueOptions.open()) {
        if (!queue.exists()) {
          out.println("Queue " + queueOptions.queue + " (" + queueOptions.provider + ") does not exist");
          return 3;
        }
        QueueDepth depth = queue.depth();
        out.println("Queue " + queueOptions.queue + " (" + queueOptions.provider + ")");
        out.println("  waiting:       " + count(depth.waiting()));
        out.println("  leased:        " + count(depth.leased()));
        out.println("  dead-lettered: " + count(depth.deadLettered()));
        if (depth.waiting() < 0) {
          out.println("  (Pub/Sub reports no message counts; see docs/architecture.md, TaskQueue)");
        } else if (queueOptions.provider == QueueOptions.Provider.aws) {
          out.println("  (SQS counts are approximate and may lag by a minute)");
        }
        return 0;
      }
    }

    private static String count(long n) {
      return n < 0 ? "unknown" : Long.toString(n);
    }
  }

  /** Removes every task and dead letter, keeping the queues. */
  @Command(name = "purge", mixinStandardHelpOptions = true, description = "Remove every task and dead letter; the queues stay.")
  static final class Purge implements Callable<Integer> {
    @Mixin QueueOptions queueOptions;
    @Option(names = {"-f", "--force"}, description = "Do not ask for confirmation.") boolean force;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      return QueueOptions.guarded(spec, this::purge);
    }

    private int purge() {
      if (!confirmed(spec, force, "Purge every task of queue " + queueOptions.queue + "?")) {
        return 1;
      }
      try (TaskQueue queue = queueOptions.open()) {
        queue.purge();
        spec.commandLine().getOut().println("Purged queue " + queueOptions.queue);
        return 0;
      }
    }
  }

  /** Deletes the task, event and dead-letter queues. */
  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete the task, event and dead-letter queues.")
  static final class Delete implements Callable<Integer> {
    @Mixin QueueOptions queueOptions;
    @Option(names = {"-f", "--force"}, description = "Do not ask for confirmation.") boolean force;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      return QueueOptions.guarded(spec, this::delete);
    }

    private int delete() {
      if (!confirmed(spec, force, "Delete queue " + queueOptions.queue + " with its tasks, events and dead letters?")) {
        return 1;
      }
      try (TaskQueue queue = queueOptions.open()) {
        queue.delete();
        spec.commandLine().getOut().println("Deleted queue " + queueOptions.queue);
        return 0;
      }
    }
  }

  private static boolean confirmed(CommandLine.Model.CommandSpec spec, boolean force, String question) {
    if (force) {
      return true;
    }
    java.io.Console console = System.console();
    if (console == null) {
      spec.commandLine().getErr().println("error: not a terminal, so cannot ask: pass --force to " + spec.name());
      return false;
    }
    String answer = console.readLine("%s [y/N] ", question);
    return answer != null && answer.trim().equalsIgnoreCase("y");
  }
}
