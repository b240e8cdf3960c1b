package dev.taskjob.operator.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskjob.core.cloud.OwnerTags;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The first error a job's local workers wrote to their logs ({@code <root>/instances/<name>/worker.log}), for
 * the live progress view, so a user sees why tasks fail or workers stop without opening a log. Each log is
 * read once, from where the last look stopped; the first error found is kept.
 */
final class WorkerErrors {

  /**
   * A worker log line at WARN or ERROR: {@code 2025-07-08 11:19:22.944 WARN - message} as the worker's own
   * logging configuration writes it, or with a thread and logger before the dash.
   */
  private static final Pattern LEVELLED = Pattern.compile(
      "^(?:\\d{4}-\\d\\d-\\d\\d[ T])?\\d\\d:\\d\\d:\\d\\d[.,]\\d{3}\\S*\\s+(WARN|ERROR)(?:\\s.*?)? - (.*)$");
  /** What a JVM prints when the worker cannot start at all, before any logging. */
  private static final Pattern UNLOGGED = Pattern.compile("^(Error: .*|Exception in thread .*)$");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path instancesDir;
  private final Map<Path, Long> offsets = new HashMap<>();
  private final Map<String, String> firstByJob = new HashMap<>();

  WorkerErrors(Path root) {
    this.instancesDir = root.resolve("instances");
  }

  /** The first error of the job's workers so far (read from the logs' new lines), if any. */
  Optional<String> first(String namespace, String job) {
    String key = namespace + "/" + job;
    if (firstByJob.containsKey(key)) {
      return Optional.of(firstByJob.get(key));
    }
    if (!Files.isDirectory(instancesDir)) {
      return Optional.empty();
    }
    try (Stream<Path> dirs = Files.list(instancesDir)) {
      for (Path dir : dirs.sorted().toList()) {
        if (belongsTo(dir, namespace, job)) {
          Optional<String> error = firstError(newLines(dir.resolve("worker.log")));
          if (error.isPresent()) {
            firstByJob.put(key, dir.getFileName() + ": " + error.get());
            return Optional.of(firstByJob.get(key));
          }
        }
      }
    } catch (IOException e) {
      // an instance directory removed while being read: look again next time
    }
    return Optional.empty();
  }

  /** The message of the first WARN or ERROR line (or JVM start-up error) among {@code lines}. */
  static Optional<String> firstError(List<String> lines) {
    for (String line : lines) {
      Matcher levelled = LEVELLED.matcher(line);
      if (levelled.matches()) {
        return Optional.of(levelled.group(2).strip());
      }
      if (UNLOGGED.matcher(line).matches()) {
        return Optional.of(line.strip());
      }
    }
    return Optional.empty();
  }

  private static boolean belongsTo(Path dir, String namespace, String job) {
    try {
      JsonNode tags = JSON.readTree(dir.resolve("instance.json").toFile()).path("tags");
      return job.equals(tags.path(OwnerTags.JOB_NAME).asText())
          && (!tags.has(OwnerTags.NAMESPACE) || namespace.equals(tags.path(OwnerTags.NAMESPACE).asText()));
    } catch (IOException e) {
      return false;
    }
  }

  /** The complete lines added to {@code log} since the last call. */
  private List<String> newLines(Path log) throws IOException {
    if (!Files.exists(log)) {
      return List.of();
    }
    long from = offsets.getOrDefault(log, 0L);
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long length = file.length();
      if (length <= from) {
        return List.of();
      }
      byte[] bytes = new byte[(int) Math.min(length - from, 1 << 20)];
      file.seek(from);
      file.readFully(bytes);
      int end = bytes.length;
      while (end > 0 && bytes[end - 1] != '\n') {
        end--;
      }
      offsets.put(log, from + end);
      return new String(bytes, 0, end, StandardCharsets.UTF_8).lines().toList();
    }
  }
}
