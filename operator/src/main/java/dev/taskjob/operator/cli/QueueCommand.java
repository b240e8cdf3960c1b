package dev.taskjob.operator.cli;

import dev.taskjob.core.Json;
import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueDepth;
import dev.taskjob.core.queue.QueuePart;
import dev.taskjob.core.queue.TaskQueue;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code taskjob queue status|purge|delete}: look at or clean up a job's queues (rms-cloud-tasks' show_queue,
 * purge_queue and delete_queue, with their --detail, --task-queue-only and --event-queue-only).
 */
@Command(name = "queue", mixinStandardHelpOptions = true,
    description = "Show, purge or delete a job's queues.",
    subcommands = {QueueCommand.Status.class, QueueCommand.Purge.class, QueueCommand.Delete.class})
public final class QueueCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: status, purge or delete");
  }

  /** Prints whether the queue exists and its depth, and with --detail a sample task. */
  @Command(name = "status", aliases = "show", mixinStandardHelpOptions = true,
      description = "Show a queue's depth; with --detail also a sample task.")
  static final class Status implements Callable<Integer> {
    @Mixin QueueOptions queueOptions;
    @Option(names = "--detail", description = "Also show one waiting task as it sits in the queue. It is received and"
        + " given back at once, which counts as one delivery of that task.")
    boolean detail;
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
        if (detail) {
          sample(queue, out);
        }
        return 0;
      }
    }

    /** Receives one task and releases it at once, so it is delivered again as if never seen. */
    private static void sample(TaskQueue queue, PrintWriter out) {
      List<LeasedTask> got = queue.receive(1, Duration.ofSeconds(2));
      if (got.isEmpty()) {
        out.println("  sample task: none waiting");
        return;
      }
      LeasedTask task = got.get(0);
      try {
        out.println("  sample task (delivery " + task.deliveryAttempt() + "): " + Json.taskToJson(task.task()));
      } finally {
        queue.release(task);
      }
    }

    private static String count(long n) {
      return n < 0 ? "unknown" : Long.toString(n);
    }
  }

  /** Removes every task, dead letter and event, keeping the queues. */
  @Command(name = "purge", mixinStandardHelpOptions = true,
      description = "Remove every task, dead letter and event (or one side with --task-queue-only / --event-queue-only); the queues stay.")
  static final class Purge implements Callable<Integer> {
    @Mixin QueueOptions queueOptions;
    @ArgGroup(exclusive = true) Parts parts = new Parts();
    @Option(names = {"-f", "--force"}, description = "Do not ask for confirmation.") boolean force;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      return QueueOptions.guarded(spec, this::purge);
    }

    private int purge() {
      Set<QueuePart> which = parts.selected();
      if (!confirmed(spec, force, "Purge the " + Parts.describe(which) + " of queue " + queueOptions.queue + "?")) {
        return 1;
      }
      try (TaskQueue queue = queueOptions.open()) {
        if (which.contains(QueuePart.TASKS)) {
          queue.purge();
        }
        if (which.contains(QueuePart.EVENTS)) {
          queue.purgeEvents();
        }
        spec.commandLine().getOut().println("Purged the " + Parts.describe(which) + " of queue " + queueOptions.queue);
        return 0;
      }
    }
  }

  /** Deletes the task, event and dead-letter queues. */
  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete the task, event and dead-letter queues (or one side with --task-queue-only / --event-queue-only).")
  static final class Delete implements Callable<Integer> {
    @Mixin QueueOptions queueOptions;
    @ArgGroup(exclusive = true) Parts parts = new Parts();
    @Option(names = {"-f", "--force"}, description = "Do not ask for confirmation.") boolean force;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      return QueueOptions.guarded(spec, this::delete);
    }

    private int delete() {
      Set<QueuePart> which = parts.selected();
      if (!confirmed(spec, force, "Delete the " + Parts.queues(which) + " of " + queueOptions.queue + " with what they hold?")) {
        return 1;
      }
      try (TaskQueue queue = queueOptions.open()) {
        queue.delete(which);
        spec.commandLine().getOut().println("Deleted the " + Parts.queues(which) + " of " + queueOptions.queue);
        return 0;
      }
    }
  }

  /** rms-cloud-tasks' --task-queue-only / --event-queue-only; neither means both. */
  static final class Parts {
    @Option(names = "--task-queue-only", description = "Only the task queue and its dead-letter queue.")
    boolean tasksOnly;
    @Option(names = "--event-queue-only", description = "Only the event queue.")
    boolean eventsOnly;

    Set<QueuePart> selected() {
      return tasksOnly ? EnumSet.of(QueuePart.TASKS)
          : eventsOnly ? EnumSet.of(QueuePart.EVENTS) : EnumSet.allOf(QueuePart.class);
    }

    static String describe(Set<QueuePart> parts) {
      return parts.size() == 2 ? "tasks, dead letters and events"
          : parts.contains(QueuePart.TASKS) ? "tasks and dead letters" : "events";
    }

    static String queues(Set<QueuePart> parts) {
      return parts.size() == 2 ? "task, dead-letter and event queues"
          : parts.contains(QueuePart.TASKS) ? "task and dead-letter queues" : "event queue";
    }
  }

  static boolean confirmed(CommandLine.Model.CommandSpec spec, boolean force, String question) {
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
