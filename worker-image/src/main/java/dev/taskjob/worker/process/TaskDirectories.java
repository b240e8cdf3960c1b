package dev.taskjob.worker.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Names and removes per-task directories. */
public final class TaskDirectories {

  private static final int MAX_NAME = 120;

  private TaskDirectories() {}

  /**
   * A directory name for a task id: the id itself when it is a plain file name, else the id with
   * unsafe characters replaced and a hash of the original appended, so distinct ids never share a
   * directory.
   */
  public static String name(String id) {
    boolean plain = !id.isEmpty() && id.length() <= MAX_NAME && !id.equals(".") && !id.equals("..");
    for (int i = 0; plain && i < id.length(); i++) {
      plain = safe(id.charAt(i));
    }
    if (plain) {
      return id;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < id.length() && sb.length() < MAX_NAME; i++) {
      char c = id.charAt(i);
      sb.append(safe(c) ? c : '_');
    }
    return sb.append('-').append(String.format("%08x", fnv1a32(id))).toString();
  }

  private static boolean safe(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
        || c == '.';
  }

  private static int fnv1a32(String s) {
    int h = 0x811c9dc5;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x01000193;
    }
    return h;
  }

  /** Deletes a directory tree; errors are ignored (the directory is only logs and scratch). */
  public static void deleteQuietly(Path dir) {
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      // leftover scratch files are harmless
    }
  }
}
