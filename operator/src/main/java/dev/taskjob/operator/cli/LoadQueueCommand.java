package dev.taskjob.operator.cli;

import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.TaskGenerator;
import dev.taskjob.operator.load.LoadCheckpoint;
import dev.taskjob.operator.load.LoadException;
import dev.taskjob.operator.load.LoadOptions;
import dev.taskjob.operator.load.LoadProgress;
import dev.taskjob.operator.load.LoadResult;
import dev.taskjob.operator.load.TaskInput;
import dev.taskjob.operator.load.TaskLoader;
import dev.taskjob.operator.load.TaskSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code taskjob load-queue}: validates task lists (or a generated sweep) and loads them into a
 * queue, creating the queue when absent, with a progress bar on stderr.
 */
@Command(name = "load-queue", mixinStandardHelpOptions = true,
    description = {"Load tasks into a queue (like rms-cloud-tasks' load_queue).",
        "Every list is validated first (format, duplicate ids across all lists, message size): a bad list sends nothing.",
        "With --checkpoint-file an interrupted load resumes where it stopped."})
public final class LoadQueueCommand implements Callable<Integer> {

  @Mixin QueueOptions queueOptions;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(names = "--task-file", arity = "1..*",
        description = "Task list(s): JSON array, JSON Lines or YAML, optionally gzip. Ids must be unique across all files.")
    List<Path> taskFiles;

    @Option(names = "--generate", description = "Generate this many tasks {\"n\": i} instead of reading a file.")
    Long generateCount;
  }

  @Option(names = "--id-prefix", defaultValue = "task-", description = "Id prefix of generated tasks (default ${DEFAULT-VALUE}).")
  String idPrefix;

  @Option(names = "--start-task", description = "Resume at this task offset (0-based), sending the tasks from there on.")
  Long startTask;

  @Option(names = {"--limit", "--max-tasks"},
      description = "Load at most this many tasks, from --start-task (or the checkpoint) on (rms-cloud-tasks' load_queue --limit).")
  Long limit;

  @Option(names = "--checkpoint-file",
      description = "Save the resume point here while loading and resume from it when it exists; removed when the load completes.")
  Path checkpointFile;

  @Option(names = "--batch-size", description = "Tasks per send (default: per provider).")
  Integer batchSize;

  @Option(names = "--concurrency", description = "Sends in flight at once (default: per provider).")
  Integer concurrency;

  @Option(names = "--no-progress", description = "No progress bar.")
  boolean noProgress;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return QueueOptions.guarded(spec, this::load);
  }

  private int load() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    LoadOptions options = LoadOptions.forProvider(queueOptions.provider.name());
    if (batchSize != null) {
      options = options.withBatchSize(batchSize);
    }
    if (concurrency != null) {
      options = options.withConcurrency(concurrency);
    }
    TaskInput input = source.generateCount != null
        ? TaskInput.generated(new TaskGenerator(idPrefix, source.generateCount, null))
        : TaskInput.lists(source.taskFiles.stream().map(TaskSource::file).toList());
    LoadCheckpoint from = resumePoint();
    TaskLoader loader = new TaskLoader(options);
    // Connect while validating (client set-up takes as long as reading 100,000 tasks): look the queue up
    // and ready the sending path; the queue is created only once the tasks are known to be good, so a
    // bad list leaves nothing behind.
    queueOptions.settings(); // a bad --queue or --limit is reported before anything else
    if (limit != null && limit < 1) {
      throw new IllegalArgumentException("--limit must be >= 1, was " + limit);
    }
    CompletableFuture<Connected> connecting = CompletableFuture.supplyAsync(this::connect);
    err.println("Validating " + describe() + " ...");
    err.flush();
    TaskLoader.Prepared prepared;
    try {
      prepared = loader.prepare(input); // keeps the messages it encodes, to send them as they are
    } catch (RuntimeException e) {
      connecting.thenAccept(c -> c.queue().close());
      throw e;
    }
    long total = prepared.total();
    long end = limitedEnd(total, from);
    Connected connected = join(connecting);
    try (TaskQueue queue = connected.queue()) {
      if (!connected.exists()) {
        queue.ensure();
      }
      ProgressBar bar = new ProgressBar(err, !noProgress, System.console() != null);
      LoadResult result;
      try {
        result = loader.send(queue, input, prepared, end, from, progress -> {
          saveCheckpoint(progress.checkpoint());
          bar.update(progress);
        });
      } catch (LoadException e) {
        bar.finish();
        saveCheckpoint(e.checkpoint());
        err.println("error: " + e.getMessage());
        err.println("Tasks [0, " + e.checkpoint().offset() + ") are in the queue. Resume with "
            + (checkpointFile != null ? "the same --checkpoint-file" : "--start-task " + e.checkpoint().offset())
            + "; up to " + e.checkpoint().possiblyDuplicated(end) + " tasks may then be sent twice.");
        return 1;
      }
      bar.finish();
      deleteCheckpoint();
      out.printf(Locale.ROOT, "Loaded %d tasks into %s queue %s in %.1f s (%.0f tasks/s)%s%n", result.sent(),
          queueOptions.provider, queueOptions.queue, result.elapsed().toMillis() / 1000.0, result.tasksPerSecond(),
          result.startOffset() > 0 ? String.format(Locale.ROOT, "; resumed at task %d, up to %d tasks possibly sent twice",
              result.startOffset(), result.possiblyDuplicated()) : "");
      if (end < total) {
        out.printf(Locale.ROOT, "%d of the list's %d tasks not loaded (--limit); load them with --start-task %d%n",
            total - end, total, end);
      }
      return 0;
    }
  }

  /** Where loading stops: the list's end, or {@code --limit} tasks after the resume point. */
  private long limitedEnd(long total, LoadCheckpoint from) {
    if (limit == null) {
      return total;
    }
    return Math.min(total, from.offset() + limit);
  }

  /** An open queue and whether it existed when looked up. */
  private record Connected(TaskQueue queue, boolean exists) {}

  private Connected connect() {
    TaskQueue queue = queueOptions.open();
    try {
      boolean exists = queue.exists();
      queue.prepareSend();
      return new Connected(queue, exists);
    } catch (RuntimeException e) {
      queue.close();
      throw e;
    }
  }

  private static Connected join(CompletableFuture<Connected> connecting) {
    try {
      return connecting.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  private String describe() {
    return source.generateCount != null ? source.generateCount + " generated tasks"
        : String.join(", ", source.taskFiles.stream().map(Path::toString).toList());
  }

  private LoadCheckpoint resumePoint() {
    if (startTask != null) {
      if (startTask < 0) {
        throw new IllegalArgumentException("--start-task must be >= 0, was " + startTask);
      }
      // The previous run's window is unknown here: assume the default one.
      return startTask == 0 ? LoadCheckpoint.START : new LoadCheckpoint(startTask,
          LoadOptions.forProvider(queueOptions.provider.name()).window());
    }
    if (checkpointFile != null && Files.exists(checkpointFile)) {
      try {
        String[] parts = Files.readString(checkpointFile, StandardCharsets.UTF_8).trim().split("\\s+");
        return new LoadCheckpoint(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("--checkpoint-file " + checkpointFile + ": not a checkpoint written by load-queue ("
            + e.getMessage() + ")", e);
      }
    }
    return LoadCheckpoint.START;
  }

  /** Atomically replaces the checkpoint file with "offset window". */
  private void saveCheckpoint(LoadCheckpoint checkpoint) {
    if (checkpointFile == null) {
      return;
    }
    try {
      Path tmp = checkpointFile.resolveSibling(checkpointFile.getFileName() + ".tmp");
      Files.writeString(tmp, checkpoint.offset() + " " + checkpoint.window() + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, checkpointFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write --checkpoint-file " + checkpointFile, e);
    }
  }

  private void deleteCheckpoint() {
    if (checkpointFile != null) {
      try {
        Files.deleteIfExists(checkpointFile);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** A one-line bar redrawn in place on a terminal; a plain line every few seconds otherwise. */
  static final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private final boolean enabled;
    private final boolean terminal;
    private long lastPlainLine;
    private boolean drawn;

    ProgressBar(PrintWriter err, boolean enabled, boolean terminal) {
      this.err = err;
      this.enabled = enabled;
      this.terminal = terminal;
    }

    void update(LoadProgress p) {
      if (!enabled) {
        return;
      }
      long now = System.nanoTime();
      if (!terminal && !p.done() && now - lastPlainLine < Duration.ofSeconds(5).toNanos()) {
        return;
      }
      lastPlainLine = now;
      int filled = (int) Math.round(p.fraction() * WIDTH);
      long remaining = p.total() - p.sent();
      String eta = p.tasksPerSecond() > 0 ? formatSeconds(remaining / p.tasksPerSecond()) : "?";
      String line = String.format(Locale.ROOT, "[%s%s] %,d/%,d %3.0f%% %,.0f tasks/s ETA %s",
          "#".repeat(filled), ".".repeat(WIDTH - filled), p.sent(), p.total(), p.fraction() * 100, p.tasksPerSecond(), eta);
      err.print(terminal ? "\r" + line : line + System.lineSeparator());
      err.flush();
      drawn = true;
    }

    void finish() {
      if (enabled && terminal && drawn) {
        err.println();
        err.flush();
      }
    }

    private static String formatSeconds(double seconds) {
      long s = Math.round(seconds);
      return s >= 3600 ? (s / 3600) + "h" + (s % 3600 / 60) + "m" : s >= 60 ? (s / 60) + "m" + (s % 60) + "s" : s + "s";
    }
  }
}
